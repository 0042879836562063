package lua

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Our pcall and xpcall work around gopher-lua v1.1.2's bug
// yuin/gopher-lua#448: after pcall catches an error, a closure's writes to a
// local of a function still running are lost.
//
// The cause: when an error is raised (LState.Error, RaiseError and every
// error the VM raises), gopher-lua closes the open upvalues of every frame
// on the Lua state's call stack, from the innermost function down to the
// main chunk, not only those of the frames the error unwinds (Lua 5.1
// closes upvalues down to the protected call's base and no further). A
// closure over a local of a function that survives the pcall (the main
// chunk's counter, say) then holds a private copy of it: its writes go to
// the copy and the function's own local keeps the old value, and back.
// With an error handler (xpcall) it closes none at all, not even those of
// the frames unwound, whose registers are then reused.
//
// The workaround: the function a pcall protects runs on a Lua state of its
// own (a thread of the same globals, as a coroutine has), so the frames the
// error closes are exactly the frames it unwinds. Upvalues of the caller's
// locals are the caller's state's and stay open. The thread's call always
// has an error handler of ours, which gopher-lua calls where the error was
// raised, before it clears the unwound registers, and with its "has a
// handler" flag already cleared: the handler raises the error value again
// (after xpcall's handler has made it), and this raise closes the thread's
// upvalues while their values are still there. (A closure made in the
// failed function keeps what its locals held; without this a closure
// surviving an xpcall would see registers reused by the thread's next
// call.) Threads are kept for reuse.

// maxSpareThreads is how many idle threads an engine keeps for pcall.
const maxSpareThreads = 8

// thread is a Lua state a protected call runs on, the state that made the
// call (the caller's frames are not on the thread's stack) and the error
// handler of ours the call has (not shown in tracebacks).
type thread struct {
	L       *lua.LState
	caller  *lua.LState
	handler *lua.LFunction
}

// installPcall replaces pcall and xpcall by ours, and error and
// debug.traceback by versions that see the caller's frames across the
// threads protected calls run on; coroutine.yield refuses to yield a
// thread (as Lua 5.1 refuses to yield across pcall).
func (e *Engine) installPcall() {
	L := e.state
	e.threads = map[*lua.LState]thread{}
	e.reraise = L.NewFunction(func(T *lua.LState) int {
		T.Error(T.Get(1), 0)
		return 0
	})
	L.SetGlobal("pcall", L.NewFunction(e.luaPcall))
	L.SetGlobal("xpcall", L.NewFunction(e.luaXpcall))
	e.errorFn = L.NewFunction(e.luaError)
	L.SetGlobal("error", e.errorFn)
	if co, ok := L.GetGlobal("coroutine").(*lua.LTable); ok {
		if yield, ok := co.RawGetString("yield").(*lua.LFunction); ok && yield.IsG {
			orig := yield.GFunction
			co.RawSetString("yield", L.NewFunction(func(L *lua.LState) int {
				if e.callerOf(L) != nil {
					// gopher-lua's own pcall lets it through, and the
					// coroutine's next resume crashes.
					L.RaiseError("attempt to yield across pcall")
				}
				return orig(L)
			}))
		}
	}
	if dbg, ok := L.GetGlobal("debug").(*lua.LTable); ok {
		if tb, ok := dbg.RawGetString("traceback").(*lua.LFunction); ok {
			e.traceback = tb
			dbg.RawSetString("traceback", L.NewFunction(e.luaTraceback))
		}
	}
}

// luaPcall is pcall(f, ...): true and f's results, or false and the error
// value.
func (e *Engine) luaPcall(L *lua.LState) int {
	L.CheckAny(1)
	f := L.Get(1)
	if f.Type() != lua.LTFunction && L.GetMetaField(f, "__call").Type() != lua.LTFunction {
		L.Push(lua.LFalse)
		L.Push(lua.LString("attempt to call a " + f.Type().String() + " value"))
		return 2
	}
	return e.protect(L, f, 2, nil)
}

// luaXpcall is xpcall(f, handler, ...): true and f's results, or false and
// what handler returns for the error value. handler runs where the error
// was raised, so debug.traceback in it shows where.
func (e *Engine) luaXpcall(L *lua.LState) int {
	f := L.CheckFunction(1)
	handler := L.CheckFunction(2)
	return e.protect(L, f, 3, L.NewFunction(func(T *lua.LState) int {
		T.Push(handler)
		T.Push(T.Get(1))
		T.Call(1, 1)
		T.Error(T.Get(-1), 0)
		return 0
	}))
}

// protect calls f with L's arguments from index first on a thread and
// pushes onto L what pcall returns. handler, which must raise, is called
// with the error value where it was raised; nil is e.reraise.
func (e *Engine) protect(L *lua.LState, f lua.LValue, first int, handler *lua.LFunction) int {
	if handler == nil {
		handler = e.reraise
	}
	if e.nested >= MaxCoroutineDepth {
		L.RaiseError("pcalls and coroutines nested more than %d deep", MaxCoroutineDepth)
	}
	e.nested++
	defer func() { e.nested-- }()
	th := e.thread(L, handler)
	defer e.release(th)
	T := th.L
	T.Push(f)
	n := 0
	for i := first; i <= L.GetTop(); i++ {
		T.Push(L.Get(i))
		n++
	}
	err := T.PCall(n, lua.MultRet, handler)
	if err != nil {
		var v lua.LValue = lua.LString(err.Error())
		if api, ok := err.(*lua.ApiError); ok {
			v = api.Object
		}
		v = e.placed(L, f, v)
		T.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(v)
		return 2
	}
	nret := T.GetTop()
	L.Push(lua.LTrue)
	for i := 1; i <= nret; i++ {
		L.Push(T.Get(i))
	}
	T.SetTop(0)
	return nret + 1
}

// placed gives the message a Go function f raised with L.RaiseError the
// position gopher-lua gives it when f is called on L: that of the Lua
// function calling pcall. On the thread f is the only function and the
// message is " message", with the position left empty, and f's name in
// an argument error is the thread's "main chunk" (on L, "(anonymous)").
func (e *Engine) placed(L *lua.LState, f, v lua.LValue) lua.LValue {
	fn, ok := f.(*lua.LFunction)
	s, isString := v.(lua.LString)
	if !ok || !fn.IsG || fn == e.errorFn || !isString || !strings.HasPrefix(string(s), " ") {
		return v
	}
	msg := strings.Replace(string(s[1:]), " to main chunk (", " to (anonymous) (", 1)
	return lua.LString(e.position(L, 1) + msg)
}

// thread returns an idle thread for a protected call made on L, with L's
// context (so a canceled run stops there too).
func (e *Engine) thread(L *lua.LState, handler *lua.LFunction) thread {
	var T *lua.LState
	if n := len(e.spare); n > 0 {
		T, e.spare = e.spare[n-1], e.spare[:n-1]
	} else {
		var cancel func()
		T, cancel = e.state.NewThread()
		if cancel != nil {
			cancel() // its own context is replaced below
		}
	}
	if ctx := L.Context(); ctx != nil {
		T.SetContext(ctx)
	} else {
		T.RemoveContext()
	}
	th := thread{L: T, caller: L, handler: handler}
	e.threads[T] = th
	return th
}

// release keeps th for another protected call.
func (e *Engine) release(th thread) {
	delete(e.threads, th.L)
	th.L.RemoveContext()
	if len(e.spare) < maxSpareThreads {
		e.spare = append(e.spare, th.L)
	}
}

// callerOf returns the state whose protected call L runs, or nil if L is
// no such thread.
func (e *Engine) callerOf(L *lua.LState) *lua.LState { return e.threads[L].caller }

// luaError is error(value [, level]): a string value gets the position of
// the function level levels up (1, the default, is the function calling
// error; 0 adds none), counted across protected calls.
func (e *Engine) luaError(L *lua.LState) int {
	v := L.Get(1)
	level := L.OptInt(2, 1)
	if s, ok := v.(lua.LString); ok && level > 0 {
		v = lua.LString(e.position(L, level) + string(s))
	}
	L.Error(v, 0)
	return 0
}

// position returns "file:line: " of the Lua function level levels above
// the running Go function, skipping Go functions and going on into the
// callers of protected calls, or "" if there is none.
func (e *Engine) position(L *lua.LState, level int) string {
	// Level 0 is the running Go function (error, a binding), 1 the
	// function calling it, 2 that one's caller, as Lua 5.1 counts; a Go
	// function there gives the next Lua function up, as gopher-lua does.
	i := level
	for L != nil {
		dbg, ok := L.GetStack(i)
		if !ok {
			L, i = e.callerOf(L), 0
			continue
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err == nil && dbg.CurrentLine > 0 {
			return fmt.Sprintf("%s:%d: ", dbg.Source, dbg.CurrentLine)
		}
		i++
	}
	return ""
}

// luaTraceback is debug.traceback([message [, level]]) with the frames of
// the callers of protected calls after those of the thread it runs on;
// debug.traceback(co, ...) of another coroutine is gopher-lua's.
func (e *Engine) luaTraceback(L *lua.LState) int {
	if _, ok := L.Get(1).(*lua.LState); ok {
		top := L.GetTop()
		L.Push(e.traceback)
		for i := 1; i <= top; i++ {
			L.Push(L.Get(i))
		}
		L.Call(top, 1)
		return 1
	}
	msg := ""
	if s, ok := L.Get(1).(lua.LString); ok {
		msg = string(s) + "\n"
	}
	var lines []string
	skip := L.OptInt(2, 1) // level 0 is this function
	for S := L; S != nil; S = e.callerOf(S) {
		for i := 0; ; i++ {
			dbg, ok := S.GetStack(i)
			if !ok {
				break
			}
			if h := e.threads[S].handler; h != nil {
				if fv, err := S.GetInfo("f", dbg, lua.LNil); err == nil && fv == lua.LValue(h) {
					continue // ours, not the script's
				}
			}
			if skip > 0 {
				skip--
				continue
			}
			lines = append(lines, "\t"+e.frameLine(S, dbg))
		}
	}
	lines = append(lines, "\t[G]: ?")
	if len(lines) > 22 {
		lines = append(append(lines[:10:10], "\t..."), lines[len(lines)-11:]...)
	}
	L.Push(lua.LString(msg + "stack traceback:\n" + strings.Join(lines, "\n")))
	return 1
}

// frameLine describes one frame of a traceback: "file:line: in function
// 'name'", "[G]: in function 'name'", "... in main chunk".
func (e *Engine) frameLine(S *lua.LState, dbg *lua.Debug) string {
	fv, err := S.GetInfo("Slnf", dbg, lua.LNil)
	if err != nil {
		return "?"
	}
	f, _ := fv.(*lua.LFunction)
	goFn := f == nil || f.IsG
	at := "[G]:"
	if !goFn {
		at = fmt.Sprintf("%s:%d:", dbg.Source, dbg.CurrentLine)
	}
	switch {
	case dbg.What == "main" && e.callerOf(S) == nil:
		return at + " in main chunk"
	case dbg.What != "main" && dbg.Name != "" && dbg.Name[0] != '(' && dbg.Name[0] != '<':
		return fmt.Sprintf("%s in function '%s'", at, dbg.Name)
	case goFn:
		return at + " in function (anonymous)"
	default:
		return fmt.Sprintf("%s in function <%s:%d>", at, dbg.Source, dbg.LineDefined)
	}
}
