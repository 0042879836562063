package js

import (
	"fmt"
	"reflect"

	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/scripting"
)

// ToJSON converts v the way JSON.stringify does (toJSON methods, undefined
// and functions left out of objects, cycles and BigInts an error). It
// returns nil for undefined. A value JSON.stringify turns into undefined (a
// function, a symbol, an object whose toJSON returns undefined) is an
// error, as a function is for Lua's ToJSON: sent as no payload, it would
// reach the plugin as null. Errors wrap scripting.ErrBadArgument. It must
// be called on the script's goroutine.
func (e *Engine) ToJSON(v goja.Value) ([]byte, error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, nil
	}
	out, err := e.stringify(e.json, v)
	if err != nil {
		return nil, scripting.BadArgument("not convertible to JSON: %v", exceptionText(err))
	}
	if goja.IsUndefined(out) {
		return nil, scripting.BadArgument("cannot convert %s to JSON", jsonless(v))
	}
	return []byte(out.String()), nil
}

// jsonless names a value JSON.stringify turns into undefined.
func jsonless(v goja.Value) string {
	switch {
	case v.ExportType() != nil && v.ExportType().Kind() == reflect.Func:
		return "a function"
	default:
		if _, ok := v.(*goja.Symbol); ok {
			return "a symbol"
		}
	}
	return "a value whose toJSON returns undefined"
}

// FromJSON converts JSON to plain JavaScript values as JSON.parse does
// (built directly by jsontok.Build, through JSON.parse when Build cannot,
// so errors read the same); nil gives undefined. Input nested deeper than
// jsontok.MaxDepth is an error, and never reaches JSON.parse, whose
// recursion has no bound. Errors wrap scripting.ErrBadArgument. It must be
// called on the script's goroutine.
func (e *Engine) FromJSON(b []byte) (goja.Value, error) {
	v, err := e.decode(b)
	if err != nil {
		return nil, scripting.BadArgument("%v", err)
	}
	return v, nil
}

// decode is FromJSON with a plain error, for the callers that say whose
// JSON it was.
func (e *Engine) decode(b []byte) (goja.Value, error) {
	if b == nil {
		return goja.Undefined(), nil
	}
	if v, ok := jsontok.Build[any](b, jsValues{e}, &e.stack); ok {
		return v.(goja.Value), nil
	}
	if jsontok.Deeper(b, jsontok.MaxDepth) {
		return nil, fmt.Errorf("invalid JSON: nested deeper than %d levels", jsontok.MaxDepth)
	}
	v, err := e.parse(e.json, e.vm.ToValue(string(b)))
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", exceptionText(err))
	}
	return v, nil
}

// fromJSON is FromJSON inside a binding: a failure is thrown.
func (e *Engine) fromJSON(b []byte) goja.Value {
	v, err := e.FromJSON(b)
	if err != nil {
		e.throw(err)
	}
	return v
}

// result converts the answer plugin gave to method inside a binding: a
// failure is thrown as a bad_response naming the call.
func (e *Engine) result(plugin, method string, b []byte) goja.Value {
	v, err := e.decode(b)
	if err != nil {
		e.throw(scripting.BadResponse(plugin, method, err))
	}
	return v
}

// toJSON is ToJSON inside a binding: a failure is thrown.
func (e *Engine) toJSON(v goja.Value, what string) []byte {
	b, err := e.ToJSON(v)
	if err != nil {
		e.throw(&scripting.Error{Code: scripting.CodeBadArgument, Err: fmt.Errorf("%s: %w", what, err)})
	}
	return b
}

// exceptionText is the message of a JavaScript exception.
func exceptionText(err error) string {
	if ex, ok := err.(*goja.Exception); ok && ex.Value() != nil {
		return ex.Value().String()
	}
	return err.Error()
}

// format renders a REPL result as Node's REPL does (see Inspect), "" for
// undefined.
func (e *Engine) format(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return ""
	}
	return e.Inspect(v)
}
