package scripting_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/js"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

// BenchmarkCall compares one call() from a script, in JavaScript and in
// Lua, with the same socket call from Go, against one in-process plugin.
// The js and lua sub-benchmarks also report their time as a multiple of the
// go one measured just before in the same run (the "x-go" metric): the cost
// of the bindings, as a ratio that survives a noisy machine.
func BenchmarkCall(b *testing.B) {
	s := scripttest.Socket(b)
	scripttest.Attach(b, s, "echo")
	rt := scripting.New(s, scripting.Config{})
	b.Cleanup(func() { _ = rt.Close() })
	ctx := context.Background()
	var goNs float64 // ns/op of the go sub-benchmark's last round
	ratio := func(b *testing.B) {
		if goNs > 0 && b.N > 0 {
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/goNs, "x-go")
		}
	}

	b.Run("go", func(b *testing.B) {
		payload := map[string]any{"a": 1.0, "b": "two", "c": []any{true, nil}}
		for b.Loop() {
			if _, err := s.CallContext(ctx, "", "echo", "Echo", payload); err != nil {
				b.Fatal(err)
			}
		}
		goNs = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	})
	b.Run("js", func(b *testing.B) {
		e, err := js.New(rt)
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		if _, err := e.Eval(ctx, `function bench(n) { for (let i = 0; i < n; i++) call("echo", "Echo", {a: 1, b: "two", c: [true, null]}) }`); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		if _, err := e.Eval(ctx, fmt.Sprintf("bench(%d)", b.N)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		ratio(b)
	})
	b.Run("lua", func(b *testing.B) {
		e, err := lua.New(rt)
		if err != nil {
			b.Fatal(err)
		}
		defer e.Close()
		if _, err := e.Eval(ctx, `function bench(n) for i = 1, n do call("echo", "Echo", {a = 1, b = "two", c = {true, json.null}}) end end`); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		if _, err := e.Eval(ctx, fmt.Sprintf("bench(%d)", b.N)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		ratio(b)
	})
}
