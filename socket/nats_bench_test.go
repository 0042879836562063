package socket_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// The NATS benchmarks run on one embedded server on loopback. The baseline
// of a call is a raw nats.go request/reply on the same server in the same
// run: nc.Request to a subscriber that answers with the request's data,
// on a connection of its own as a plugin is. "x-raw" is the ratio.
//
//	go test -run '^$' -bench NATS -benchmem ./socket/

// natsBenchPayload is the argument of every benchmarked call: ~64 bytes
// of JSON, as in the other benchmarks.
var natsBenchPayload = json.RawMessage(`{"a":"the quick brown fox jumps over the lazy dog","b":12345}`)

// BenchmarkNATSCall measures a call through NATS against the raw round
// trip. The "-inline" variants serve Echo with plugin.WithNATSInline, on the
// subscription's goroutine as the raw subscriber answers; the others hand
// each request to a worker, the default.
func BenchmarkNATSCall(b *testing.B) {
	for _, variant := range []struct {
		callers int
		inline  bool
	}{{1, false}, {64, false}, {1, true}, {64, true}} {
		name := fmt.Sprintf("callers%d", variant.callers)
		var opts []plugin.Option
		if variant.inline {
			name += "-inline"
			opts = append(opts, plugin.WithNATSInline("Echo"))
		}
		callers := variant.callers
		b.Run(name, func(b *testing.B) {
			ns := startNATS(b, nil)
			s := newSocket(b)
			if err := s.AttachNATS(dialNATS(b, ns.ClientURL())); err != nil {
				b.Fatal(err)
			}
			serveNATS(b, ns.ClientURL(), "svc", newSvc(), opts...)
			if !s.WaitFor("svc", deadline) {
				b.Fatal("not found")
			}
			raw := rawNATS(b, ns.ClientURL())
			ctx := context.Background()
			call := func() error {
				_, err := s.CallJSON(ctx, "", "svc", "Echo", natsBenchPayload)
				return err
			}
			b.ReportAllocs()
			b.ResetTimer()
			alternate(b, callers, call, raw)
		})
	}
}

// alternate runs op and its baseline b.N times each, in rounds that take
// turns going first, with the benchmark timer running for op only, and
// reports the median of the rounds' ratios as x-raw: a slow stretch of a
// shared machine then lands on both.
func alternate(b *testing.B, callers int, op, base func() error) {
	const rounds = 11
	var ratios []float64
	var baseTotal time.Duration
	for r := range rounds {
		n := b.N / rounds
		if r < b.N%rounds {
			n++
		}
		if n == 0 {
			continue
		}
		timed := func(f func() error) time.Duration {
			start := time.Now()
			parallel(b, n, callers, f)
			return time.Since(start)
		}
		var dOp, dBase time.Duration
		if r%2 == 0 {
			dOp = timed(op)
			b.StopTimer()
			dBase = timed(base)
			b.StartTimer()
		} else {
			b.StopTimer()
			dBase = timed(base)
			b.StartTimer()
			dOp = timed(op)
		}
		baseTotal += dBase
		ratios = append(ratios, float64(dOp)/float64(dBase))
	}
	b.StopTimer()
	slices.Sort(ratios)
	b.ReportMetric(float64(baseTotal.Nanoseconds())/float64(b.N), "raw-ns/op")
	b.ReportMetric(ratios[len(ratios)/2], "x-raw")
}

// rawNATS returns a raw request/reply round trip over url: a subscriber
// on its own connection answers each request with its data.
func rawNATS(b *testing.B, url string) func() error {
	b.Helper()
	responder := dialNATS(b, url)
	sub, err := responder.Subscribe("raw.echo", func(m *nats.Msg) { _ = m.Respond(m.Data) })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sub.Unsubscribe() })
	if err := responder.Flush(); err != nil {
		b.Fatal(err)
	}
	nc := dialNATS(b, url)
	return func() error {
		_, err := nc.Request("raw.echo", natsBenchPayload, deadline)
		return err
	}
}

// parallel runs op total times over callers goroutines.
func parallel(b *testing.B, total, callers int, op func() error) {
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	per, extra := total/callers, total%callers
	for i := range callers {
		n := per
		if i < extra {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				if err := op(); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}

// A broadcast to 100 plugins served over NATS, each on a connection of its
// own; ns/plugin is the time per plugin answered. The baseline, in the same
// run: one raw request to each of 100 subscribers on connections of their
// own, sent together, their answers awaited on one inbox subscription.
func BenchmarkNATSBroadcast100(b *testing.B) {
	const n = 100
	ns := startNATS(b, nil)
	s := newSocket(b)
	if err := s.AttachNATS(dialNATS(b, ns.ClientURL())); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		serveNATS(b, ns.ClientURL(), fmt.Sprintf("p%d", i), newSvc())
	}
	for end := time.Now().Add(deadline); s.Stats().Plugins < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			b.Fatalf("%d plugins, have %d", n, s.Stats().Plugins)
		}
	}
	raw := rawScatter(b, ns.ClientURL(), n)
	ctx := context.Background()
	broadcast := func() error {
		res, errs := s.BroadcastJSON(ctx, "", "Echo", natsBenchPayload)
		if len(errs) > 0 || len(res) != n {
			return fmt.Errorf("broadcast: %d results, errors %v", len(res), errs)
		}
		return nil
	}
	b.ReportAllocs()
	b.ResetTimer()
	alternate(b, 1, broadcast, raw)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/plugin")
}

// rawScatter returns one round of n raw requests, to n subscribers on
// connections of their own, answered on one inbox.
func rawScatter(b *testing.B, url string, n int) func() error {
	b.Helper()
	for i := range n {
		nc := dialNATS(b, url)
		if _, err := nc.Subscribe(fmt.Sprintf("raw.p%d", i), func(m *nats.Msg) { _ = m.Respond(m.Data) }); err != nil {
			b.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	nc := dialNATS(b, url)
	inbox := nc.NewInbox()
	answers := make(chan *nats.Msg, n)
	sub, err := nc.ChanSubscribe(inbox, answers)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sub.Unsubscribe() })
	return func() error {
		for i := range n {
			if err := nc.PublishRequest(fmt.Sprintf("raw.p%d", i), inbox, natsBenchPayload); err != nil {
				return err
			}
		}
		for range n {
			select {
			case <-answers:
			case <-time.After(deadline):
				return fmt.Errorf("a raw answer did not come")
			}
		}
		return nil
	}
}
