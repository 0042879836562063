package lua

import (
	lua "github.com/yuin/gopher-lua"
)

// Bounds on what one script may make the engine do in a single step, so that
// a runaway script fails with a Lua error (which pcall catches) instead of
// ending the host.
const (
	// MaxStringBytes is the longest string one call of string.rep or
	// table.concat may build (256 MiB).
	MaxStringBytes = 256 << 20
	// MaxCoroutineDepth is how deeply coroutines may resume one another,
	// as Lua 5.1 bounds nested C calls (LUAI_MAXCCALLS). Each nested resume
	// runs on the Go stack with a new Lua state of its own, so a coroutine
	// that resumes a new one without end would use up the host's memory.
	MaxCoroutineDepth = 200
)

// installLimits replaces the library functions that build a value of any
// size in one step by checked ones that raise past the bound and otherwise
// call the original. gopher-lua's string.rep hands its count to
// strings.Repeat, and table.concat joins whatever the table holds, so
// string.rep("x", 1e12) asks Go for a terabyte: the runtime's "fatal error:
// out of memory" cannot be recovered. Its coroutines are unbounded too (the
// call stack limit is per coroutine). Calls through string methods
// (("x"):rep(n)) find the same table entries.
func (e *Engine) installLimits() {
	L := e.L
	replace := func(lib, name string, check func(L *lua.LState)) {
		t, ok := L.GetGlobal(lib).(*lua.LTable)
		if !ok {
			return
		}
		fn, ok := t.RawGetString(name).(*lua.LFunction)
		if !ok || !fn.IsG {
			return
		}
		orig := fn.GFunction
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			check(L)
			return orig(L)
		}))
	}
	replace("string", "rep", func(L *lua.LState) {
		s, n := L.CheckString(1), L.CheckInt(2)
		if n > 0 && len(s) > 0 && n > MaxStringBytes/len(s) {
			L.RaiseError("string.rep: the result would be %.0f bytes, past the bound of %d", float64(len(s))*float64(n), MaxStringBytes)
		}
	})
	replace("table", "concat", func(L *lua.LState) {
		t := L.CheckTable(1)
		sep := L.OptString(2, "")
		n := t.Len()
		size := 0
		for i := max(L.OptInt(3, 1), 1); i <= min(L.OptInt(4, n), n) && size <= MaxStringBytes; i++ {
			switch v := t.RawGetInt(i).(type) {
			case lua.LString:
				size += len(v) + len(sep)
			case lua.LNumber:
				size += len(v.String()) + len(sep)
			default:
				return // the original says which value it cannot join
			}
		}
		if size > MaxStringBytes {
			L.RaiseError("table.concat: the result would be more than %d bytes", MaxStringBytes)
		}
	})
	nested := func(L *lua.LState) {
		depth := 0
		for p := L; p != nil; p = p.Parent {
			depth++
		}
		if depth > MaxCoroutineDepth {
			L.RaiseError("coroutines nested more than %d deep", MaxCoroutineDepth)
		}
	}
	replace("coroutine", "resume", nested)
	// The function coroutine.wrap returns resumes without coroutine.resume:
	// it is wrapped in turn.
	co, ok := L.GetGlobal("coroutine").(*lua.LTable)
	if !ok {
		return
	}
	wrap, ok := co.RawGetString("wrap").(*lua.LFunction)
	if !ok {
		return
	}
	co.RawSetString("wrap", L.NewFunction(func(L *lua.LState) int {
		L.Push(wrap)
		L.Push(L.Get(1))
		L.Call(1, 1)
		resume := L.Get(-1)
		L.Pop(1)
		L.Push(L.NewFunction(func(L *lua.LState) int {
			nested(L)
			base := L.GetTop()
			L.Push(resume)
			for i := 1; i <= base; i++ {
				L.Push(L.Get(i))
			}
			L.Call(base, lua.MultRet)
			return L.GetTop() - base
		}))
		return 1
	}))
}
