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
// answering the same payload; "x-gob" is the ratio (the target is 1.2 or
// less).
//
//	go test -run '^$' -bench JSONRPCCall ./socket/
func BenchmarkJSONRPCCall(b *testing.B) {
	payload := json.RawMessage(`{"text":"hello, switchboard, a payload of about sixty-four bytes"}`)
	for _, callers := range []int{1, 8, 64} {
		b.Run("callers"+strconv.Itoa(callers), func(b *testing.B) {
			s := newSocket(b)
			addr := listen(b, s)
			serveJSONEcho(b, addr, "jecho")
			connectTCP(b, s, addr, "gecho", newSvc())
			if !s.WaitFor("jecho", deadline) {
				b.Fatal("the JSON-RPC peer did not register")
			}
			run := func(name, method string) time.Duration {
				start := time.Now()
				var wg sync.WaitGroup
				per := b.N / callers
				for c := range callers {
					n := per
					if c == 0 {
						n += b.N % callers
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
			b.ReportAllocs()
			b.ResetTimer()
			run("jecho", "echo")
			b.StopTimer()
			gob := run("gecho", "Echo")
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			gobOp := float64(gob.Nanoseconds()) / float64(b.N)
			b.ReportMetric(gobOp, "gob-ns/op")
			b.ReportMetric(perOp/gobOp, "x-gob")
		})
	}
}

// serveJSONEcho connects a JSON-RPC peer that registers as name and answers
// every request with its payload, until the connection closes.
func serveJSONEcho(b *testing.B, addr, name string) {
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
		var req struct {
			ID     json.RawMessage   `json:"id"`
			Method string            `json:"method"`
			Params []json.RawMessage `json:"params"`
		}
		var out []byte
		for {
			m, err := rd.Read()
			if err != nil {
				return
			}
			req.ID, req.Method, req.Params = nil, "", nil
			if json.Unmarshal(m, &req) != nil || req.Method == "" || len(req.Params) != 1 {
				continue // the registration's answer, a notification
			}
			out = append(out[:0], `{"jsonrpc":"2.0","id":`...)
			out = append(out, req.ID...)
			out = append(out, `,"result":`...)
			out = append(out, req.Params[0]...)
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
