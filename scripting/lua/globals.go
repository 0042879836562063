package lua

import (
	"fmt"
	"math"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// globalNames are the script API's globals.
var globalNames = []string{
	"call", "broadcast", "onAsync", "onConnect", "onDisconnect",
	"waitFor", "connected", "info", "unplug", "spawn",
	"sleep", "serve", "exit",
}

func (e *Engine) installGlobals() {
	L := e.state
	fns := map[string]lua.LGFunction{
		"call":         e.luaCall,
		"broadcast":    e.luaBroadcast,
		"onAsync":      e.luaOnAsync,
		"onConnect":    e.luaOnConnect,
		"onDisconnect": e.luaOnDisconnect,
		"waitFor":      e.luaWaitFor,
		"connected":    e.luaConnected,
		"info":         e.luaInfo,
		"unplug":       e.luaUnplug,
		"spawn":        e.luaSpawn,
		"sleep":        e.luaSleep,
		"serve":        e.luaServe,
		"exit":         e.luaExit,
	}
	for _, name := range globalNames {
		L.SetGlobal(name, L.NewFunction(fns[name]))
	}
	L.SetGlobal("print", L.NewFunction(e.luaPrint))
	if osLib, ok := L.GetGlobal("os").(*lua.LTable); ok {
		osLib.RawSetString("exit", L.NewFunction(e.luaExit))
	}
	L.SetGlobal("arg", L.NewTable())
}

// str returns argument n, which must be a string.
func (e *Engine) str(L *lua.LState, n int, what string) string {
	s, ok := L.Get(n).(lua.LString)
	if !ok {
		e.raise(L, scripting.BadArgument("%s must be a string, not %s", what, L.Get(n).Type()))
	}
	return string(s)
}

// fn returns argument n, which must be a function.
func (e *Engine) fn(L *lua.LState, n int, what string) *lua.LFunction {
	f, ok := L.Get(n).(*lua.LFunction)
	if !ok {
		e.raise(L, scripting.BadArgument("%s must be a function, not %s", what, L.Get(n).Type()))
	}
	return f
}

// json converts argument n to JSON; nil gives no payload.
func (e *Engine) json(L *lua.LState, n int, what string) []byte {
	v := L.Get(n)
	if v == lua.LNil {
		return nil
	}
	b, err := e.ToJSON(v)
	if err != nil {
		e.raise(L, &scripting.Error{Code: scripting.CodeBadArgument, Err: fmt.Errorf("%s: %w", what, err)})
	}
	return b
}

// push converts JSON to Lua and pushes it; a failure is raised.
func (e *Engine) push(L *lua.LState, b []byte) int {
	v, err := e.FromJSON(b)
	if err != nil {
		e.raise(L, err)
	}
	L.Push(v)
	return 1
}

// pushResult converts the answer plugin gave to method and pushes it; a
// failure is raised as a bad_response naming the call.
func (e *Engine) pushResult(L *lua.LState, plugin, method string, b []byte) int {
	v, err := e.decode(b)
	if err != nil {
		e.raise(L, scripting.BadResponse(plugin, method, err))
	}
	L.Push(v)
	return 1
}

func (e *Engine) duration(L *lua.LState, n int) time.Duration {
	d, err := scripting.ParseDuration(e.json(L, n, "duration"))
	if err != nil {
		e.raise(L, err)
	}
	return d
}

// callArgs converts the payload and options of a call of plugin's method,
// arguments n and n+1; a failure is raised as a bad_argument naming the
// call.
func (e *Engine) callArgs(L *lua.LState, n int, plugin, method string) ([]byte, scripting.CallOptions) {
	var payload, raw []byte
	var err error
	if v := L.Get(n); v != lua.LNil {
		if payload, err = e.ToJSON(v); err != nil {
			e.raise(L, scripting.ArgumentError(plugin, method, "payload", err))
		}
	}
	if v := L.Get(n + 1); v != lua.LNil {
		if raw, err = e.ToJSON(v); err != nil {
			e.raise(L, scripting.ArgumentError(plugin, method, "options", err))
		}
	}
	opts, err := scripting.ParseCallOptions(raw)
	if err != nil {
		e.raise(L, scripting.ArgumentError(plugin, method, "", err))
	}
	return payload, opts
}

func (e *Engine) luaCall(L *lua.LState) int {
	name, method := e.str(L, 1, "plugin"), e.str(L, 2, "method")
	payload, opts := e.callArgs(L, 3, name, method)
	var v lua.LValue
	err := e.rt.CallThen(e.scope.Context(), name, method, payload, opts, func(out []byte) (err error) {
		v, err = e.decode(out)
		return err
	})
	if err != nil {
		e.raise(L, err)
	}
	L.Push(v)
	return 1
}

func (e *Engine) luaBroadcast(L *lua.LState) int {
	method := e.str(L, 1, "method")
	payload, opts := e.callArgs(L, 2, "", method)
	out, err := e.rt.Broadcast(e.scope.Context(), method, payload, opts)
	if err != nil {
		e.raise(L, err)
	}
	return e.pushResult(L, "", method, out)
}

// subscribe registers a subscription of this engine and pushes the
// unsubscribe function.
func (e *Engine) subscribe(L *lua.LState, unsub func()) int {
	key := &unsub
	e.subs[key] = struct{}{}
	L.Push(L.NewFunction(func(*lua.LState) int {
		delete(e.subs, key)
		unsub()
		return 0
	}))
	return 1
}

func (e *Engine) value(b []byte) lua.LValue {
	v, err := e.FromJSON(b)
	if err != nil {
		return lua.LNil
	}
	return v
}

func (e *Engine) luaOnAsync(L *lua.LState) int {
	fn := e.fn(L, 1, "onAsync handler")
	return e.subscribe(L, e.rt.OnAsync(func(name string, payload []byte) {
		e.callback(fn, lua.LString(name), e.value(payload))
	}))
}

func (e *Engine) luaOnConnect(L *lua.LState) int {
	fn := e.fn(L, 1, "onConnect handler")
	return e.subscribe(L, e.rt.OnConnect(func(info []byte) {
		e.callback(fn, e.value(info))
	}))
}

func (e *Engine) luaOnDisconnect(L *lua.LState) int {
	fn := e.fn(L, 1, "onDisconnect handler")
	return e.subscribe(L, e.rt.OnDisconnect(func(info []byte, graceful bool) {
		e.callback(fn, e.value(info), lua.LBool(graceful))
	}))
}

func (e *Engine) luaWaitFor(L *lua.LState) int {
	name, timeout := e.str(L, 1, "plugin"), e.duration(L, 2)
	ok, err := e.rt.WaitFor(e.scope.Context(), name, timeout)
	if err != nil {
		e.raise(L, scripting.NewError(name, "", err))
	}
	L.Push(lua.LBool(ok))
	return 1
}

func (e *Engine) luaConnected(L *lua.LState) int {
	return e.push(L, e.rt.Connected(lua.LVAsBool(L.Get(1))))
}

func (e *Engine) luaInfo(L *lua.LState) int {
	return e.push(L, e.rt.Info(e.str(L, 1, "plugin")))
}

func (e *Engine) luaUnplug(L *lua.LState) int {
	e.rt.Unplug(e.str(L, 1, "plugin"))
	return 0
}

func (e *Engine) luaSpawn(L *lua.LState) int {
	cmd := e.str(L, 1, "command")
	var args []string
	if t, ok := L.Get(2).(*lua.LTable); ok {
		for i := 1; i <= t.Len(); i++ {
			s, ok := t.RawGetInt(i).(lua.LString)
			if !ok {
				e.raise(L, scripting.BadArgument("spawn arguments must be strings"))
			}
			args = append(args, string(s))
		}
	} else if L.Get(2) != lua.LNil {
		e.raise(L, scripting.BadArgument("spawn arguments must be a table of strings"))
	}
	opts, err := scripting.ParseSpawnOptions(e.json(L, 3, "spawn options"))
	if err != nil {
		e.raise(L, err)
	}
	p, err := e.rt.SpawnContext(e.scope.Context(), cmd, args, opts)
	if err != nil {
		e.raise(L, scripting.NewError(cmd, "", err))
	}
	h := L.NewTable()
	h.RawSetString("pid", lua.LNumber(p.Pid))
	h.RawSetString("name", lua.LString(p.Name))
	// wait and kill work as h.wait() and h:wait().
	h.RawSetString("wait", L.NewFunction(func(L *lua.LState) int {
		code, err := e.rt.Wait(e.scope.Context(), p)
		if err != nil {
			e.raise(L, scripting.NewError(p.Name, "", err))
		}
		L.Push(lua.LNumber(code))
		return 1
	}))
	h.RawSetString("kill", L.NewFunction(func(L *lua.LState) int {
		if err := p.Kill(); err != nil {
			e.raise(L, scripting.NewError(p.Name, "", err))
		}
		return 0
	}))
	L.Push(h)
	return 1
}

func (e *Engine) luaSleep(L *lua.LState) int {
	if err := e.rt.Sleep(e.scope.Context(), e.duration(L, 1)); err != nil {
		e.raise(L, scripting.NewError("", "sleep", err))
	}
	return 0
}

// luaServe handles events until exit(), a signal or host shutdown; it
// blocks (Lua has no promises whose continuations could be starved).
func (e *Engine) luaServe(L *lua.LState) int {
	if err := e.rt.Serve(e.scope.Context()); err != nil {
		e.raise(L, scripting.NewError("", "serve", err))
	}
	return 0
}

func (e *Engine) luaExit(L *lua.LState) int {
	code := 0
	switch v := L.Get(1).(type) {
	case lua.LNumber:
		if float64(v) != math.Trunc(float64(v)) {
			e.raise(L, scripting.BadArgument("exit code must be an integer"))
		}
		code = int(v)
	case lua.LBool: // os.exit(true/false), as Lua 5.2 has it
		if !v {
			code = 1
		}
	}
	e.scope.Exit(code)
	L.RaiseError("exit")
	return 0
}

// luaPrint is print writing to the runtime's Stdout.
func (e *Engine) luaPrint(L *lua.LState) int {
	parts := make([]string, L.GetTop())
	for i := range parts {
		parts[i] = L.ToStringMeta(L.Get(i + 1)).String()
	}
	fmt.Fprintln(e.rt.Config().Stdout, strings.Join(parts, "\t"))
	return 0
}
