package js

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/dop251/goja"
)

// Bounds of Inspect's output, as in Node's util.inspect: what goes past
// them is left out and counted ("... 5 more items").
const (
	inspectDepth     = 2     // nesting shown; deeper objects read [Object], [Array]
	inspectItems     = 100   // elements of an array, Map or Set, keys of an object
	inspectString    = 10000 // characters of a string
	inspectLineWidth = 72    // an object fits on one line up to this width
)

// Inspect renders v as Node's REPL shows a result (util.inspect-like):
// NaN, 10n, undefined, [Function: f], Map(1) { 1 => 2 }, Set(1) { 1 },
// [Circular], strings quoted, long arrays and strings shortened. Unlike
// JSON.stringify it loses nothing and never fails: a getter or Proxy that
// throws is shown as the thrown value. It must be called on the script's
// goroutine; it does not block.
//
// Inspect runs the value's getters and Proxy traps. When the run is
// interrupted meanwhile (Ctrl-C, exit(), a timeout) or a getter recurses
// past the call stack's bound, goja raises what no JavaScript catch sees;
// Inspect then returns "[Interrupted]" (the caller finds the run's end in
// its scope) or "[Uninspectable: Maximum call stack size exceeded]".
func (e *Engine) Inspect(v goja.Value) (out string) {
	defer func() {
		if x := recover(); x != nil {
			switch x.(type) {
			case *goja.InterruptedError:
				out = "[Interrupted]"
			case *goja.StackOverflowError:
				out = "[Uninspectable: Maximum call stack size exceeded]"
			default:
				panic(x)
			}
		}
	}()
	in := inspector{e: e, seen: map[*goja.Object]bool{}}
	return in.value(v, 0, true)
}

type inspector struct {
	e    *Engine
	seen map[*goja.Object]bool // the objects being printed, for cycles
}

func (in *inspector) value(v goja.Value, depth int, top bool) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case goja.IsBigInt(v):
		return v.String() + "n"
	case goja.IsNumber(v):
		if f := v.ToFloat(); f == 0 && math.Signbit(f) {
			return "-0"
		}
		return v.String() // NaN, Infinity as JavaScript writes them
	case goja.IsString(v):
		return quoteJS(v.String())
	}
	if sym, ok := v.(*goja.Symbol); ok {
		return symbolText(sym)
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		return v.String() // booleans
	}
	var out string
	if ex := in.e.vm.Try(func() { out = in.object(obj, depth) }); ex != nil {
		return "[Uninspectable: " + in.value(ex.Value(), depth+1, false) + "]"
	}
	return out
}

func (in *inspector) object(obj *goja.Object, depth int) string {
	if in.seen[obj] {
		return "[Circular]"
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return in.withProps(obj, depth, functionText(obj), nil)
	}
	switch obj.ClassName() {
	case "Error":
		// The stack, then the properties a call error carries (plugin,
		// method, code), as Node shows an error's own properties.
		text := obj.String()
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
			text = cleanStack(st.String())
		}
		if depth > inspectDepth || in.seen[obj] {
			return text
		}
		in.seen[obj] = true
		defer delete(in.seen, obj)
		return in.withProps(obj, depth, text, nil)
	case "Date":
		if t := obj.Get("toISOString"); t != nil {
			if f, ok := goja.AssertFunction(t); ok {
				if s, err := f(obj); err == nil {
					return s.String()
				}
			}
		}
		return "Invalid Date"
	case "RegExp":
		return obj.String()
	case "Number", "String", "Boolean":
		return "[" + obj.ClassName() + ": " + in.value(in.e.helper("valueOf", obj), depth, false) + "]"
	}
	if p, ok := promise(obj); ok {
		switch p.State() {
		case goja.PromiseStatePending:
			return "Promise { <pending> }"
		case goja.PromiseStateRejected:
			return "Promise { <rejected> " + in.nested(p.Result(), depth) + " }"
		}
		return "Promise { " + in.nested(p.Result(), depth) + " }"
	}
	if depth > inspectDepth {
		if obj.ClassName() == "Array" {
			return "[Array]"
		}
		return "[" + in.constructorName(obj, "Object") + "]"
	}
	in.seen[obj] = true
	defer delete(in.seen, obj)
	if obj.ClassName() == "Array" {
		return in.array(obj, depth)
	}
	switch kind := in.e.helper("kind", obj).String(); kind {
	case "Map", "Set":
		return in.collection(obj, kind, depth)
	case "Typed":
		return in.typed(obj, depth)
	}
	name := in.constructorName(obj, "")
	prefix := ""
	switch name {
	case "Object":
	case "":
		prefix = "[Object: null prototype]"
	default:
		prefix = name
	}
	return in.withProps(obj, depth, prefix, nil)
}

// nested renders a value inside another one.
func (in *inspector) nested(v goja.Value, depth int) string {
	return in.value(v, depth+1, false)
}

// elements renders the first inspectItems elements of an array-like obj,
// and counts the rest; it returns the length too.
func (in *inspector) elements(obj *goja.Object, depth int) (int64, []string) {
	n := obj.Get("length").ToInteger()
	var items []string
	for i := int64(0); i < n && i < inspectItems; i++ {
		items = append(items, in.nested(obj.Get(strconv.FormatInt(i, 10)), depth))
	}
	if n > inspectItems {
		items = append(items, moreText(n-inspectItems, "item"))
	}
	return n, items
}

// array renders an array's elements, then its other own properties.
func (in *inspector) array(obj *goja.Object, depth int) string {
	_, items := in.elements(obj, depth)
	return in.withProps(obj, depth, "", items)
}

// typed renders a typed array as Node does: Uint8Array(3) [ 1, 2, 3 ].
func (in *inspector) typed(obj *goja.Object, depth int) string {
	n, items := in.elements(obj, depth)
	name := in.constructorName(obj, "TypedArray") + "(" + strconv.FormatInt(n, 10) + ")"
	if len(items) == 0 {
		return name + " []"
	}
	return name + " " + layout("[", "]", items, depth)
}

// collection renders a Map (k => v) or Set, with its size.
func (in *inspector) collection(obj *goja.Object, kind string, depth int) string {
	entries := in.e.helper("entries", obj).ToObject(in.e.vm)
	isMap := kind == "Map"
	size := entries.Get("length").ToInteger()
	var items []string
	for i := int64(0); i < size && i < inspectItems; i++ {
		entry := entries.Get(strconv.FormatInt(i, 10))
		if isMap {
			kv := entry.ToObject(in.e.vm)
			items = append(items, in.nested(kv.Get("0"), depth)+" => "+in.nested(kv.Get("1"), depth))
		} else {
			items = append(items, in.nested(entry, depth))
		}
	}
	if size > inspectItems {
		items = append(items, moreText(size-inspectItems, "item"))
	}
	name := in.constructorName(obj, kind)
	return in.withProps(obj, depth, name+"("+strconv.FormatInt(size, 10)+")", items)
}

// withProps adds obj's enumerable own properties (array indices left out)
// to items and joins them in braces after prefix: "{ a: 1 }", "Foo { }",
// "[ 1, 2 ]" for arrays.
func (in *inspector) withProps(obj *goja.Object, depth int, prefix string, items []string) string {
	isArray := obj.ClassName() == "Array"
	keys := obj.Keys()
	shown := 0
	for _, k := range keys {
		if isArray && isIndex(k) {
			continue
		}
		if shown == inspectItems {
			items = append(items, moreText(int64(len(keys)-shown), "key"))
			break
		}
		shown++
		items = append(items, keyText(k)+": "+in.nested(obj.Get(k), depth))
	}
	for _, s := range obj.Symbols() {
		items = append(items, "["+symbolText(s)+"]: "+in.nested(obj.GetSymbol(s), depth))
	}
	open, close := "{", "}"
	if isArray {
		open, close = "[", "]"
	}
	if len(items) == 0 {
		if _, isFn := goja.AssertFunction(obj); isFn || obj.ClassName() == "Error" {
			return prefix
		}
		return joinPrefix(prefix, open+close)
	}
	return joinPrefix(prefix, layout(open, close, items, depth))
}

func joinPrefix(prefix, body string) string {
	if prefix == "" {
		return body
	}
	return prefix + " " + body
}

// layout puts items on one line when they fit, else one per line.
func layout(open, close string, items []string, depth int) string {
	width := len(open) + len(close)
	multi := false
	for _, it := range items {
		width += len(it) + 2
		if strings.Contains(it, "\n") {
			multi = true
		}
	}
	if !multi && width+depth*2 <= inspectLineWidth {
		return open + " " + strings.Join(items, ", ") + " " + close
	}
	var b strings.Builder
	b.WriteString(open + "\n")
	for i, it := range items {
		b.WriteString("  " + strings.ReplaceAll(it, "\n", "\n  "))
		if i < len(items)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(close)
	return b.String()
}

func moreText(n int64, what string) string {
	s := "... " + strconv.FormatInt(n, 10) + " more " + what
	if n != 1 {
		s += "s"
	}
	return s
}

// constructorName is the name of obj's constructor, or def when it has
// none (a null prototype).
func (in *inspector) constructorName(obj *goja.Object, def string) string {
	proto := obj.Prototype()
	if proto == nil {
		return def
	}
	c, ok := proto.Get("constructor").(*goja.Object)
	if !ok {
		return def
	}
	if name := c.Get("name"); name != nil && goja.IsString(name) && name.String() != "" {
		return name.String()
	}
	return def
}

// functionText is [Function: name], [class Name] or [Function (anonymous)].
func functionText(fn *goja.Object) string {
	name := ""
	if n := fn.Get("name"); n != nil && goja.IsString(n) {
		name = n.String()
	}
	if goSymbol(name) {
		// A Go function handed to the script (the unsubscribe function
		// onAsync returns, say): goja names it after its Go symbol, which
		// means nothing to a script author.
		name = ""
	}
	kind := "Function"
	if fn.ClassName() == "AsyncFunction" {
		kind = "AsyncFunction"
	}
	if strings.HasPrefix(fn.String(), "class") {
		if name == "" {
			return "[class (anonymous)]"
		}
		return "[class " + name + "]"
	}
	if name == "" {
		return "[" + kind + " (anonymous)]"
	}
	return "[" + kind + ": " + name + "]"
}

// goSymbol reports whether name is a Go function's symbol, as goja names
// the Go functions it wraps (path/pkg.(*T).Method.func1).
func goSymbol(name string) bool {
	return strings.Contains(name, "/") || strings.Contains(name, ".(") || strings.Contains(name, ".func")
}

func isIndex(k string) bool {
	_, err := strconv.ParseUint(k, 10, 32)
	return err == nil && (k == "0" || k[0] != '0')
}

// keyText is a property name as an object literal would write it.
func keyText(k string) string {
	if k == "" {
		return "''"
	}
	for i, r := range k {
		if !(r == '_' || r == '$' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return quoteJS(k)
		}
	}
	return k
}

// quoteJS quotes s in single quotes (double quotes when s has a single
// quote and no double quote, as Node does), escaped, shortened past
// inspectString characters.
func quoteJS(s string) string {
	more := 0
	if r := []rune(s); len(r) > inspectString {
		more = len(r) - inspectString
		s = string(r[:inspectString])
	}
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + strconv.FormatInt(int64(r)|0x100, 16)[1:])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	if more > 0 {
		b.WriteString("... " + strconv.Itoa(more) + " more character")
		if more != 1 {
			b.WriteByte('s')
		}
	}
	return b.String()
}

// inspectHelpers is what Inspect asks of JavaScript itself, with the
// built-ins captured when the engine is made (a script that replaces
// Array.from does not change how results print).
const inspectHelpers = `(function () {
	const from = Array.from;
	const isView = ArrayBuffer.isView;
	const mapSize = Object.getOwnPropertyDescriptor(Map.prototype, "size").get;
	const setSize = Object.getOwnPropertyDescriptor(Set.prototype, "size").get;
	const is = function (size, x) {
		try { size.call(x); return true; } catch (e) { return false; }
	};
	return {
		kind: function (x) {
			if (is(mapSize, x)) return "Map";
			if (is(setSize, x)) return "Set";
			if (isView(x) && !(x instanceof DataView)) return "Typed";
			return "";
		},
		entries: function (c) { return from(c); },
		valueOf: function (w) { return w.valueOf(); },
	};
})()`

// installInspect makes Inspect's helpers.
func (e *Engine) installInspect() error {
	v, err := e.vm.RunString(inspectHelpers)
	if err != nil {
		return fmt.Errorf("js: installing the REPL's printer: %w", err)
	}
	e.inspectors = v.ToObject(e.vm)
	return nil
}

// helper calls one of inspectHelpers; a throw panics, for Inspect's Try.
func (e *Engine) helper(name string, arg goja.Value) goja.Value {
	fn, _ := goja.AssertFunction(e.inspectors.Get(name))
	out, err := fn(goja.Undefined(), arg)
	if err != nil {
		panic(err)
	}
	return out
}

// setLast makes v the global _, as Node's REPL does, unless the script has
// assigned _ itself since the last result.
func (e *Engine) setLast(v goja.Value) {
	if e.ownLast {
		return
	}
	cur := e.vm.Get("_")
	if cur == nil {
		cur = goja.Undefined()
	}
	last := e.last
	if last == nil {
		last = goja.Undefined()
	}
	if !cur.SameAs(last) {
		e.ownLast = true
		return
	}
	if v == nil {
		v = goja.Undefined()
	}
	e.last = v
	_ = e.vm.Set("_", v)
}

var promiseType = reflect.TypeOf((*goja.Promise)(nil))

// promise returns the Promise v is. It looks at the export type first:
// Export of another object would convert all of it, running its getters.
func promise(v goja.Value) (*goja.Promise, bool) {
	obj, ok := v.(*goja.Object)
	if !ok || obj.ExportType() != promiseType {
		return nil, false
	}
	p, ok := obj.Export().(*goja.Promise)
	return p, ok
}

// symbolText is Symbol(description).
func symbolText(s *goja.Symbol) string {
	return "Symbol(" + s.String() + ")"
}
