package socket_test

import (
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	w "github.com/switchboard-rpc/switchboard/internal/wire/wiretest"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// FuzzConnection feeds arbitrary bytes to the socket as a connecting plugin
// would send them: the handshake and the envelopes after it, with the real
// message limit. It waits until the socket has read them and ended the
// connection (refused, or registered and then disconnected) before shutting
// down, so that every input reaches the decoder. Whatever comes, the socket
// must close that connection or serve it, never panic, and shut down
// cleanly afterwards.
func FuzzConnection(f *testing.F) {
	for _, name := range []string{"plugin-to-socket.gob", "socket-to-plugin.gob"} {
		b, err := os.ReadFile("../internal/wire/testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:250])
		f.Add(b[:len(b)/3])
	}
	f.Add([]byte("\x00"))
	f.Add([]byte("\xfc\x00\x10\x00\x00"))
	// The known wire attacks (hostile handshakes, hoarded type definitions), small.
	types := w.HelloTypes()
	f.Add(w.Cat(types, w.Hello("p", w.Cat(w.Uint(1<<27), w.String("m")), "")))
	f.Add(w.Cat(types, w.Hello("p", w.OneFunction("M", w.DeepEntity(1000)), "")))
	f.Add(w.Cat(types, w.Hello("p\x1b[2J", w.Functions(2), "")))
	f.Add(w.Cat(types, w.Hello("p", w.Functions(2), ""), w.EnvelopeType(100), w.Envelope(100, 0, "Async", []byte("1"))))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := socket.New(socket.WithHandshakeTimeout(time.Second), socket.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		var gone atomic.Bool
		s.OnDisconnect(func(*plugin.Info, bool) { gone.Store(true) })
		a, b := net.Pipe()
		s.ServeConn(a)
		go func() {
			_ = b.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = b.Write(data)
			b.Close()
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
