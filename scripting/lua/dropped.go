package lua

import lua "github.com/yuin/gopher-lua"

// droppedName is the global dropped(): how many socket events the
// script's runtime has dropped because the script did not keep up
// (scripting.Runtime.Dropped); 0 when nothing was lost.
const droppedName = "dropped"

// installDropped sets the global dropped().
func (e *Engine) installDropped() {
	e.state.SetGlobal(droppedName, e.state.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LNumber(e.rt.Dropped()))
		return 1
	}))
}
