package js

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// globalNames are the globals installGlobals sets, besides args, console
// and require.
var globalNames = []string{
	"call", "callAsync", "broadcast", "broadcastAsync",
	"onAsync", "onConnect", "onDisconnect",
	"waitFor", "connected", "info", "unplug", "spawn",
	"sleep", "serve", "exit",
	"setTimeout", "clearTimeout", "setInterval", "clearInterval",
}

func (e *Engine) installGlobals() error {
	fns := map[string]func(goja.FunctionCall) goja.Value{
		"call":           e.jsCall,
		"callAsync":      e.jsCallAsync,
		"broadcast":      e.jsBroadcast,
		"broadcastAsync": e.jsBroadcastAsync,
		"onAsync":        e.jsOnAsync,
		"onConnect":      e.jsOnConnect,
		"onDisconnect":   e.jsOnDisconnect,
		"waitFor":        e.jsWaitFor,
		"connected":      e.jsConnected,
		"info":           e.jsInfo,
		"unplug":         e.jsUnplug,
		"spawn":          e.jsSpawn,
		"sleep":          e.jsSleep,
		"serve":          e.jsServe,
		"exit":           e.jsExit,
		"setTimeout":     e.timer(false),
		"setInterval":    e.timer(true),
		"clearTimeout":   e.clearTimer,
		"clearInterval":  e.clearTimer,
	}
	for _, name := range globalNames {
		if err := e.vm.Set(name, fns[name]); err != nil {
			return fmt.Errorf("js: installing %s: %w", name, err)
		}
	}
	return e.vm.Set("args", []string{})
}

// str returns argument i, which must be a string.
func (e *Engine) str(c goja.FunctionCall, i int, what string) string {
	v := c.Argument(i)
	if s, ok := v.(goja.String); ok {
		return s.String()
	}
	s, ok := v.Export().(string)
	if !ok {
		e.throw(scripting.BadArgument("%s must be a string, not %s", what, typeName(v)))
	}
	return s
}

// fn returns argument i, which must be a function.
func (e *Engine) fn(c goja.FunctionCall, i int, what string) goja.Callable {
	f, ok := goja.AssertFunction(c.Argument(i))
	if !ok {
		e.throw(scripting.BadArgument("%s must be a function, not %s", what, typeName(c.Argument(i))))
	}
	return f
}

func typeName(v goja.Value) string {
	switch {
	case v == nil || goja.IsUndefined(v):
		return "undefined"
	case goja.IsNull(v):
		return "null"
	case goja.IsNumber(v):
		return "number"
	case goja.IsBigInt(v):
		return "bigint"
	case goja.IsString(v):
		return "string"
	}
	switch v := v.(type) {
	case *goja.Symbol:
		return "symbol"
	case *goja.Object:
		if _, ok := goja.AssertFunction(v); ok {
			return "function"
		}
		if v.ClassName() == "Array" {
			return "array"
		}
		return "object"
	}
	return "boolean"
}

// duration decodes argument i as a duration (ms or "1.5s"); undefined is 0.
func (e *Engine) duration(c goja.FunctionCall, i int) time.Duration {
	d, err := scripting.ParseDuration(e.toJSON(c.Argument(i), "duration"))
	if err != nil {
		e.throw(err)
	}
	return d
}

// callArgs converts the payload and options of a call of plugin's method,
// arguments i and i+1; a failure is thrown as a bad_argument naming the
// call.
func (e *Engine) callArgs(c goja.FunctionCall, i int, plugin, method string) ([]byte, scripting.CallOptions) {
	payload, err := e.ToJSON(c.Argument(i))
	if err != nil {
		e.throw(scripting.ArgumentError(plugin, method, "payload", err))
	}
	raw, err := e.ToJSON(c.Argument(i + 1))
	if err != nil {
		e.throw(scripting.ArgumentError(plugin, method, "options", err))
	}
	opts, err := scripting.ParseCallOptions(raw)
	if err != nil {
		e.throw(scripting.ArgumentError(plugin, method, "", err))
	}
	return payload, opts
}

func (e *Engine) jsCall(c goja.FunctionCall) goja.Value {
	name, method := e.str(c, 0, "plugin"), e.str(c, 1, "method")
	payload, opts := e.callArgs(c, 2, name, method)
	var v goja.Value
	err := e.rt.CallThen(e.scope.Context(), name, method, payload, opts, func(out []byte) (err error) {
		v, err = e.decode(out)
		return err
	})
	if err != nil {
		e.throw(err)
	}
	return v
}

func (e *Engine) jsCallAsync(c goja.FunctionCall) goja.Value {
	name, method := e.str(c, 0, "plugin"), e.str(c, 1, "method")
	payload, opts := e.callArgs(c, 2, name, method)
	return e.promise(name, method, func(done func([]byte, error) error) {
		e.rt.CallAsync(e.asyncCtx, name, method, payload, opts, done)
	})
}

func (e *Engine) jsBroadcast(c goja.FunctionCall) goja.Value {
	method := e.str(c, 0, "method")
	payload, opts := e.callArgs(c, 1, "", method)
	out, err := e.rt.Broadcast(e.scope.Context(), method, payload, opts)
	if err != nil {
		e.throw(err)
	}
	return e.result("", method, out)
}

func (e *Engine) jsBroadcastAsync(c goja.FunctionCall) goja.Value {
	method := e.str(c, 0, "method")
	payload, opts := e.callArgs(c, 1, "", method)
	return e.promise("", method, func(done func([]byte, error) error) {
		e.rt.BroadcastAsync(e.asyncCtx, method, payload, opts, func(out []byte, err error) { done(out, err) })
	})
}

// promise starts Go work with start and returns a Promise settled on the
// loop with its outcome; a rejection's stack is the caller's. An answer
// that does not convert is a bad_response of plugin's method, and done
// returns why (for the observer, see scripting.Runtime.CallAsync).
func (e *Engine) promise(plugin, method string, start func(done func([]byte, error) error)) goja.Value {
	p, resolve, reject := e.vm.NewPromise()
	site := e.vm.CaptureCallStack(0, nil)
	start(func(out []byte, err error) (bad error) {
		if !e.running() {
			return nil
		}
		var jerr error
		if err != nil {
			jerr = reject(e.errorValue(err, site))
		} else if v, perr := e.decode(out); perr != nil {
			bad = perr
			jerr = reject(e.errorValue(scripting.BadResponse(plugin, method, perr), site))
		} else {
			jerr = resolve(v)
		}
		if jerr != nil {
			e.uncaught(jerr)
			return bad
		}
		if e.depth == 0 {
			e.checkRejections()
		}
		return bad
	})
	return e.vm.ToValue(p)
}

// subscribe registers a subscription of this engine and returns the
// unsubscribe function for the script.
func (e *Engine) subscribe(unsub func()) goja.Value {
	key := &unsub
	e.subs[key] = struct{}{}
	return e.vm.ToValue(func(goja.FunctionCall) goja.Value {
		delete(e.subs, key)
		unsub()
		return goja.Undefined()
	})
}

func (e *Engine) jsOnAsync(c goja.FunctionCall) goja.Value {
	fn := e.fn(c, 0, "onAsync handler")
	return e.subscribe(e.rt.OnAsync(func(name string, payload []byte) {
		v, err := e.FromJSON(payload)
		if err != nil {
			v = goja.Undefined()
		}
		e.callback(fn, e.vm.ToValue(name), v)
	}))
}

func (e *Engine) jsOnConnect(c goja.FunctionCall) goja.Value {
	fn := e.fn(c, 0, "onConnect handler")
	return e.subscribe(e.rt.OnConnect(func(info []byte) {
		v, _ := e.FromJSON(info)
		e.callback(fn, v)
	}))
}

func (e *Engine) jsOnDisconnect(c goja.FunctionCall) goja.Value {
	fn := e.fn(c, 0, "onDisconnect handler")
	return e.subscribe(e.rt.OnDisconnect(func(info []byte, graceful bool) {
		v, _ := e.FromJSON(info)
		e.callback(fn, v, e.vm.ToValue(graceful))
	}))
}

func (e *Engine) jsWaitFor(c goja.FunctionCall) goja.Value {
	name, timeout := e.str(c, 0, "plugin"), e.duration(c, 1)
	var ok bool
	err := e.blocking(func() (err error) {
		ok, err = e.rt.WaitFor(e.scope.Context(), name, timeout)
		return err
	})
	if err != nil {
		e.throw(scripting.NewError(name, "", err))
	}
	return e.vm.ToValue(ok)
}

func (e *Engine) jsConnected(c goja.FunctionCall) goja.Value {
	return e.fromJSON(e.rt.Connected(c.Argument(0).ToBoolean()))
}

func (e *Engine) jsInfo(c goja.FunctionCall) goja.Value {
	b := e.rt.Info(e.str(c, 0, "plugin"))
	if b == nil {
		return goja.Null()
	}
	return e.fromJSON(b)
}

func (e *Engine) jsUnplug(c goja.FunctionCall) goja.Value {
	e.rt.Unplug(e.str(c, 0, "plugin"))
	return goja.Undefined()
}

func (e *Engine) jsSpawn(c goja.FunctionCall) goja.Value {
	cmd := e.str(c, 0, "command")
	var args []string
	if raw := e.toJSON(c.Argument(1), "arguments"); raw != nil {
		if err := json.Unmarshal(raw, &args); err != nil {
			e.throw(scripting.BadArgument("spawn arguments must be an array of strings"))
		}
	}
	opts, err := scripting.ParseSpawnOptions(e.toJSON(c.Argument(2), "spawn options"))
	if err != nil {
		e.throw(err)
	}
	p, err := e.rt.SpawnContext(e.scope.Context(), cmd, args, opts)
	if err != nil {
		e.throw(scripting.NewError(cmd, "", err))
	}
	h := e.vm.NewObject()
	_ = h.Set("pid", p.Pid)
	_ = h.Set("name", p.Name)
	_ = h.Set("wait", func(goja.FunctionCall) goja.Value {
		var code int
		err := e.blocking(func() (err error) {
			code, err = e.rt.Wait(e.scope.Context(), p)
			return err
		})
		if err != nil {
			e.throw(scripting.NewError(p.Name, "", err))
		}
		return e.vm.ToValue(code)
	})
	_ = h.Set("kill", func(goja.FunctionCall) goja.Value {
		if err := p.Kill(); err != nil {
			e.throw(scripting.NewError(p.Name, "", err))
		}
		return goja.Undefined()
	})
	return h
}

func (e *Engine) jsSleep(c goja.FunctionCall) goja.Value {
	d := e.duration(c, 0)
	if err := e.blocking(func() error { return e.rt.Sleep(e.scope.Context(), d) }); err != nil {
		e.throw(scripting.NewError("", "sleep", err))
	}
	return goja.Undefined()
}

// jsServe keeps the script alive until exit(), a signal or host shutdown.
// It returns at once (as a Node server's listen does), so that promise
// continuations keep running; the loop goes on after the top level.
func (e *Engine) jsServe(goja.FunctionCall) goja.Value {
	e.holds++
	e.loop.Hold()
	return goja.Undefined()
}

func (e *Engine) jsExit(c goja.FunctionCall) goja.Value {
	code := 0
	if v := c.Argument(0); !goja.IsUndefined(v) && !goja.IsNull(v) {
		f := v.ToFloat()
		if math.IsNaN(f) || f != math.Trunc(f) {
			e.throw(scripting.BadArgument("exit code must be an integer"))
		}
		code = int(f)
	}
	e.fail(&scripting.ExitError{Code: code})
	return goja.Undefined()
}
