package wire_test

import (
	"bytes"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// FuzzDecode feeds arbitrary bytes to the decoder the socket uses for a
// connection's first message and the envelopes after it: it must return an
// error, never panic or allocate past its limit.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"plugin-to-socket.gob", "socket-to-plugin.gob"} {
		b := readFixture(f, name)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := wire.NewDecoder(bytes.NewReader(data), 64<<10)
		var h wire.Hello[fn]
		if dec.Decode(&h) != nil {
			return
		}
		for range 64 {
			var env wire.Envelope
			if dec.Decode(&env) != nil {
				return
			}
		}
	})
}
