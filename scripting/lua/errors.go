package lua

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// installErrors makes the metatable of the error values bindings raise:
// tables {message, code, plugin, method, where} that print (tostring, ..)
// as "file:line: plugin.method: cause".
func (e *Engine) installErrors() {
	L := e.state
	mt := L.NewTable()
	text := func(v lua.LValue) string {
		if t, ok := v.(*lua.LTable); ok && t.Metatable == mt {
			return lua.LVAsString(t.RawGetString("where")) + lua.LVAsString(t.RawGetString("message"))
		}
		return L.ToStringMeta(v).String()
	}
	mt.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(text(L.Get(1))))
		return 1
	}))
	mt.RawSetString("__concat", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString(text(L.Get(1)) + text(L.Get(2))))
		return 1
	}))
	e.errorMT = mt
}

// raise raises err, on the thread L (a coroutine's, maybe), as a Lua error value: a table with message, code,
// plugin, method and where (the script's "file:line: "), which pcall
// catches.
func (e *Engine) raise(L *lua.LState, err error) {
	se := scripting.NewError("", "", err)
	t := L.NewTable()
	t.RawSetString("message", lua.LString(se.Error()))
	t.RawSetString("code", lua.LString(se.Code))
	t.RawSetString("plugin", lua.LString(se.Plugin))
	t.RawSetString("method", lua.LString(se.Method))
	t.RawSetString("where", lua.LString(strings.TrimPrefix(e.position(L, 1), "@")))
	L.SetMetatable(t, e.errorMT)
	e.lastErr, e.lastGo = t, se
	L.Error(t, 0)
}

var locationRE = regexp.MustCompile(`^(.+?):(\d+): (?s)(.*)$`)
var syntaxRE = regexp.MustCompile(`^(.+?) line:(\d+)\(column:\d+\) (?s)(.*)$`)

// scriptError describes an error that escaped the script. Without stack
// (REPL) the traceback is left out.
func (e *Engine) scriptError(err error, stack bool) *scripting.ScriptError {
	se := &scripting.ScriptError{Message: err.Error(), Err: err}
	var api *lua.ApiError
	if !errors.As(err, &api) {
		return se
	}
	msg := e.state.ToStringMeta(api.Object).String()
	if t, ok := api.Object.(*lua.LTable); ok && t == e.lastErr {
		se.Err = e.lastGo
	}
	if api.Type == lua.ApiErrorSyntax {
		if m := syntaxRE.FindStringSubmatch(firstLine(msg)); m != nil {
			se.File, msg = m[1], "syntax error: "+strings.TrimSpace(m[3])
			se.Line, _ = strconv.Atoi(m[2])
		}
		se.Message = msg
		return se
	}
	if m := locationRE.FindStringSubmatch(msg); m != nil {
		se.File, msg = m[1], m[3]
		se.Line, _ = strconv.Atoi(m[2])
	}
	se.Message = msg
	if stack {
		se.Stack = api.StackTrace
	}
	return se
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
