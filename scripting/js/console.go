package js

import (
	"fmt"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/util"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// printer is goja_nodejs console's output: log and info to Stdout, warn
// and error to Stderr, a line each, no timestamps.
type printer struct{ cfg scripting.Config }

func (p printer) Log(s string)   { fmt.Fprintln(p.cfg.Stdout, s) }
func (p printer) Warn(s string)  { fmt.Fprintln(p.cfg.Stderr, s) }
func (p printer) Error(s string) { fmt.Fprintln(p.cfg.Stderr, s) }

// utilModule is goja_nodejs's util module with a format that shows objects
// as JSON (and errors with their stack) instead of "[object Object]"; the
// console module formats its arguments with it.
func (e *Engine) utilModule(vm *goja.Runtime, module *goja.Object) {
	util.Require(vm, module)
	exports := module.Get("exports").(*goja.Object)
	orig, ok := goja.AssertFunction(exports.Get("format"))
	if !ok {
		return
	}
	_ = exports.Set("format", func(call goja.FunctionCall) goja.Value {
		args := make([]goja.Value, len(call.Arguments))
		for i, a := range call.Arguments {
			args[i] = e.inspect(a)
		}
		if len(args) > 0 {
			if _, isString := call.Arguments[0].Export().(string); !isString {
				// Without a format string every argument is shown as is.
				args = append([]goja.Value{vm.ToValue("%s")}, args...)
			}
		}
		out, err := orig(goja.Undefined(), args...)
		if err != nil {
			panic(err)
		}
		return out
	})
}

// inspect turns an object into the text console shows for it; other values
// are returned unchanged.
func (e *Engine) inspect(v goja.Value) goja.Value {
	obj, ok := v.(*goja.Object)
	if !ok {
		return v
	}
	if _, isFn := goja.AssertFunction(obj); isFn {
		return e.vm.ToValue("[Function: " + obj.Get("name").String() + "]")
	}
	if obj.ClassName() == "Error" {
		if st := obj.Get("stack"); st != nil && !goja.IsUndefined(st) {
			return e.vm.ToValue(cleanStack(st.String()))
		}
		return e.vm.ToValue(obj.String())
	}
	out, err := e.stringify(e.json, obj)
	if err != nil || goja.IsUndefined(out) {
		return e.vm.ToValue(obj.String())
	}
	return out
}
