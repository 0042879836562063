package socket_test

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/socket"
)

// FuzzConnection feeds arbitrary bytes to the socket as a connecting plugin
// would send them: the handshake and the envelopes after it. Whatever comes,
// the socket must close that connection or serve it, never panic, and shut
// down cleanly afterwards.
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
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := socket.New(socket.WithHandshakeTimeout(time.Second), socket.WithMaxMessage(64<<10))
		if err != nil {
			t.Fatal(err)
		}
		a, b := net.Pipe()
		s.ServeConn(a)
		go func() {
			_ = b.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = b.Write(data)
			b.Close()
		}()
		if err := s.Shutdown(""); err != nil {
			t.Fatal(err)
		}
	})
}
