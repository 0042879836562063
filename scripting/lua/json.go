package lua

import (
	lua "github.com/yuin/gopher-lua"
)

// installJSON installs the json module (also require("json")):
// json.encode(v), json.decode(s), json.null, json.array([t]).
func (e *Engine) installJSON() {
	L := e.state
	e.null = L.NewUserData()
	nullMT := L.NewTable()
	nullMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("json.null"))
		return 1
	}))
	L.SetMetatable(e.null, nullMT)
	e.arrayMT = L.NewTable()
	e.arrayMT.RawSetString("__jsontype", lua.LString("array"))

	mod := L.NewTable()
	mod.RawSetString("null", e.null)
	mod.RawSetString("encode", L.NewFunction(func(L *lua.LState) int {
		b, err := e.ToJSON(L.Get(1))
		if err != nil {
			e.raise(L, err)
		}
		L.Push(lua.LString(b))
		return 1
	}))
	mod.RawSetString("decode", L.NewFunction(func(L *lua.LState) int {
		v, err := e.FromJSON([]byte(L.CheckString(1)))
		if err != nil {
			e.raise(L, err)
		}
		L.Push(v)
		return 1
	}))
	mod.RawSetString("array", L.NewFunction(func(L *lua.LState) int {
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			t = L.NewTable()
		}
		L.SetMetatable(t, e.arrayMT)
		L.Push(t)
		return 1
	}))
	L.SetGlobal("json", mod)
	if loaded, ok := L.GetField(L.Get(lua.RegistryIndex), "_LOADED").(*lua.LTable); ok {
		loaded.RawSetString("json", mod)
	}
}
