package lua

import (
	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/pm"
)

// Bounds on what one script may make the engine do in a single step, so that
// a runaway script fails with a Lua error (which pcall catches) instead of
// ending the host.
const (
	// MaxStringBytes is the longest string one call of string.rep,
	// string.gsub (with a string replacement) or table.concat may build
	// (256 MiB).
	MaxStringBytes = 256 << 20
	// MaxMatches is the most matches one call of string.gsub or
	// string.gmatch may find (gopher-lua keeps a record of each, some 100
	// bytes).
	MaxMatches = 1 << 20
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
	L := e.state
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
	// gsub and gmatch find every match before they use any, keeping a
	// record of each (gopher-lua's pm.Find): an empty pattern in a long
	// string is one record per byte. And gsub with a string replacement
	// adds one copy per match, so a short string can ask for a huge one.
	// Where either could pass its bound, the matches are counted first,
	// by the same matcher, as far as MaxMatches.
	count := func(L *lua.LState, fn, s, pat string, limit int) int {
		most := MaxMatches + 1
		if limit >= 0 && limit < most {
			most = limit
		}
		mds, err := pm.Find(pat, []byte(s), 0, most)
		if err != nil {
			return 0 // the original reports the bad pattern
		}
		if len(mds) > MaxMatches {
			L.RaiseError("string.%s: more than %d matches", fn, MaxMatches)
		}
		return len(mds)
	}
	replace("string", "gsub", func(L *lua.LState) {
		s, pat := L.CheckString(1), L.CheckString(2)
		r, isString := L.Get(3).(lua.LString)
		product := isString && float64(len(s)+1)*float64(len(r)) > MaxStringBytes
		if len(s) < MaxMatches && !product {
			return
		}
		n := count(L, "gsub", s, pat, L.OptInt(4, -1))
		if size := float64(len(s)) + float64(n)*float64(len(r)); isString && size > MaxStringBytes {
			L.RaiseError("string.gsub: the result would be %.0f bytes, past the bound of %d", size, MaxStringBytes)
		}
	})
	replace("string", "gmatch", func(L *lua.LState) {
		if s, pat := L.CheckString(1), L.CheckString(2); len(s) >= MaxMatches {
			count(L, "gmatch", s, pat, -1)
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
