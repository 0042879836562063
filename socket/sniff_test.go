package socket

import (
	"os"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	w "github.com/switchboard-rpc/switchboard/internal/wire/wiretest"
)

func firstTwo(b []byte) [sniffLen]byte { return [sniffLen]byte{b[0], b[1]} }

// No gob stream that could carry a handshake is taken for JSON-RPC: not the
// recorded brpc streams (and every value in them), not the hostile streams
// the wire tests build, and not any first message at all: a length of one
// byte followed by any type definition id gob can send.
func TestSniffNeverTakesGobForJSON(t *testing.T) {
	for _, name := range []string{"plugin-to-socket.gob", "socket-to-plugin.gob"} {
		b, err := os.ReadFile("../internal/wire/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if isJSONRPC(firstTwo(b)) {
			t.Fatalf("%s taken for JSON-RPC", name)
		}
		values, err := wire.Split(b)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range values {
			if isJSONRPC(firstTwo(v)) {
				t.Fatalf("%s: value %d (% x) taken for JSON-RPC", name, i, v[:2])
			}
		}
	}
	types := w.HelloTypes()
	for i, stream := range [][]byte{
		w.Cat(types, w.Hello("p", w.Functions(2), "")),
		w.Cat(types, w.Hello("p", w.OneFunction("M", w.DeepEntity(100)), "")),
		w.Cat(types, w.Hello("p\x1b[2J", w.Functions(2), ""), w.EnvelopeType(100), w.Envelope(100, 0, "Async", []byte("1"))),
	} {
		if isJSONRPC(firstTwo(stream)) {
			t.Fatalf("stream %d taken for JSON-RPC", i)
		}
	}
	// Any first message: a one-byte length (a longer one starts with a byte
	// of 0x80 or more, which no JSON starts with) and a type definition
	// (ids from 64 up, sent negated).
	// The byte after the length is the id's first; collect them all.
	firsts := map[byte]int64{}
	for id := int64(64); id < 1<<20; id++ {
		firsts[w.Int(-id)[0]] = id
	}
	for _, id := range []int64{1 << 31, 1<<62 + 5} {
		firsts[w.Int(-id)[0]] = id
	}
	for length := byte(1); length < 0x80; length++ {
		for first, id := range firsts {
			if isJSONRPC([sniffLen]byte{length, first}) {
				t.Fatalf("length %d, type id %d (%x...) taken for JSON-RPC", length, id, first)
			}
		}
	}
	for b0 := 0x80; b0 <= 0xff; b0++ {
		for b1 := 0; b1 <= 0xff; b1++ {
			if isJSONRPC([sniffLen]byte{byte(b0), byte(b1)}) {
				t.Fatalf("% x taken for JSON-RPC", []byte{byte(b0), byte(b1)})
			}
		}
	}
}

// What JSON-RPC libraries write first is taken for JSON-RPC.
func TestSniffTakesJSONRPC(t *testing.T) {
	for _, s := range []string{`{"jsonrpc":"2.0"`, `{ "id"`, "{\n", "{}", " {", "\n{", "\r\n{", "\t\t",
		"Content-Length: 52\r\n", "content-length: 3", " Content-Length"} {
		if !isJSONRPC(firstTwo([]byte(s))) {
			t.Errorf("%q not taken for JSON-RPC", s)
		}
	}
}
