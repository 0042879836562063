package socket_test

import (
	"context"
	"encoding/gob"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	w "github.com/switchboard-rpc/switchboard/internal/wire/wiretest"
	"github.com/switchboard-rpc/switchboard/socket"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu         sync.Mutex
	calls      []socket.CallRecord
	broadcasts []socket.BroadcastRecord
	async      map[string]int
	connected  []socket.PeerRecord
	gone       chan socket.PeerRecord
}

func newRecorder() *recorder {
	return &recorder{async: map[string]int{}, gone: make(chan socket.PeerRecord, 10)}
}

func (r *recorder) CallDone(c socket.CallRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) BroadcastDone(b socket.BroadcastRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broadcasts = append(r.broadcasts, b)
}

func (r *recorder) AsyncReceived(name string, payload []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.async[name] += len(payload)
}

func (r *recorder) Connected(p socket.PeerRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.connected = append(r.connected, p)
}

func (r *recorder) Disconnected(p socket.PeerRecord, _ bool) { r.gone <- p }

func (r *recorder) snapshot() ([]socket.CallRecord, []socket.BroadcastRecord, []socket.PeerRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]socket.CallRecord(nil), r.calls...), append([]socket.BroadcastRecord(nil), r.broadcasts...),
		append([]socket.PeerRecord(nil), r.connected...)
}

// TestObserverSeesCallsBroadcastsAndPeers: the observer gets every call with
// its sizes and error, each plugin's part of a broadcast, the broadcast, the
// async values and the plugin's connect and disconnect, over real TCP.
func TestObserverSeesCallsBroadcastsAndPeers(t *testing.T) {
	rec := newRecorder()
	s := newSocket(t, socket.WithObserver(rec))
	addr := listen(t, s)
	tp := connectTCP(t, s, addr, "svc", newSvc())

	if _, err := s.Call("t1", "svc", "Upper", "abc"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Call("t2", "svc", "Fail", "no"); err == nil {
		t.Fatal("Fail succeeded")
	}
	if _, err := s.Call("t3", "ghost", "Any", nil); !errors.Is(err, socket.ErrPluginNotFound) {
		t.Fatalf("call to a missing plugin: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	_, err := s.CallContext(ctx, "t4", "svc", "Block", "x")
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Block: %v", err)
	}
	if _, err := s.Call("t5", "svc", "Emit", 3); err != nil {
		t.Fatal(err)
	}
	_, errs := s.Broadcast("t6", "Upper", "b")
	if len(errs) != 0 {
		t.Fatal(errs)
	}

	calls, bcs, peers := rec.snapshot()
	if len(calls) != 6 {
		t.Fatalf("%d calls observed, want 6: %+v", len(calls), calls)
	}
	want := []struct {
		trace, plugin, method string
		req, resp             int
		err                   error
		broadcast             bool
	}{
		{"t1", "svc", "Upper", 5, 5, nil, false},
		{"t2", "svc", "Fail", 4, 0, errAny, false},
		{"t3", "ghost", "Any", 0, 0, socket.ErrPluginNotFound, false},
		{"t4", "svc", "Block", 3, 0, context.DeadlineExceeded, false},
		{"t5", "svc", "Emit", 1, 1, nil, false},
		{"t6", "svc", "Upper", 3, 3, nil, true},
	}
	for i, w := range want {
		c := calls[i]
		if c.Trace != w.trace || c.Plugin != w.plugin || c.Method != w.method || c.RequestBytes != w.req ||
			c.ResponseBytes != w.resp || c.Broadcast != w.broadcast || c.Start.IsZero() || c.Duration <= 0 {
			t.Errorf("call %d: %+v, want %+v", i, c, w)
		}
		switch {
		case w.err == nil && c.Err != nil, w.err != nil && c.Err == nil:
			t.Errorf("call %d: err %v, want %v", i, c.Err, w.err)
		case w.err != nil && w.err != errAny && !errors.Is(c.Err, w.err):
			t.Errorf("call %d: err %v, want %v", i, c.Err, w.err)
		}
	}
	if len(bcs) != 1 || bcs[0].Method != "Upper" || bcs[0].Plugins != 1 || bcs[0].Failed != 0 || bcs[0].Trace != "t6" {
		t.Errorf("broadcasts %+v", bcs)
	}
	if len(peers) != 1 || peers[0].Name != "svc" || peers[0].Version != "1.0" || peers[0].Protocol != "brpc" || peers[0].Network != "tcp" || peers[0].Remote == "" {
		t.Errorf("connected %+v", peers)
	}
	rec.mu.Lock()
	async := rec.async["svc"]
	rec.mu.Unlock()
	if async != 3 { // "0", "1", "2"; Emit sends them before it answers
		t.Errorf("async bytes %d, want 3", async)
	}
	tp.p.Stop()
	if p := recv(t, rec.gone); p.Name != "svc" {
		t.Errorf("disconnected %+v", p)
	}
}

// errAny stands for "some error" in the table above.
var errAny = errors.New("any error")

func TestWithObserverNil(t *testing.T) {
	if _, err := socket.New(socket.WithObserver(nil)); !errors.Is(err, socket.ErrInvalidOption) {
		t.Fatalf("WithObserver(nil): %v", err)
	}
}

// A plugin reached through NATS is reported to the observer as one, with
// its instances in the description the socket holds.
func TestObserverSeesNATSPlugin(t *testing.T) {
	ns := startNATS(t, nil)
	rec := newRecorder()
	s := natsHost(t, ns.ClientURL(), socket.WithObserver(rec))
	serveNATS(t, ns.ClientURL(), "svc", newSvc())
	if !s.WaitFor("svc", deadline) {
		t.Fatal("the NATS plugin was not found")
	}
	if _, err := s.Call("t1", "svc", "Upper", "abc"); err != nil {
		t.Fatal(err)
	}
	calls, _, peers := rec.snapshot()
	if len(peers) != 1 || peers[0].Name != "svc" || peers[0].Protocol != "nats" || peers[0].Network != "nats" {
		t.Errorf("connected %+v", peers)
	}
	if len(calls) != 1 || calls[0].Plugin != "svc" || calls[0].Err != nil {
		t.Errorf("calls %+v", calls)
	}
	if info := s.Connected(true)["svc"]; info == nil || len(info.Instances) != 1 {
		t.Errorf("instances of svc: %+v", info)
	}
}

// A Call whose argument does not encode is reported, with nothing sent,
// as the ErrBadArgument the caller gets; one whose result does not decode
// (a raw plugin answers with arrays nested past encoding/json's limit) as
// ErrBadResponse, with the answer's size, not as a success. So is a
// Broadcast whose argument does not encode.
func TestObserverSeesBadArgumentAndBadResponse(t *testing.T) {
	rec := newRecorder()
	s := newSocket(t, socket.WithObserver(rec))
	c := rawDial(t, listen(t, s))
	const env = 2000
	if _, err := c.Write(w.Cat(types(), w.Hello("raw", w.Functions(1), ""), w.EnvelopeType(env))); err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("raw", deadline) {
		t.Fatal("the plugin was not registered")
	}
	const depth = 10_001 // encoding/json's limit is 10,000
	deep := []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
	go func() { // answer every request with deep
		dec := gob.NewDecoder(c)
		for {
			var req rawEnvelope
			if dec.Decode(&req) != nil {
				return
			}
			c.Write(w.Envelope(env, req.Seq, req.Method, deep))
		}
	}()

	if _, err := s.Call("t1", "raw", "m0", func() {}); !errors.Is(err, socket.ErrBadArgument) {
		t.Fatalf("call with a func argument: %v", err)
	}
	if _, errs := s.Broadcast("t2", "m0", make(chan int)); !errors.Is(errs["*"], socket.ErrBadArgument) {
		t.Fatalf("broadcast with a chan argument: %v", errs)
	}
	if _, err := s.Call("t3", "raw", "m0", "x"); !errors.Is(err, socket.ErrBadResponse) {
		t.Fatalf("call answered %d deep: %v", depth, err)
	}

	calls, bcs, _ := rec.snapshot()
	if len(calls) != 2 {
		t.Fatalf("%d calls observed, want 2: %+v", len(calls), calls)
	}
	if c := calls[0]; c.Trace != "t1" || !errors.Is(c.Err, socket.ErrBadArgument) || c.RequestBytes != 0 || c.ResponseBytes != 0 || c.Start.IsZero() {
		t.Errorf("bad argument observed as %+v", c)
	}
	if c := calls[1]; c.Trace != "t3" || !errors.Is(c.Err, socket.ErrBadResponse) || c.RequestBytes != 3 || c.ResponseBytes != len(deep) || c.Duration <= 0 {
		t.Errorf("bad response observed as %+v", c)
	}
	if len(bcs) != 1 || bcs[0].Trace != "t2" || !errors.Is(bcs[0].Err, socket.ErrBadArgument) || bcs[0].Plugins != 0 {
		t.Errorf("broadcasts %+v", bcs)
	}
}
