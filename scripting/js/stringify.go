package js

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"

	"github.com/dop251/goja"
)

// installStringify replaces JSON.stringify with one that indents right.
//
// goja's JSON.stringify(v, replacer, space) leaves its indentation one
// level deeper after every empty array or object (builtin_json.go: ja
// returns early for length 0, and jo truncates an empty object, both
// without restoring ctx.indent), so JSON.stringify({a: [], b: {c: 1}},
// null, 2) puts "c" six spaces deep. No upstream issue was found to name.
// Ours lets goja produce the compact text (replacer, toJSON and errors
// as before) and indents that with encoding/json, which writes empty
// arrays and objects as [] and {} as the specification does.
func (e *Engine) installStringify() error {
	orig := e.stringify
	fn := func(call goja.FunctionCall) goja.Value {
		out, err := orig(e.json, call.Argument(0), call.Argument(1))
		if err != nil {
			panic(err)
		}
		gap := e.gap(call.Argument(2))
		if gap == "" || goja.IsUndefined(out) {
			return out
		}
		var b bytes.Buffer
		if err := json.Indent(&b, []byte(out.String()), "", gap); err != nil {
			return out // cannot happen: goja wrote valid JSON
		}
		return e.vm.ToValue(b.String())
	}
	obj, ok := e.json.(*goja.Object)
	if !ok {
		return errors.New("js: JSON is not an object")
	}
	f := e.vm.ToValue(fn).ToObject(e.vm)
	_ = f.DefineDataProperty("name", e.vm.ToValue("stringify"), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	_ = f.DefineDataProperty("length", e.vm.ToValue(3), goja.FLAG_FALSE, goja.FLAG_FALSE, goja.FLAG_TRUE)
	return obj.DefineDataProperty("stringify", f, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// gap is JSON.stringify's indentation for its space argument: up to ten
// spaces for a number, the first ten characters of a string, else none
// (Number and String objects count as their values).
func (e *Engine) gap(space goja.Value) string {
	if obj, ok := space.(*goja.Object); ok {
		switch obj.ClassName() {
		case "Number":
			space = obj.ToNumber()
		case "String":
			space = obj.ToString()
		}
	}
	switch {
	case goja.IsNumber(space):
		n := math.Min(10, math.Floor(space.ToFloat()))
		if n >= 1 {
			return strings.Repeat(" ", int(n))
		}
	case goja.IsString(space):
		s := []rune(space.String())
		return string(s[:min(10, len(s))])
	}
	return ""
}
