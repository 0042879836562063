package socket_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/socket"
)

// burst is how many async values the burst tests send: the figure of
// issue 13, as fast as one plugin can send them over loopback TCP.
const burst = 100_000

// flood starts a plugin on a real TCP connection to s, which sends n async
// values (0..n-1, svc.Emit) as fast as it can; it returns when the plugin
// has sent them all and answered.
func flood(t testing.TB, s *socket.Socket, n int) {
	if _, err := s.CallContext(context.Background(), "", "svc", "Emit", n); err != nil {
		t.Fatalf("Emit: %v", err)
	}
}

// inOrder checks that the values seen so far are 0..n-1; it returns an
// error for the first one out of place.
type inOrder struct{ next int }

func (o *inOrder) see(a socket.AsyncData) error {
	if a.Payload != float64(o.next) {
		return fmt.Errorf("value %d is %v (%s)", o.next, a.Payload, a.Raw)
	}
	o.next++
	return nil
}

// TestBurstReachesAsyncReader: with the default settings, a reader looping
// on Async gets every one of 100,000 values a plugin sends as fast as it
// can, in order.
func TestBurstReachesAsyncReader(t *testing.T) {
	s := newSocket(t)
	connectTCP(t, s, listen(t, s), "svc", newSvc())
	startReading(t, s)
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*deadline)
		defer cancel()
		var o inOrder
		for o.next < burst {
			a, err := s.AsyncContext(ctx)
			if err != nil {
				done <- fmt.Errorf("after %d values: %w", o.next, err)
				return
			}
			if err := o.see(*a); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	flood(t, s, burst)
	if err := recv(t, done); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.AsyncDropped != 0 || st.EventsDropped != 0 {
		t.Errorf("stats %+v: values dropped", st)
	}
}

// TestBurstReachesSubscriber: the same burst reaches an OnAsync handler
// whole and in order.
func TestBurstReachesSubscriber(t *testing.T) {
	s := newSocket(t)
	done := make(chan error, 1)
	var o inOrder
	defer s.OnAsync(func(a socket.AsyncData) {
		if o.next < 0 {
			return
		}
		if err := o.see(a); err != nil {
			o.next = -1
			done <- err
		} else if o.next == burst {
			done <- nil
		}
	})()
	connectTCP(t, s, listen(t, s), "svc", newSvc())
	flood(t, s, burst)
	if err := recv(t, done); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.EventsDropped != 0 {
		t.Errorf("stats %+v: events dropped", st)
	}
}

// BenchmarkAsyncBurst times a burst of 100,000 async values from one
// plugin over loopback TCP until the last reaches an Async reader or an
// OnAsync subscriber; "lost" must stay 0.
//
//	go test -run '^$' -bench AsyncBurst ./socket/
func BenchmarkAsyncBurst(b *testing.B) {
	quiet := socket.WithLogger(slog.New(slog.DiscardHandler))
	b.Run("Async", func(b *testing.B) {
		s := newSocket(b, quiet)
		connectTCP(b, s, listen(b, s), "svc", newSvc())
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = s.AsyncContext(ctx) // start keeping values
		b.ResetTimer()
		for range b.N {
			sent := make(chan error, 1)
			go func() {
				_, err := s.Call("", "svc", "Emit", burst)
				sent <- err
			}()
			for range burst {
				if _, err := s.Async(); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-sent; err != nil {
				b.Fatal(err)
			}
		}
		reportBurst(b, s.Stats().AsyncDropped)
	})
	b.Run("OnAsync", func(b *testing.B) {
		s := newSocket(b, quiet)
		got := make(chan struct{}, 1)
		n := 0
		defer s.OnAsync(func(socket.AsyncData) {
			if n++; n%burst == 0 {
				got <- struct{}{}
			}
		})()
		connectTCP(b, s, listen(b, s), "svc", newSvc())
		b.ResetTimer()
		for range b.N {
			flood(b, s, burst)
			select {
			case <-got:
			case <-time.After(time.Minute):
				b.Fatalf("%d values of %d arrived", n, burst*b.N)
			}
		}
		reportBurst(b, s.Stats().EventsDropped)
	})
}

func reportBurst(b *testing.B, lost uint64) {
	b.ReportMetric(float64(burst*b.N)/b.Elapsed().Seconds(), "values/s")
	b.ReportMetric(float64(lost), "lost")
}
