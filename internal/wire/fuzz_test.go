package wire_test

import (
	"bytes"
	"encoding/gob"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	w "github.com/switchboard-rpc/switchboard/internal/wire/wiretest"
)

// FuzzDecode feeds arbitrary bytes to the decoder the socket uses for a
// connection's first message and the envelopes after it, with the real
// message limit: it must return an error, never panic, overflow its stack
// or allocate past its bounds. The seeds include each known attack.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"plugin-to-socket.gob", "socket-to-plugin.gob"} {
		b := readFixture(f, name)
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	for _, seed := range hostileSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := wire.NewDecoder(bytes.NewReader(data), wire.DefaultMaxMessage)
		var h wire.Hello[fn]
		if dec.Decode(&h) != nil {
			return
		}
		for range 1024 {
			var env wire.Envelope
			if dec.Decode(&env) != nil {
				return
			}
		}
	})
}

// hostileSeeds are the known attacks on the wire, small enough to
// mutate quickly.
func hostileSeeds() [][]byte {
	types := w.HelloTypes()
	// Item 1: a Functions map claiming 2^27 entries.
	huge := w.Cat(types, w.Hello("p", w.Cat(w.Uint(1<<27), w.String("m")), ""))
	// Item 2: an entity nested past the depth bound.
	deep := w.Cat(types, w.Hello("p", w.OneFunction("M", w.DeepEntity(10_000)), ""))
	// Item 3: type definitions past the byte bound, and past the count.
	big := w.Cat(w.StructType(100, strings.Repeat("T", wire.DefaultMaxTypeBytes), w.Field{Name: "A", ID: w.IntID}), types, w.Hello("p", nil, ""))
	var many []byte
	for i := range wire.DefaultMaxTypes + 1 {
		many = append(many, w.SliceType(int64(100+i), "S", w.IntID)...)
	}
	many = w.Cat(many, types, w.Hello("p", nil, ""))
	// Item 4: envelopes after stored definitions.
	var junk []byte
	for i := range 100 {
		junk = append(junk, w.StructType(int64(1000+i), "Junk", w.Field{Name: "X", ID: w.IntID})...)
	}
	var envs bytes.Buffer
	enc := gob.NewEncoder(&envs)
	for i := range 200 {
		if err := enc.Encode(wire.Envelope{Seq: uint64(i), Method: "M"}); err != nil {
			panic(err)
		}
	}
	replay := w.Cat(types, w.Hello("p", nil, ""), junk, envs.Bytes())
	// Item 9: a large description.
	wide := w.Cat(types, w.Hello("p", w.Functions(2000), ""))
	// Names with control characters reach the socket, which refuses them.
	ctl := w.Cat(types, w.Hello("p\x1b]0;owned\x07", w.Functions(1), ""))
	return [][]byte{huge, deep, big, many, replay, wide, ctl}
}
