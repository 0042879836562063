package wire_test

import (
	"bytes"
	"encoding/gob"
	"errors"
	"io"
	"os"
	"reflect"
	"sync"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// The handshake as the fixture's brpc plugin sent it, decoded into our types.
type fn struct {
	Name          string
	Input, Output *ent
}
type ent struct {
	Name      string
	Type      string
	Mandatory bool
	Fields    []ent
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodePluginToSocketFixture(t *testing.T) {
	dec := wire.NewDecoder(bytes.NewReader(readFixture(t, "plugin-to-socket.gob")), 0)
	var h wire.Hello[fn]
	if err := dec.Decode(&h); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	text := &ent{Type: "struct", Fields: []ent{
		{Name: "text", Type: "string", Mandatory: true},
		{Name: "count", Type: "int"},
	}}
	want := wire.Hello[fn]{Name: "echo", Version: "1.0.0", Functions: map[string]fn{
		"Echo": {Name: "Echo", Input: text, Output: text},
		"Fail": {Name: "Fail", Input: &ent{Type: "string"}, Output: &ent{Type: "string"}},
		"Tick": {Name: "Tick", Input: &ent{Type: "int"}, Output: &ent{Type: "int"}},
	}}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("handshake:\n got %+v\nwant %+v", h, want)
	}
	wantEnv := []wire.Envelope{
		{Seq: 0, Trace: "trace-1", Method: "Echo", Payload: []byte(`{"text":"hello","count":5}`)},
		{Seq: 1, Trace: "trace-2", Method: "Fail", Error: "refused: no"},
		{Seq: 2, Method: "Missing", Error: "method not found"},
		{Method: "Async", Payload: []byte(`{"tick":1}`)},
		{Method: "Async", Payload: []byte(`{"tick":2}`)},
		{Seq: 3, Trace: "trace-4", Method: "Tick", Payload: []byte(`2`)},
	}
	checkEnvelopes(t, dec, wantEnv)
}

func TestDecodeSocketToPluginFixture(t *testing.T) {
	dec := wire.NewDecoder(bytes.NewReader(readFixture(t, "socket-to-plugin.gob")), 0)
	checkEnvelopes(t, dec, []wire.Envelope{
		{Seq: 0, Trace: "trace-1", Method: "Echo", Payload: []byte(`{"text":"hello"}`)},
		{Seq: 1, Trace: "trace-2", Method: "Fail", Payload: []byte(`"no"`)},
		{Seq: 2, Method: "Missing", Payload: []byte(`1`)},
		{Seq: 3, Trace: "trace-4", Method: "Tick", Payload: []byte(`2`)},
		{Seq: 0, Trace: "trace-5", Method: "Shutdown"},
	})
}

func checkEnvelopes(t *testing.T, dec *wire.Decoder, want []wire.Envelope) {
	t.Helper()
	for i, w := range want {
		var got wire.Envelope
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("envelope %d: %v", i, err)
		}
		if got.Seq != w.Seq || got.Trace != w.Trace || got.Method != w.Method ||
			got.Error != w.Error || !bytes.Equal(got.Payload, w.Payload) {
			t.Errorf("envelope %d:\n got %+v (payload %q)\nwant %+v (payload %q)", i, got, got.Payload, w, w.Payload)
		}
	}
	var extra wire.Envelope
	if err := dec.Decode(&extra); err != io.EOF {
		t.Fatalf("after the last envelope: got %v, %+v; want io.EOF", err, extra)
	}
}

func TestSplitFixtures(t *testing.T) {
	for name, n := range map[string]int{"plugin-to-socket.gob": 7, "socket-to-plugin.gob": 5} {
		b := readFixture(t, name)
		parts, err := wire.Split(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(parts) != n {
			t.Fatalf("%s: %d values, want %d", name, len(parts), n)
		}
		if !bytes.Equal(bytes.Join(parts, nil), b) {
			t.Fatalf("%s: parts do not add up to the stream", name)
		}
	}
}

func TestDecoderRefusesOversizedMessage(t *testing.T) {
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(wire.Envelope{Method: "Echo", Payload: make([]byte, 4096)}); err != nil {
		t.Fatal(err)
	}
	dec := wire.NewDecoder(&buf, 1024)
	var env wire.Envelope
	err := dec.Decode(&env)
	if !errors.Is(err, wire.ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	// A huge announced length is refused before anything is allocated.
	huge := []byte{0xf8, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	err = wire.NewDecoder(bytes.NewReader(huge), 0).Decode(&env)
	if !errors.Is(err, wire.ErrTooLarge) {
		t.Fatalf("huge length: got %v, want ErrTooLarge", err)
	}
}

func TestDecoderReportsMalformedLength(t *testing.T) {
	var env wire.Envelope
	err := wire.NewDecoder(bytes.NewReader([]byte{0xf0, 1, 2}), 0).Decode(&env)
	if !errors.Is(err, wire.ErrMalformed) {
		t.Fatalf("got %v, want ErrMalformed", err)
	}
}

func TestDecoderTruncatedStream(t *testing.T) {
	b := readFixture(t, "socket-to-plugin.gob")
	dec := wire.NewDecoder(bytes.NewReader(b[:len(b)-5]), 0)
	var err error
	for err == nil {
		var env wire.Envelope
		err = dec.Decode(&env)
	}
	if err == io.EOF {
		t.Fatal("a stream cut inside a message must not look like a clean end")
	}
}

func TestEncoderConcurrentSendsArriveWhole(t *testing.T) {
	pr, pw := io.Pipe()
	enc := wire.NewEncoder(pw, 0)
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := enc.Send(&wire.Envelope{Seq: uint64(w*each + i), Method: "M"}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); pw.Close() }()
	dec := wire.NewDecoder(pr, 0)
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
		if seen[env.Seq] || env.Method != "M" {
			t.Fatalf("bad or repeated envelope %+v", env)
		}
		seen[env.Seq] = true
	}
	if len(seen) != writers*each {
		t.Fatalf("received %d envelopes, want %d", len(seen), writers*each)
	}
}

func TestReserved(t *testing.T) {
	for _, m := range []string{"Async", "Shutdown", "Cancel"} {
		if !wire.Reserved(m) {
			t.Errorf("%s should be reserved", m)
		}
	}
	if wire.Reserved("Echo") {
		t.Error("Echo is not reserved")
	}
}
