package js

import "github.com/dop251/goja"

// droppedName is the global dropped(): how many socket events the
// script's runtime has dropped because the script did not keep up
// (scripting.Runtime.Dropped); 0 when nothing was lost.
const droppedName = "dropped"

// installDropped sets the global dropped().
func (e *Engine) installDropped() error {
	return e.vm.Set(droppedName, func(goja.FunctionCall) goja.Value {
		return e.vm.ToValue(float64(e.rt.Dropped()))
	})
}
