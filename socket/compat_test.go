package socket_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../internal/wire/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBrpcPluginFixture plays the recorded brpc plugin, byte for byte,
// against our socket, and checks that what our socket sends is what the brpc
// socket sent in the same session (../shared/design/wire-fixtures).
func TestBrpcPluginFixture(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	parts, err := wire.Split(fixture(t, "plugin-to-socket.gob"))
	if err != nil {
		t.Fatal(err)
	}
	hello, echo, fail, missing, async1, async2, tick := parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6]
	answers := map[string][]byte{
		"Echo": echo, "Fail": fail, "Missing": missing,
		"Tick": append(append(append([]byte{}, async1...), async2...), tick...),
	}

	startReading(t, s) // keep the async values for the reads below
	c := rawDial(t, addr)
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	// The fake plugin: answer each request with the recorded bytes. The
	// recording's seq numbers are 0..3 in call order, as ours are on a new
	// connection.
	sent := make(chan []wire.Envelope, 1)
	go func() {
		var got []wire.Envelope
		defer func() { sent <- got }()
		dec := wire.NewDecoder(c, 0)
		for {
			var env wire.Envelope
			if err := dec.Decode(&env); err != nil {
				return
			}
			got = append(got, env)
			if env.Method == wire.MethodShutdown {
				c.Close()
				return
			}
			c.Write(answers[env.Method])
		}
	}()
	if !s.WaitFor("echo", deadline) {
		t.Fatal("the brpc plugin was not registered")
	}
	info := s.PluginInfo("echo")
	text := &plugin.Entity{Type: "struct", Fields: []plugin.Entity{
		{Name: "text", Type: "string", Mandatory: true}, {Name: "count", Type: "int"},
	}}
	wantFns := map[string]plugin.Function{
		"Echo": {Name: "Echo", Input: text, Output: text},
		"Fail": {Name: "Fail", Input: &plugin.Entity{Type: "string"}, Output: &plugin.Entity{Type: "string"}},
		"Tick": {Name: "Tick", Input: &plugin.Entity{Type: "int"}, Output: &plugin.Entity{Type: "int"}},
	}
	if info.Version != "1.0.0" || !reflect.DeepEqual(info.Functions, wantFns) {
		t.Fatalf("registered %+v", info)
	}
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(_ *plugin.Info, graceful bool) { gone <- graceful })()

	got, err := s.Call("trace-1", "echo", "Echo", map[string]string{"text": "hello"})
	if !reflect.DeepEqual(got, map[string]any{"text": "hello", "count": float64(5)}) || err != nil {
		t.Fatalf("Echo = %v, %v", got, err)
	}
	var re *socket.RemoteError
	if _, err := s.Call("trace-2", "echo", "Fail", "no"); !errors.As(err, &re) || re.Message != "refused: no" {
		t.Fatalf("Fail: %v", err)
	}
	if _, err := s.Call("", "echo", "Missing", 1); !errors.Is(err, socket.ErrMethodNotFound) {
		t.Fatalf("Missing: %v", err)
	}
	if got, err := s.Call("trace-4", "echo", "Tick", 2); got != float64(2) || err != nil {
		t.Fatalf("Tick = %v, %v", got, err)
	}
	for i := 1; i <= 2; i++ {
		a, err := s.Async()
		if err != nil || a.Name != "echo" || !reflect.DeepEqual(a.Payload, map[string]any{"tick": float64(i)}) {
			t.Fatalf("async %d: %+v, %v", i, a, err)
		}
	}
	s.Unplug("trace-5", "echo")
	if !recv(t, gone) {
		t.Fatal("the brpc plugin's stop was not graceful")
	}

	// What our socket sent, against what the brpc socket sent.
	want := decodeAll(t, fixture(t, "socket-to-plugin.gob"))
	ours := recv(t, sent)
	if len(ours) != len(want) {
		t.Fatalf("socket sent %d envelopes, brpc sent %d: %+v", len(ours), len(want), ours)
	}
	for i := range want {
		o, w := ours[i], want[i]
		if o.Trace != w.Trace || o.Method != w.Method || o.Error != w.Error || !bytes.Equal(o.Payload, w.Payload) {
			t.Errorf("envelope %d: ours %+v (%s), brpc %+v (%s)", i, o, o.Payload, w, w.Payload)
		}
	}
}

func decodeAll(t *testing.T, b []byte) []wire.Envelope {
	t.Helper()
	dec := wire.NewDecoder(bytes.NewReader(b), 0)
	var out []wire.Envelope
	for {
		var env wire.Envelope
		if err := dec.Decode(&env); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, env)
	}
}

// The protocol spoken from the test itself, with types of its own: gob
// matches them by field name, as it would a brpc plugin's.
type rawHello struct {
	Name      string
	Version   string
	Functions map[string]rawFunction
}
type rawFunction struct {
	Name string
}
type rawEnvelope struct {
	Seq     uint64
	Trace   string
	Method  string
	Error   string
	Payload []byte
}

func TestRawGobPlugin(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	c := rawDial(t, addr)
	enc, dec := gob.NewEncoder(c), gob.NewDecoder(c)
	if err := enc.Encode(rawHello{Name: "raw", Version: "0.1", Functions: map[string]rawFunction{"Double": {Name: "Double"}}}); err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("raw", deadline) {
		t.Fatal("not registered")
	}
	// Two calls in flight, answered in reverse order, one with a late
	// async value; a caller that gives up is not sent Cancel, since this
	// plugin did not announce the capability.
	type result struct {
		v   any
		err error
	}
	results := make(chan result, 2)
	for _, n := range []int{3, 4} {
		go func() {
			v, err := s.Call("t", "raw", "Double", n)
			results <- result{v, err}
		}()
	}
	var reqs []rawEnvelope
	for range 2 {
		var r rawEnvelope
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, r)
	}
	if reqs[0].Seq == reqs[1].Seq {
		t.Fatalf("two requests share seq %d", reqs[0].Seq)
	}
	startReading(t, s)
	enc.Encode(rawEnvelope{Method: "Async", Payload: []byte(`"hi"`)})
	for i := len(reqs) - 1; i >= 0; i-- {
		r := reqs[i]
		out := []byte{r.Payload[0]*2 - '0'} // "3" -> "6", "4" -> "8"
		enc.Encode(rawEnvelope{Seq: r.Seq, Trace: r.Trace, Method: r.Method, Payload: out})
	}
	sum := 0.0
	for range 2 {
		r := recv(t, results)
		if r.err != nil {
			t.Fatal(r.err)
		}
		sum += r.v.(float64)
	}
	if sum != 14 {
		t.Fatalf("answers were paired wrongly: sum %v", sum)
	}
	if a, err := s.Async(); err != nil || a.Payload != "hi" {
		t.Fatalf("async: %+v, %v", a, err)
	}
	// An answer to nothing is dropped; the connection goes on.
	enc.Encode(rawEnvelope{Seq: 999, Method: "Double", Payload: []byte("0")})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		var r rawEnvelope
		if dec.Decode(&r) == nil {
			cancel()
			if dec.Decode(&r) == nil && r.Method == "Cancel" {
				t.Error("Cancel sent to a plugin without the capability")
			}
		}
	}()
	if _, err := s.CallContext(ctx, "", "raw", "Double", 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled call: %v", err)
	}
	// A duplicate raw plugin is told why, brpc's way.
	d := rawDial(t, addr)
	gob.NewEncoder(d).Encode(rawHello{Name: "raw"})
	var rej rawEnvelope
	if err := gob.NewDecoder(d).Decode(&rej); err != nil || rej.Method != "Shutdown" || rej.Error == "" {
		t.Fatalf("rejection: %+v, %v", rej, err)
	}
	closedByPeer(t, d)
}
