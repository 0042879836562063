package monitor

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/bench/benchkit"
	"github.com/switchboard-rpc/switchboard/socket"
)

// BenchmarkCallObserved measures what the monitor costs a Call: the same
// calls of an echo plugin over loopback TCP on four sockets in the same
// run: one with a Monitor (metrics, summary, recent calls; no page
// streaming, no calls file), one without, and a control pair of two more
// without. Each of 24 rounds makes the same number of calls on every socket
// (b.N in all, per socket), all timed the same way with the clock and the
// benchmark timer left running; the order of the four turns from round to
// round (the four rotations of the order and of its reverse), so each
// socket takes each place equally often and a slow stretch of the machine
// lands on all of them.
//
// ns/op, B/op and allocs/op are the four sockets' calls together per op
// (four Calls); on-ns/op, off-ns/op and control-ns/op each socket's own
// (the control's first socket's). x-off is the median of the rounds'
// ratios of the monitored socket to the unmonitored one, the figure
// docs/performance.md gives (target ≤ 1.05); x-control the same median for
// the two unmonitored control sockets, which would be 1.00 if the
// benchmark had no bias of its own: read x-off beside it.
//
//	go test -run '^$' -bench CallObserved -count 10 ./monitor/
func BenchmarkCallObserved(b *testing.B) {
	for _, callers := range []int{1, 64} {
		name := "sequential"
		if callers > 1 {
			name = "callers" + strconv.Itoa(callers)
		}
		b.Run(name, func(b *testing.B) {
			const (
				on = iota
				off
				ctlA
				ctlB
				arms
			)
			sockets := [arms]*benchkit.Hub{
				on:   echoSocket(b, socket.WithObserver(New(Config{}))),
				off:  echoSocket(b),
				ctlA: echoSocket(b),
				ctlB: echoSocket(b),
			}
			const rounds = 24
			var total [arms]time.Duration
			xOff := make([]float64, 0, rounds)
			xControl := make([]float64, 0, rounds)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range rounds {
				n := b.N / rounds
				if i < b.N%rounds {
					n++
				}
				if n == 0 {
					continue
				}
				var d [arms]time.Duration
				for _, arm := range roundOrder(i, arms) {
					start := time.Now()
					if _, err := sockets[arm].Calls(n, callers); err != nil {
						b.Fatal(err)
					}
					d[arm] = time.Since(start)
					total[arm] += d[arm]
				}
				xOff = append(xOff, float64(d[on])/float64(d[off]))
				xControl = append(xControl, float64(d[ctlA])/float64(d[ctlB]))
			}
			b.StopTimer()
			perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(b.N) }
			b.ReportMetric(perOp(total[on]), "on-ns/op")
			b.ReportMetric(perOp(total[off]), "off-ns/op")
			b.ReportMetric(perOp(total[ctlA]), "control-ns/op")
			if len(xOff) > 0 {
				b.ReportMetric(median(xOff), "x-off")
				b.ReportMetric(median(xControl), "x-control")
			}
		})
	}
}

// roundOrder is the order in which round i calls the arms 0..arms-1: the
// (i/2 mod arms)th rotation of 0, 1, ..., arms-1, reversed in odd rounds;
// over 2*arms rounds each arm takes each place, and comes before and after
// each other arm, equally often.
func roundOrder(i, arms int) []int {
	order := make([]int, arms)
	for k := range order {
		order[k] = (k + i/2) % arms
	}
	if i%2 == 1 {
		slices.Reverse(order)
	}
	return order
}

// median returns the median of xs, which it sorts; xs must not be empty.
func median(xs []float64) float64 {
	slices.Sort(xs)
	if len(xs)%2 == 0 {
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	return xs[len(xs)/2]
}

// BenchmarkCallDone is the monitor's own share of a call: one successful
// CallDone, as the socket reports it, without the call.
func BenchmarkCallDone(b *testing.B) {
	m := New(Config{})
	rec := socket.CallRecord{Plugin: "p0", Method: "Echo", Start: time.Now(), Duration: 20 * time.Microsecond,
		RequestBytes: 57, ResponseBytes: 57}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.CallDone(rec)
		}
	})
}

// echoSocket returns a benchkit.Hub whose socket is made with opts, serving
// one benchkit.Echo plugin, "p0", over loopback TCP; it ends with the
// benchmark.
func echoSocket(b *testing.B, opts ...socket.Option) *benchkit.Hub {
	b.Helper()
	h, err := benchkit.NewHubWith(1, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return h
}
