package monitor

import (
	"context"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/bench/benchkit"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// BenchmarkCallObserved measures what the monitor costs a Call: the same
// b.N calls of an echo plugin over loopback TCP, on a socket with a Monitor
// (metrics, summary, recent calls; no page streaming, no calls file) and on
// one without, in the same run, in 20 alternating rounds (each round in the
// other order) so that a slow stretch of the machine lands on both. ns/op
// is the observed socket's; off-ns/op the other's (timed with the benchmark
// timer stopped); x-off is the median of the rounds' ratios, the figure
// docs/performance.md gives (target ≤ 1.05).
//
//	go test -run '^$' -bench CallObserved -count 5 ./monitor/
func BenchmarkCallObserved(b *testing.B) {
	for _, callers := range []int{1, 64} {
		name := "sequential"
		if callers > 1 {
			name = "callers" + strconv.Itoa(callers)
		}
		b.Run(name, func(b *testing.B) {
			on := echoSocket(b, socket.WithObserver(New(Config{})))
			off := echoSocket(b)
			const rounds = 20
			var offTime time.Duration
			ratios := make([]float64, 0, rounds)
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
				timeOff := func() time.Duration {
					b.StopTimer()
					defer b.StartTimer()
					start := time.Now()
					if err := calls(off, n, callers); err != nil {
						b.Fatal(err)
					}
					return time.Since(start)
				}
				var dOff time.Duration
				if i%2 == 1 {
					dOff = timeOff()
				}
				start := time.Now()
				if err := calls(on, n, callers); err != nil {
					b.Fatal(err)
				}
				dOn := time.Since(start)
				if i%2 == 0 {
					dOff = timeOff()
				}
				offTime += dOff
				ratios = append(ratios, float64(dOn)/float64(dOff))
			}
			b.StopTimer()
			b.ReportMetric(float64(offTime.Nanoseconds())/float64(b.N), "off-ns/op")
			if len(ratios) > 0 {
				slices.Sort(ratios)
				b.ReportMetric(ratios[len(ratios)/2], "x-off")
			}
		})
	}
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

// echoSocket returns a socket made with opts serving one benchkit.Echo
// plugin, "p0", over loopback TCP; both end with the benchmark.
func echoSocket(b *testing.B, opts ...socket.Option) *socket.Socket {
	b.Helper()
	s, err := socket.New(append([]socket.Option{socket.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s.Serve(lis)
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = new(plugin.Plugin).Start(benchkit.Echo{}, &plugin.Info{Name: "p0", Version: "1"}, conn, nil)
	}()
	b.Cleanup(func() {
		_ = s.Shutdown("")
		<-done
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.WaitForContext(ctx, "p0"); err != nil {
		b.Fatal(err)
	}
	return s
}

// calls makes n calls of Echo on p0, shared among callers goroutines.
func calls(s *socket.Socket, n, callers int) error {
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for c := range callers {
		k := n / callers
		if c < n%callers {
			k++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				if _, err := s.Call("", "p0", "Echo", benchkit.Text{Text: benchkit.Sample}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
