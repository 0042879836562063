package socket_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
)

// BenchmarkJSONRPCCall measures the hub's round trip to a JSON-RPC echo
// peer written in Go (lines framing, encoding/json), and in the same run,
// for the same b.N and callers, the round trip to a gob plugin of the SDK
// answering the same payload, in rounds of rotated order; "x-gob" is the
// ratio (the target is 1.2 or less). A third peer, the same but decoding
// with jsonrpc.Parse, shows what is left of the hub's own cost when the
// peer's decoding is as cheap as the SDK's: "x-gob-lean".
//
//	go test -run '^$' -bench JSONRPCCall ./socket/
func BenchmarkJSONRPCCall(b *testing.B) {
	payload := json.RawMessage(`{"text":"hello, switchboard, a payload of about sixty-four bytes"}`)
	for _, callers := range []int{1, 8, 64} {
		b.Run("callers"+strconv.Itoa(callers), func(b *testing.B) {
			s := newSocket(b)
			addr := listen(b, s)
			serveJSONEcho(b, addr, "jecho", func(m []byte, req *jsonrpc.Message) error {
				*req = jsonrpc.Message{}
				return json.Unmarshal(m, req)
			})
			serveJSONEcho(b, addr, "jlean", jsonrpc.Parse)
			connectTCP(b, s, addr, "gecho", newSvc())
			if !s.WaitFor("jecho", deadline) || !s.WaitFor("jlean", deadline) {
				b.Fatal("the JSON-RPC peer did not register")
			}
			run := func(name, method string, total int) time.Duration {
				start := time.Now()
				var wg sync.WaitGroup
				per := total / callers
				for c := range callers {
					n := per
					if c == 0 {
						n += total % callers
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range n {
							if _, err := s.CallJSON(context.Background(), "", name, method, payload); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
				return time.Since(start)
			}
			// Interleaved rounds, each in the other order than the last, so
			// that a slow stretch of the machine lands on both figures.
			const rounds = 10
			b.ReportAllocs()
			b.ResetTimer()
			b.StopTimer()
			var gob, lean time.Duration
			for r := range rounds {
				n := b.N / rounds
				if r == 0 {
					n += b.N % rounds
				}
				for i := range 3 {
					switch (r + i) % 3 {
					case 0:
						b.StartTimer()
						run("jecho", "echo", n)
						b.StopTimer()
					case 1:
						gob += run("gecho", "Echo", n)
					case 2:
						lean += run("jlean", "echo", n)
					}
				}
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			gobOp := float64(gob.Nanoseconds()) / float64(b.N)
			leanOp := float64(lean.Nanoseconds()) / float64(b.N)
			b.ReportMetric(gobOp, "gob-ns/op")
			b.ReportMetric(perOp/gobOp, "x-gob")
			b.ReportMetric(leanOp/gobOp, "x-gob-lean")
		})
	}
}

// serveJSONEcho connects a JSON-RPC peer that registers as name and answers
// every request with its payload, until the connection closes; parse
// decodes each message.
func serveJSONEcho(b *testing.B, addr, name string, parse func([]byte, *jsonrpc.Message) error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	b.Cleanup(func() { nc.Close(); <-done })
	reg := `{"jsonrpc":"2.0","id":0,"method":"register","params":{"name":"` + name + `"}}` + "\n"
	if _, err := nc.Write([]byte(reg)); err != nil {
		b.Fatal(err)
	}
	go func() {
		defer close(done)
		rd := jsonrpc.NewReader(nc, 1<<20)
		w := bufio.NewWriter(nc)
		var req jsonrpc.Message
		var out []byte
		for {
			m, err := rd.Read()
			if err != nil {
				return
			}
			if parse(m, &req) != nil || req.Method == "" || !req.HasID() {
				continue // the registration's answer, a notification
			}
			out = append(out[:0], `{"jsonrpc":"2.0","id":`...)
			out = append(out, req.ID...)
			out = append(out, `,"result":`...)
			out = append(out, jsonrpc.Single(req.Params)...)
			out = append(out, "}\n"...)
			_, _ = w.Write(out)
			if rd.Buffered() == 0 {
				if w.Flush() != nil {
					return
				}
			}
		}
	}()
}
