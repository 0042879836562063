package lua

import (
	"errors"
	"fmt"
	"os"
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
	// err:find(...), err:match(...), err:lower() and the other string
	// methods work on the error's text, as they do on a string error.
	strlib := L.GetGlobal("string")
	mt.RawSetString("__index", L.NewFunction(func(L *lua.LState) int {
		lib, ok := strlib.(*lua.LTable)
		if !ok {
			return 0
		}
		fn, ok := lib.RawGetString(L.CheckString(2)).(*lua.LFunction)
		if !ok {
			return 0
		}
		L.Push(L.NewFunction(func(L *lua.LState) int {
			args := make([]lua.LValue, L.GetTop())
			for i := range args {
				args[i] = L.Get(i + 1)
			}
			if len(args) > 0 {
				if t, ok := args[0].(*lua.LTable); ok && t.Metatable == mt {
					args[0] = lua.LString(text(t))
				}
			}
			L.Push(fn)
			for _, a := range args {
				L.Push(a)
			}
			L.Call(len(args), lua.MultRet)
			return L.GetTop() - len(args)
		}))
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
	if t, ok := api.Object.(*lua.LTable); ok && e.state.GetMetaField(t, "__tostring") == lua.LNil {
		// error({code = 5}): the table as the REPL shows it, where error
		// was called (Lua adds no position to a table).
		msg = e.Inspect(t)
		se.File, se.Line = stackLocation(api.StackTrace)
	}
	if m := locationRE.FindStringSubmatch(msg); m != nil {
		se.File, msg = m[1], m[3]
		se.Line, _ = strconv.Atoi(m[2])
	}
	if msg == "attempt to call a non-function object" {
		msg = e.calledName(se.File, se.Line, msg)
	}
	// require's "module x not found:" lists the paths tried on lines
	// that start with a tab, which the host would print as \t.
	se.Message = strings.ReplaceAll(msg, "\n\t", "\n    ")
	if stack {
		// Spaces, not gopher-lua's tabs, which the host would escape.
		se.Stack = strings.ReplaceAll(api.StackTrace, "\t", "    ")
	}
	return se
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

var frameRE = regexp.MustCompile(`(?m)^\s*([^\[\s][^:\n]*):(\d+): in `)

// stackLocation is the first file:line of the script's in a traceback.
func stackLocation(trace string) (string, int) {
	if m := frameRE.FindStringSubmatch(trace); m != nil {
		line, _ := strconv.Atoi(m[2])
		return m[1], line
	}
	return "", 0
}

var (
	calleeRE = regexp.MustCompile(`\b([A-Za-z_]\w*)\s*(?:\(|"|'|\{|\[\[)`)
	stringRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)
)

// calledName makes gopher-lua's "attempt to call a non-function object"
// say which global it was, as Lua 5.1 does ("attempt to call global
// 'calll' (a nil value)"): the first name on the line that is called and
// whose global is not a function. gopher-lua's message names nothing
// (vm.go, OP_CALL), so the line is read back: the REPL entry, or the file.
// Without a match msg is returned unchanged.
func (e *Engine) calledName(file string, line int, msg string) string {
	if line <= 0 {
		return msg
	}
	var src string
	if file == "<repl>" {
		src = e.replSrc
	} else if b, err := os.ReadFile(file); err == nil {
		src = string(b)
	}
	lines := strings.Split(src, "\n")
	if line > len(lines) {
		return msg
	}
	code := stringRE.ReplaceAllStringFunc(lines[line-1], func(q string) string { return q[:1] + q[:1] })
	for _, m := range calleeRE.FindAllStringSubmatchIndex(code, -1) {
		name := code[m[2]:m[3]]
		if m[2] > 0 && (code[m[2]-1] == '.' || code[m[2]-1] == ':') {
			continue // a field or method, not a global
		}
		if luaKeywords[name] {
			continue
		}
		v := e.state.GetGlobal(name)
		if _, isFn := v.(*lua.LFunction); isFn {
			continue
		}
		if t := e.state.GetMetaField(v, "__call"); t != lua.LNil {
			continue
		}
		return fmt.Sprintf("attempt to call global '%s' (a %s value)", name, v.Type())
	}
	return msg
}
