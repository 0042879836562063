package lua

import (
	"context"
	"strconv"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// BenchmarkConvert is what a call() does besides the I/O, from a script
// loop: the call of a binding with the argument table (built once, as the
// Go baseline builds its map once), its conversion to JSON, the options,
// and the result built from JSON. "x-go" is its time
// over Go Call's own conversions for the same number of calls
// (scripttest.GoConvert), measured in the same run.
//
//	go test -run '^$' -bench Convert -benchmem ./scripting/lua/
func BenchmarkConvert(b *testing.B) {
	e := newConverter(b)
	result := scripttest.ConvertResult()
	e.state.SetGlobal("convert", e.state.NewFunction(func(L *lua.LState) int {
		name, method := e.str(L, 1, "plugin"), e.str(L, 2, "method")
		_, _ = e.callArgs(L, 3, name, method)
		return e.push(L, result)
	}))
	src := `local arg = {a = 1, b = "two", c = {true, json.null}}
for i = 1, ` + strconv.Itoa(b.N) + ` do convert("p0", "Echo", arg) end`
	scripttest.BenchConvert(b, func() error {
		_, err := e.Eval(context.Background(), src)
		return err
	})
}

// BenchmarkPcall is one pcall of a Lua function that returns, and one of a
// function that raises, from a script loop ("pcall.go" runs each on a Lua
// state of its own, kept for reuse).
//
//	go test -run '^$' -bench Pcall -benchmem ./scripting/lua/
func BenchmarkPcall(b *testing.B) {
	e := newConverter(b)
	for _, c := range []struct{ name, body string }{
		{"ok", `pcall(f, i)`},
		{"error", `pcall(error, i)`},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := `local function f(x) return x end
for i = 1, ` + strconv.Itoa(b.N) + ` do ` + c.body + ` end`
			b.ResetTimer()
			if _, err := e.Eval(context.Background(), src); err != nil {
				b.Fatal(err)
			}
		})
	}
}
