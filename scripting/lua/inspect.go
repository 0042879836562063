package lua

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	lua "github.com/yuin/gopher-lua"
)

// Bounds of Inspect's output: what goes past them is left out and counted.
const (
	inspectDepth     = 3     // nested tables shown; deeper ones read {...}
	inspectItems     = 100   // entries of a table
	inspectString    = 10000 // bytes of a string
	inspectLineWidth = 72    // a table fits on one line up to this width
)

// Inspect renders v readably for the REPL: nil as nil, strings quoted,
// tables as { 1, 2, key = value } (sorted keys after the sequence; a
// table with __tostring, such as a call error, as tostring shows it),
// functions as <function>, cycles as <cycle>, long tables and strings
// shortened. It must be called on the script's goroutine; it does not
// block.
func (e *Engine) Inspect(v lua.LValue) string {
	in := luaInspector{e: e, seen: map[*lua.LTable]bool{}}
	return in.value(v, 0)
}

type luaInspector struct {
	e    *Engine
	seen map[*lua.LTable]bool
}

func (in *luaInspector) value(v lua.LValue, depth int) string {
	switch v := v.(type) {
	case *lua.LNilType:
		return "nil"
	case lua.LString:
		return quoteLua(string(v))
	case *lua.LTable:
		return in.table(v, depth)
	case *lua.LFunction:
		return "<function>"
	case *lua.LUserData:
		if in.e.state.GetMetaField(v, "__tostring") != lua.LNil {
			return in.e.state.ToStringMeta(v).String()
		}
		return "<userdata>"
	case *lua.LState:
		return "<thread>"
	}
	return v.String() // numbers, booleans
}

func (in *luaInspector) table(t *lua.LTable, depth int) string {
	if in.e.state.GetMetaField(t, "__tostring") != lua.LNil {
		var s string
		if err := in.e.state.CallByParam(lua.P{Fn: in.e.state.GetGlobal("tostring"), NRet: 1, Protect: true}, t); err == nil {
			s = in.e.state.Get(-1).String()
			in.e.state.Pop(1)
			return s
		}
	}
	if in.seen[t] {
		return "<cycle>"
	}
	if depth >= inspectDepth {
		return "{...}"
	}
	in.seen[t] = true
	defer delete(in.seen, t)
	var items []string
	n := 0
	for ; ; n++ {
		v := t.RawGetInt(n + 1)
		if v == lua.LNil {
			break
		}
		if n < inspectItems {
			items = append(items, in.value(v, depth+1))
		}
	}
	type entry struct{ k, v lua.LValue }
	var rest []entry
	t.ForEach(func(k, v lua.LValue) {
		if f, ok := k.(lua.LNumber); ok && float64(f) == float64(int(f)) && int(f) >= 1 && int(f) <= n {
			return
		}
		rest = append(rest, entry{k, v})
	})
	sort.Slice(rest, func(i, j int) bool { return keyLess(rest[i].k, rest[j].k) })
	total := n + len(rest)
	for _, kv := range rest {
		if len(items) == inspectItems {
			break
		}
		items = append(items, luaKey(in, kv.k, depth)+" = "+in.value(kv.v, depth+1))
	}
	if total > len(items) {
		items = append(items, fmt.Sprintf("... %d more", total-len(items)))
	}
	if len(items) == 0 {
		return "{}"
	}
	width := 4
	multi := false
	for _, it := range items {
		width += len(it) + 2
		multi = multi || strings.Contains(it, "\n")
	}
	if !multi && width+depth*2 <= inspectLineWidth {
		return "{ " + strings.Join(items, ", ") + " }"
	}
	var b strings.Builder
	b.WriteString("{\n")
	for i, it := range items {
		b.WriteString("  " + strings.ReplaceAll(it, "\n", "\n  "))
		if i < len(items)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}")
	return b.String()
}

// keyLess orders keys: numbers by value, then strings, then the rest by
// their text.
func keyLess(a, b lua.LValue) bool {
	rank := func(v lua.LValue) int {
		switch v.(type) {
		case lua.LNumber:
			return 0
		case lua.LString:
			return 1
		}
		return 2
	}
	ra, rb := rank(a), rank(b)
	if ra != rb {
		return ra < rb
	}
	if ra == 0 {
		return a.(lua.LNumber) < b.(lua.LNumber)
	}
	return a.String() < b.String()
}

// luaKey is a key as a table constructor writes it: name or [expr].
func luaKey(in *luaInspector, k lua.LValue, depth int) string {
	if s, ok := k.(lua.LString); ok && isLuaName(string(s)) {
		return string(s)
	}
	return "[" + in.value(k, depth+1) + "]"
}

var luaKeywords = map[string]bool{
	"and": true, "break": true, "do": true, "else": true, "elseif": true, "end": true,
	"false": true, "for": true, "function": true, "if": true, "in": true, "local": true,
	"nil": true, "not": true, "or": true, "repeat": true, "return": true, "then": true,
	"true": true, "until": true, "while": true,
}

func isLuaName(s string) bool {
	if s == "" || luaKeywords[s] {
		return false
	}
	for i, r := range s {
		if r > unicode.MaxASCII || !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

// quoteLua quotes s as a Lua string literal, shortened past inspectString
// bytes.
func quoteLua(s string) string {
	more := 0
	if len(s) > inspectString {
		more = len(s) - inspectString
		s = s[:inspectString]
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\` + strconv.Itoa(int(c)))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	if more > 0 {
		fmt.Fprintf(&b, "... %d more bytes", more)
	}
	return b.String()
}
