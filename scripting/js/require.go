package js

import (
	"errors"
	"fmt"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/require"
)

// installRequire wraps goja_nodejs's require so that a module it cannot
// find is named, as Node does ("Cannot find module './lib'"), instead of
// "GoError: Invalid module". Modules see the wrapper too: goja_nodejs
// hands each module the global require.
func (e *Engine) installRequire() error {
	orig, ok := goja.AssertFunction(e.vm.Get("require"))
	if !ok {
		return errors.New("js: require missing")
	}
	return e.vm.Set("require", func(call goja.FunctionCall) goja.Value {
		v, err := orig(goja.Undefined(), call.Arguments...)
		if err != nil {
			if errors.Is(err, require.InvalidModuleError) {
				msg := fmt.Sprintf("Cannot find module '%s'", call.Argument(0).String())
				obj, jerr := e.vm.New(e.errorCtor, e.vm.ToValue(msg))
				if jerr != nil {
					panic(jerr)
				}
				_ = obj.Set("code", "MODULE_NOT_FOUND")
				panic(obj)
			}
			panic(err)
		}
		return v
	})
}
