package scripting_test

import (
	"testing"

	"github.com/switchboard-rpc/switchboard/bench/benchkit"
)

// BenchmarkCall compares one call() from a script, in JavaScript and in
// Lua, with the same Socket.CallContext from Go, against one plugin over
// loopback TCP (bench/benchkit, shared with `go run ./bench`).
// Each sub-benchmark times the Go calls too, for the same b.N with the timer
// stopped, and reports its time as a multiple of them ("x-go"): the cost of
// the bindings, as a ratio that survives a noisy machine.
//
//	go test -run '^$' -bench . -benchmem ./scripting/
func BenchmarkCall(b *testing.B) {
	h, err := benchkit.NewHub(1)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	sc, err := benchkit.NewScripts(h)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sc.Close)
	for _, lang := range []struct {
		name string
		op   benchkit.Op
	}{{"go", sc.Go}, {"js", sc.JS}, {"lua", sc.Lua}} {
		b.Run(lang.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := lang.op(b.N); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			base, err := sc.Go(b.N)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(base.Nanoseconds()), "x-go")
		})
	}
}
