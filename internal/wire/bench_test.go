package wire_test

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// BenchmarkDecodeEnvelope decodes envelopes as a connection's read loop
// does, after a handshake, for a small and a large payload.
func BenchmarkDecodeEnvelope(b *testing.B) {
	for _, size := range []int{16, 4096} {
		b.Run(map[int]string{16: "small", 4096: "4KiB"}[size], func(b *testing.B) {
			var head bytes.Buffer
			enc := gob.NewEncoder(&head)
			if err := enc.Encode(wire.Hello[fn]{Name: "p", Functions: map[string]fn{"M": {Name: "M", Input: &ent{Type: "int"}}}}); err != nil {
				b.Fatal(err)
			}
			env := wire.Envelope{Seq: 12345, Trace: "trace-1", Method: "Echo", Payload: bytes.Repeat([]byte("x"), size)}
			if err := enc.Encode(env); err != nil {
				b.Fatal(err)
			}
			n := head.Len()
			if err := enc.Encode(env); err != nil {
				b.Fatal(err)
			}
			body := append([]byte(nil), head.Bytes()[n:]...)
			dec := wire.NewDecoder(&repeater{head: head.Bytes()[:n], body: body}, 0)
			var h wire.Hello[fn]
			var got wire.Envelope
			if err := dec.Decode(&h); err != nil {
				b.Fatal(err)
			}
			if err := dec.DecodeEnvelope(&got); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := dec.DecodeEnvelope(&got); err != nil || got.Seq != 12345 {
					b.Fatal(got, err)
				}
			}
		})
	}
}

// BenchmarkDecodeHello decodes a handshake of 100 methods.
func BenchmarkDecodeHello(b *testing.B) {
	h := wire.Hello[fn]{Name: "p", Version: "1", Functions: map[string]fn{}}
	for i := range 100 {
		name := string(rune('A'+i%26)) + string(rune('a'+i/26))
		h.Functions[name] = fn{Name: name, Input: &ent{Type: "struct", Fields: []ent{{Name: "a", Type: "int"}, {Name: "b", Type: "string"}}}, Output: &ent{Type: "int"}}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(h); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		var got wire.Hello[fn]
		if err := wire.NewDecoder(bytes.NewReader(buf.Bytes()), 0).Decode(&got); err != nil {
			b.Fatal(err)
		}
	}
}
