package socket_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/bench/benchkit"
)

// The benchmarks measure, in the same run and for the same b.N, the figure
// and its baseline (bench/benchkit holds the code, shared with
// `go run ./bench`): a raw, length-prefixed ~64-byte ping-pong over
// the same transport (loopback TCP), with the same number of callers
// multiplexed on one connection and writes coalesced. The baseline is timed
// with the benchmark timer stopped and reported as raw-ns/op; "x-raw" is the
// ratio, which survives a noisy machine where ns/op does not.
//
//	go test -run '^$' -bench . -benchmem ./socket/

func BenchmarkCall(b *testing.B) {
	for _, callers := range []int{1, 8, 64, 512} {
		name := "sequential"
		if callers > 1 {
			name = "callers" + strconv.Itoa(callers)
		}
		b.Run(name, func(b *testing.B) {
			h, raw := hubAndRaw(b, 1)
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := h.Calls(b.N, callers); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			base, err := raw.Run(b.N, callers)
			if err != nil {
				b.Fatal(err)
			}
			reportRatio(b, base)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
		})
	}
}

func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			h, raw := hubAndRaw(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			if _, err := h.Broadcasts(b.N); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			perPlugin := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(n)
			base, err := raw.Run(b.N*n, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(perPlugin, "ns/plugin")
			b.ReportMetric(float64(base.Nanoseconds())/float64(b.N*n), "raw-ns/rt")
		})
	}
}

// BenchmarkIdle reports what an idle connected plugin costs, both sides
// together, measured with 1,000 plugins (b.N is ignored).
func BenchmarkIdle(b *testing.B) {
	bytes, gs, err := benchkit.IdleCost(1000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(bytes, "B/plugin")
	b.ReportMetric(gs, "goroutines/plugin")
}

// hubAndRaw starts a hub with n plugins and the coalesced raw baseline,
// both closed when b ends.
func hubAndRaw(b *testing.B, n int) (*benchkit.Hub, *benchkit.Raw) {
	h, err := benchkit.NewHub(n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	raw, err := benchkit.NewRaw(true)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(raw.Close)
	return h, raw
}

func reportRatio(b *testing.B, base time.Duration) {
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	rawOp := float64(base.Nanoseconds()) / float64(b.N)
	b.ReportMetric(rawOp, "raw-ns/op")
	b.ReportMetric(perOp/rawOp, "x-raw")
}
