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
// ratio, which survives a noisy machine where ns/op does not. BenchmarkCall
// (a typed call: Echo(ctx, Text) (Text, error)) also reports itself against
// net/rpc (x-netrpc) and, sequential, against the plainest ping-pong, where
// the caller writes a 72-byte frame and reads the reply itself (x-plain).
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
			nr, err := benchkit.NewNetRPC()
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(nr.Close)
			plain, err := benchkit.NewPlain()
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(plain.Close)
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
			// net/rpc, the standard library's peer, in the same run.
			rpc, err := nr.Calls(b.N, callers)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rpc.Nanoseconds()), "x-netrpc")
			if callers == 1 {
				// The plainest ping-pong: the caller writes and reads
				// on its own goroutine.
				t, err := plain.Run(b.N)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(t.Nanoseconds()), "x-plain")
			}
		})
	}
}

func BenchmarkBroadcast(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 4000} {
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
// together, measured with 1,000 plugins (b.N is ignored): live heap plus
// stacks (B/plugin), heap in use plus stacks (inuse-B/plugin), goroutines.
func BenchmarkIdle(b *testing.B) {
	idle, err := benchkit.IdleCost(1000)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(idle.Alloc, "B/plugin")
	b.ReportMetric(idle.Inuse, "inuse-B/plugin")
	b.ReportMetric(idle.Goroutines, "goroutines/plugin")
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
