package benchkit

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/js"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

// Scripts makes the same typed call of Echo on p0 of a Hub from Go, from
// JavaScript and from Lua: the argument {text: Sample}, Text{Sample} in Go.
// Each builds its argument once, before its loop, so that what is timed is
// the call: converting the argument to JSON, the round trip, and building
// the result.
type Scripts struct {
	h   *Hub
	rt  *scripting.Runtime
	js  *js.Engine
	lua *lua.Engine
}

// NewScripts makes a scripting runtime over h with one engine per language.
func NewScripts(h *Hub) (*Scripts, error) {
	rt := scripting.New(h.S, scripting.Config{})
	sc := &Scripts{h: h, rt: rt}
	var err error
	ctx := context.Background()
	if sc.js, err = js.New(rt); err != nil {
		sc.Close()
		return nil, err
	}
	if _, err = sc.js.Eval(ctx, `const arg = {text: "`+Sample+`"}
function bench(n) { for (let i = 0; i < n; i++) call("p0", "Echo", arg) }`); err != nil {
		sc.Close()
		return nil, err
	}
	if sc.lua, err = lua.New(rt); err != nil {
		sc.Close()
		return nil, err
	}
	if _, err = sc.lua.Eval(ctx, `local arg = {text = "`+Sample+`"}
function bench(n) for i = 1, n do call("p0", "Echo", arg) end end`); err != nil {
		sc.Close()
		return nil, err
	}
	return sc, nil
}

// Close releases the engines and the runtime.
func (sc *Scripts) Close() {
	if sc.js != nil {
		_ = sc.js.Close()
	}
	if sc.lua != nil {
		_ = sc.lua.Close()
	}
	_ = sc.rt.Close()
}

// Go makes n calls with Socket.CallContext.
func (sc *Scripts) Go(n int) (time.Duration, error) {
	ctx := context.Background()
	payload := Text{Sample}
	start := time.Now()
	for range n {
		if _, err := sc.h.S.CallContext(ctx, "", "p0", "Echo", payload); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// JS makes n calls with call() in a JavaScript loop.
func (sc *Scripts) JS(n int) (time.Duration, error) {
	return timed(func() error { _, err := sc.js.Eval(context.Background(), fmt.Sprintf("bench(%d)", n)); return err })
}

// Lua makes n calls with call() in a Lua loop.
func (sc *Scripts) Lua(n int) (time.Duration, error) {
	return timed(func() error { _, err := sc.lua.Eval(context.Background(), fmt.Sprintf("bench(%d)", n)); return err })
}

func timed(f func() error) (time.Duration, error) {
	start := time.Now()
	err := f()
	return time.Since(start), err
}
