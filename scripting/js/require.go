package js

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

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
			var syn *goja.CompilerSyntaxError
			if errors.As(err, &syn) {
				panic(e.requireSyntaxError(syn))
			}
			var de *DepthError
			if errors.As(err, &de) {
				panic(e.syntaxErrorValue(fmt.Sprintf("%s:%d: %s (column %d)", de.File, de.Line, de.message(), de.Column)))
			}
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

var requireSyntaxRE = regexp.MustCompile(`^(?:SyntaxError: )?(.+?): Line (\d+):\d+ (.*?)(?: \(and \d+ more errors?\))?$`)

// requireSyntaxError is a SyntaxError for a module that does not compile,
// "SyntaxError: lib.js:3: Unexpected token ;", instead of goja_nodejs's
// GoError (whose column counts the wrapper it puts around the module).
func (e *Engine) requireSyntaxError(syn *goja.CompilerSyntaxError) goja.Value {
	msg := syn.Error()
	if m := requireSyntaxRE.FindStringSubmatch(msg); m != nil {
		msg = m[1] + ":" + m[2] + ": " + m[3]
	}
	return e.syntaxErrorValue(msg)
}

// syntaxErrorValue is a SyntaxError with the message msg.
func (e *Engine) syntaxErrorValue(msg string) goja.Value {
	obj, err := e.vm.New(e.vm.Get("SyntaxError"), e.vm.ToValue(msg))
	if err != nil {
		return e.vm.ToValue(msg)
	}
	return obj
}

// loadSource is require's loader: goja_nodejs's, but a module nested
// deeper than MaxSourceDepth is refused with a *DepthError before goja
// parses it (see depth.go). JSON files are left to their parsers, which
// have bounds of their own: JSON.parse for a .json module, encoding/json
// for package.json and source maps.
func loadSource(path string) ([]byte, error) {
	src, err := require.DefaultSourceLoader(path)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json", ".map":
		return src, nil
	}
	if de := checkDepth(string(src)); de != nil {
		de.File = path
		return nil, de
	}
	return src, nil
}
