package lua

import (
	"math"

	lua "github.com/yuin/gopher-lua"
)

// smallInts holds the numbers 0..255 as Lua values, boxed once.
var smallInts = func() []lua.LValue {
	s := make([]lua.LValue, 256)
	for i := range s {
		s[i] = lua.LNumber(i)
	}
	return s
}()

// luaValues builds Lua values for jsontok.Build, without the intermediate
// Go values of json.Unmarshal: objects become tables, arrays tables marked
// with the array metatable, null json.null.
type luaValues struct{ e *Engine }

func (b luaValues) Null() lua.LValue           { return b.e.null }
func (b luaValues) String(s string) lua.LValue { return lua.LString(s) }

func (b luaValues) Bool(v bool) lua.LValue {
	if v {
		return lua.LTrue
	}
	return lua.LFalse
}

func (b luaValues) Number(f float64) lua.LValue {
	if f >= 0 && f < float64(len(smallInts)) && f == float64(int(f)) && !(f == 0 && math.Signbit(f)) {
		return smallInts[int(f)]
	}
	return lua.LNumber(f)
}

func (b luaValues) Object(keys []string, values []lua.LValue) (lua.LValue, bool) {
	t := b.e.state.CreateTable(0, len(keys))
	for i, k := range keys {
		t.RawSetString(k, values[i])
	}
	return t, true
}

func (b luaValues) Array(items []lua.LValue) lua.LValue {
	t := b.e.state.CreateTable(len(items), 0)
	for i, v := range items {
		t.RawSetInt(i+1, v)
	}
	b.e.state.SetMetatable(t, b.e.arrayMT)
	return t
}
