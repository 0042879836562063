package js

import (
	"math"
	"time"

	"github.com/dop251/goja"
)

// maxDelay is the longest timer delay in milliseconds (about 24.8 days,
// the bound Node applies); longer delays are clamped to it.
const maxDelay = 1<<31 - 1

// timer returns setTimeout (repeat false) or setInterval (repeat true):
// fn(...args) runs on the loop after ms milliseconds; the result is the id
// for clearTimeout/clearInterval. A pending timer keeps the script alive.
func (e *Engine) timer(repeat bool) func(goja.FunctionCall) goja.Value {
	return func(c goja.FunctionCall) goja.Value {
		fn := e.fn(c, 0, "timer callback")
		ms := c.Argument(1).ToFloat()
		if math.IsNaN(ms) || ms < 0 {
			ms = 0
		}
		if ms > maxDelay {
			ms = maxDelay
		}
		var args []goja.Value
		if len(c.Arguments) > 2 {
			args = append(args, c.Arguments[2:]...)
		}
		var id uint64
		id = e.loop.AddTimer(time.Duration(ms*float64(time.Millisecond)), repeat, func() {
			if !repeat {
				delete(e.timers, id)
			}
			e.callback(fn, args...)
		})
		e.timers[id] = struct{}{}
		return e.vm.ToValue(id)
	}
}

// clearTimer is clearTimeout and clearInterval.
func (e *Engine) clearTimer(c goja.FunctionCall) goja.Value {
	f := c.Argument(0).ToFloat()
	if f > 0 && f == math.Trunc(f) {
		id := uint64(f)
		e.loop.ClearTimer(id)
		delete(e.timers, id)
	}
	return goja.Undefined()
}
