package socket_test

import (
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// FuzzJSONRPC feeds arbitrary bytes after a JSON-RPC opening to the socket:
// the framing, the registration and the messages after it. Whatever comes,
// the socket must refuse or serve the connection, never panic, answer only
// in JSON-RPC, and shut down cleanly.
func FuzzJSONRPC(f *testing.F) {
	reg := `{"jsonrpc":"2.0","id":1,"method":"register","params":{"name":"p","version":"1","functions":{"m":{"input":{"type":"string"}}}}}`
	f.Add([]byte(reg + "\n"))
	f.Add([]byte(reg + "\n" + `{"jsonrpc":"2.0","method":"$/async","params":[1]}` + "\n" + `{"jsonrpc":"2.0","id":0,"result":null}` + "\n"))
	f.Add([]byte("Content-Length: 137\r\n\r\n" + reg))
	f.Add([]byte("Content-Length: 0\r\n\r\n"))
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"method":"register","params":[{"name":"p","functions":{"$/x":{}}}]}` + "\n"))
	f.Add([]byte("{}\n[]\n"))
	f.Add([]byte(" [1]\n"))
	f.Add([]byte("Content-Length: 99999999999999999999\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := socket.New(socket.WithHandshakeTimeout(time.Second), socket.WithMaxMessage(4096), socket.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		var gone atomic.Bool
		s.OnDisconnect(func(*plugin.Info, bool) { gone.Store(true) })
		a, b := net.Pipe()
		s.ServeConn(a)
		go func() {
			_ = b.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = b.Write(append([]byte("{ "), data...))
			_ = b.Close()
		}()
		end := time.Now().Add(10 * time.Second)
		for s.Stats().Refused == 0 && !gone.Load() {
			if time.Now().After(end) {
				t.Fatal("the connection did not end")
			}
			time.Sleep(time.Millisecond)
		}
		if err := s.Shutdown(""); err != nil {
			t.Fatal(err)
		}
	})
}
