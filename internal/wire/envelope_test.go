package wire_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// envelopes covers every combination of present and absent fields, and
// numbers and lengths that take several bytes in gob's encoding.
func envelopes() []wire.Envelope {
	var out []wire.Envelope
	for mask := range 32 {
		var e wire.Envelope
		if mask&1 != 0 {
			e.Seq = uint64(mask) * 0x0123456789
		}
		if mask&2 != 0 {
			e.Trace = "trace"
		}
		if mask&4 != 0 {
			e.Method = "Method"
		}
		if mask&8 != 0 {
			e.Error = string(bytes.Repeat([]byte("e"), 300))
		}
		if mask&16 != 0 {
			e.Payload = bytes.Repeat([]byte("p"), 70000)
		}
		out = append(out, e)
	}
	return append(out, wire.Envelope{Seq: 127}, wire.Envelope{Seq: 128}, wire.Envelope{Seq: 1<<64 - 1})
}

// The hand-written envelope encoding is byte for byte what gob writes, after
// a handshake of another type, as a plugin sends it.
func TestEncoderWritesWhatGobWrites(t *testing.T) {
	var want, got bytes.Buffer
	ref := gob.NewEncoder(&want)
	enc := wire.NewEncoder(&got, 0)
	hello := wire.Hello[fn]{Name: "p", Functions: map[string]fn{"M": {Name: "M", Input: &ent{Type: "int"}}}}
	if err := ref.Encode(hello); err != nil {
		t.Fatal(err)
	}
	if err := enc.Send(&hello); err != nil {
		t.Fatal(err)
	}
	for _, e := range envelopes() {
		if err := ref.Encode(e); err != nil {
			t.Fatal(err)
		}
		if err := enc.Send(&e); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("streams differ:\n got %x\nwant %x", got.Bytes()[:min(200, got.Len())], want.Bytes()[:min(200, want.Len())])
	}
	// And the decoder reads it back, handshake through gob, envelopes by hand.
	dec := wire.NewDecoder(&got, 0)
	var h wire.Hello[fn]
	if err := dec.Decode(&h); err != nil || h.Name != "p" || h.Functions["M"].Input.Type != "int" {
		t.Fatalf("handshake %+v, %v", h, err)
	}
	checkEnvelopes(t, dec, envelopes())
}

// A peer whose envelope type has fields we lack, or lacks some of ours, in
// another order, is decoded by name as gob does.
func TestDecoderMatchesFieldsByName(t *testing.T) {
	type other struct {
		Extra   string
		Payload []byte
		Count   int
		Method  string
		Seq     uint64
		Flag    bool
		Ratio   float64
	}
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	in := []other{
		{Extra: "x", Payload: []byte("1"), Count: -5, Method: "M", Seq: 9, Flag: true, Ratio: 1.5},
		{Method: "Async"},
	}
	for _, o := range in {
		if err := enc.Encode(o); err != nil {
			t.Fatal(err)
		}
	}
	dec := wire.NewDecoder(&buf, 0)
	checkEnvelopes(t, dec, []wire.Envelope{
		{Seq: 9, Method: "M", Payload: []byte("1")},
		{Method: "Async"},
	})
	if err := dec.Decode(new(wire.Envelope)); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
}

// The decoder's own buffering gives the same values however the stream is
// cut into reads: one byte at a time, half of what was asked, or with the
// final read carrying io.EOF along with data.
func TestDecoderAnyReadSizes(t *testing.T) {
	var stream bytes.Buffer
	enc := wire.NewEncoder(&stream, 0)
	hello := wire.Hello[fn]{Name: "p"}
	if err := enc.Send(&hello); err != nil {
		t.Fatal(err)
	}
	for _, e := range envelopes() {
		if err := enc.Send(&e); err != nil {
			t.Fatal(err)
		}
	}
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"whole":   func(r io.Reader) io.Reader { return r },
		"onebyte": iotest.OneByteReader,
		"half":    iotest.HalfReader,
		"dataerr": iotest.DataErrReader,
	} {
		t.Run(name, func(t *testing.T) {
			dec := wire.NewDecoder(wrap(bytes.NewReader(stream.Bytes())), 0)
			var h wire.Hello[fn]
			if err := dec.Decode(&h); err != nil || h.Name != "p" {
				t.Fatalf("handshake %+v, %v", h, err)
			}
			checkEnvelopes(t, dec, envelopes())
		})
	}
}

// Once an envelope has been sent, the encoder sends nothing but envelopes.
func TestEncoderOnlyEnvelopesAfterEnvelope(t *testing.T) {
	enc := wire.NewEncoder(io.Discard, 0)
	if err := enc.Send(&wire.Hello[fn]{Name: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Send(&wire.Envelope{Method: "M"}); err != nil {
		t.Fatal(err)
	}
	if err := enc.Send(&wire.Hello[fn]{Name: "p"}); !errors.Is(err, wire.ErrAfterEnvelope) {
		t.Fatalf("got %v, want ErrAfterEnvelope", err)
	}
	if err := enc.Send(&wire.Envelope{Method: "M"}); err != nil {
		t.Fatalf("an envelope after the refused value: %v", err)
	}
}

// slowWriter takes a while over every write, so that Sends pile up behind
// the one that is writing.
type slowWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *slowWriter) Write(p []byte) (int, error) {
	time.Sleep(time.Millisecond)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// Flush returns once everything sent before it has been written, even what
// other Sends left to the one writing; and concurrent Sends coalesce.
func TestEncoderFlushWaitsForQueuedValues(t *testing.T) {
	w := &slowWriter{}
	enc := wire.NewEncoder(w, 0)
	const senders = 16
	var wg sync.WaitGroup
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := enc.Send(&wire.Envelope{Seq: uint64(i), Method: "M"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	b := bytes.Clone(w.buf.Bytes())
	w.mu.Unlock()
	dec := wire.NewDecoder(bytes.NewReader(b), 0)
	seen := map[uint64]bool{}
	for {
		var env wire.Envelope
		err := dec.Decode(&env)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		seen[env.Seq] = true
	}
	if len(seen) != senders {
		t.Fatalf("%d envelopes written before Flush returned, want %d", len(seen), senders)
	}
}
