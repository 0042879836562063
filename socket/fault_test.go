package socket_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// TestConnectionCutMidFrame: a plugin whose connection ends in the middle
// of a message (half of a gob value written, then closed). Its pending calls
// fail with an error naming it, it is reported gone ungracefully, and the
// hub goes on serving the others and takes the name back.
func TestConnectionCutMidFrame(t *testing.T) {
	logs := &logBuffer{}
	s := newSocket(t, socket.WithLogger(logs.logger()))
	addr := listen(t, s)
	connectTCP(t, s, addr, "bystander", newSvc())
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(info *plugin.Info, graceful bool) {
		if info.Name == "torn" {
			gone <- graceful
		}
	})()

	c := rawDial(t, addr)
	var buf bytes.Buffer
	enc := gob.NewEncoder(&buf) // one stream, written to c by hand
	if err := enc.Encode(rawHello{Name: "torn", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	c.Write(buf.Bytes())
	buf.Reset()
	if !s.WaitFor("torn", deadline) {
		t.Fatal("raw plugin not registered")
	}
	const pending = 3
	errs := make(chan error, pending)
	for i := range pending {
		go func() {
			_, err := s.Call("", "torn", "Work", i)
			errs <- err
		}()
	}
	dec := gob.NewDecoder(c)
	var req rawEnvelope
	for range pending {
		if err := dec.Decode(&req); err != nil {
			t.Fatal(err)
		}
	}
	// Half of an answer, then the connection ends.
	if err := enc.Encode(rawEnvelope{Seq: req.Seq, Method: req.Method, Payload: []byte(`"a long enough answer"`)}); err != nil {
		t.Fatal(err)
	}
	frame := buf.Bytes()
	c.Write(frame[:len(frame)/2])
	c.Close()

	for range pending {
		err := recv(t, errs)
		if !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), "torn.Work") {
			t.Errorf("pending call ended with %v; want ErrDisconnected naming torn.Work", err)
		}
	}
	if graceful := recv(t, gone); graceful {
		t.Error("a torn connection was reported as graceful")
	}
	logs.waitLog(t, "plugin connection failed")
	if got, err := s.Call("", "bystander", "Upper", "still here"); err != nil || got != "STILL HERE" {
		t.Fatalf("the hub stopped serving: %v, %v", got, err)
	}
	connectTCP(t, s, addr, "torn", newSvc()) // the name is free again
}

// TestPluginThatStopsReading: a raw plugin handshakes, then never reads.
// Once the socket's buffers and the kernel's are full, a write blocks; it
// gives up after the write timeout instead of blocking for ever, the
// connection is closed, and every call on it fails.
func TestPluginThatStopsReading(t *testing.T) {
	logs := &logBuffer{}
	const writeTimeout = 200 * time.Millisecond
	s := newSocket(t, socket.WithLogger(logs.logger()), socket.WithWriteTimeout(writeTimeout))
	addr := listen(t, s)
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(info *plugin.Info, graceful bool) { gone <- graceful })()

	c := rawDial(t, addr)
	if err := gob.NewEncoder(c).Encode(rawHello{Name: "deaf", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("deaf", deadline) {
		t.Fatal("raw plugin not registered")
	}
	// 1 MiB per call: far more than loopback buffers hold in all.
	payload, _ := json.Marshal(strings.Repeat("x", 1<<20))
	const calls = 32
	errs := make(chan error, calls)
	start := time.Now()
	for range calls {
		go func() {
			_, err := s.CallJSON(t.Context(), "", "deaf", "Swallow", payload)
			errs <- err
		}()
	}
	for range calls {
		err := recv(t, errs)
		if !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), "deaf.Swallow") {
			t.Fatalf("call to a plugin that does not read ended with %v; want ErrDisconnected naming deaf.Swallow", err)
		}
	}
	took := time.Since(start)
	t.Logf("%d calls failed %v after they started (write timeout %v)", calls, took, writeTimeout)
	if took < writeTimeout {
		t.Errorf("calls failed after %v, before the write timeout", took)
	}
	if graceful := recv(t, gone); graceful {
		t.Error("reported as graceful")
	}
	logs.waitLog(t, "write failed, closing the connection")
	closedByPeer(t, c)
	if s.PluginInfo("deaf") != nil {
		t.Fatal("the deaf plugin is still registered")
	}
}

// TestCallsFailFastOnAGonePlugin: once a plugin's connection has ended, new
// calls to it fail at once; none waits.
func TestCallsFailFastOnAGonePlugin(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	tp := connectTCP(t, s, addr, "brief", newSvc())
	tp.conn.Close()
	checkFor(t, func() bool { return s.PluginInfo("brief") == nil }, "the plugin to go")
	for i := range 10 {
		_, err := s.Call("", "brief", "Upper", fmt.Sprint(i))
		if !errors.Is(err, socket.ErrPluginNotFound) {
			t.Fatalf("call %d: %v; want ErrPluginNotFound", i, err)
		}
	}
}

// TestBroadcastIsNotHeldUpByADeafPlugin: a plugin that stopped reading
// blocks only its own request of a broadcast; the others are sent and
// answered at once, long before the write timeout gives up on it.
func TestBroadcastIsNotHeldUpByADeafPlugin(t *testing.T) {
	// The broadcast's context ends well before the write timeout: with
	// requests held up behind the deaf plugin's, the healthy plugins would
	// answer only after it, too late; without, they have seconds to spare
	// even on a loaded machine.
	const writeTimeout = 10 * time.Second
	s := newSocket(t, socket.WithWriteTimeout(writeTimeout))
	addr := listen(t, s)
	c := rawDial(t, addr)
	if err := gob.NewEncoder(c).Encode(rawHello{Name: "deaf", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	// Plugins are called in map order: several healthy ones make it
	// likely that some come after the deaf one.
	healthy := []string{"a", "b", "c"}
	for _, name := range healthy {
		connectTCP(t, s, addr, name, newSvc())
	}
	if !s.WaitFor("deaf", deadline) {
		t.Fatal("raw plugin not registered")
	}
	// More than the loopback buffers hold, so the write to the deaf plugin
	// blocks; Trace answers the healthy ones with a few bytes.
	payload, _ := json.Marshal(strings.Repeat("x", 6<<20))
	ctx, cancel := context.WithTimeout(t.Context(), writeTimeout*3/10)
	defer cancel()
	res, errs := s.BroadcastJSON(ctx, "", "Trace", payload)
	if len(res) != len(healthy) {
		t.Fatalf("%d healthy plugins answered (errors %v); a deaf plugin held the others up", len(res), errs)
	}
	// Its call ends with the context, though its request is still being
	// written: the write timeout is far off.
	if err := errs["deaf"]; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the deaf plugin's call ended with %v; want context.DeadlineExceeded", err)
	}
}

// TestBroadcastToADeafPluginEnds: a broadcast without a deadline, to a
// plugin that stopped reading, still returns: the request the broadcast
// left to be written in the background times out, the connection closes
// and the deaf plugin's call fails, while the others answer.
func TestBroadcastToADeafPluginEnds(t *testing.T) {
	logs := &logBuffer{}
	const writeTimeout = 200 * time.Millisecond
	s := newSocket(t, socket.WithLogger(logs.logger()), socket.WithWriteTimeout(writeTimeout))
	addr := listen(t, s)
	c := rawDial(t, addr)
	if err := gob.NewEncoder(c).Encode(rawHello{Name: "deaf", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	connectTCP(t, s, addr, "healthy", newSvc())
	if !s.WaitFor("deaf", deadline) {
		t.Fatal("raw plugin not registered")
	}
	payload, _ := json.Marshal(strings.Repeat("x", 6<<20)) // more than the loopback buffers hold
	done := make(chan struct{})
	var res map[string]json.RawMessage
	var errs map[string]error
	go func() {
		defer close(done)
		res, errs = s.BroadcastJSON(context.Background(), "", "Trace", payload)
	}()
	recv(t, done)
	if _, ok := res["healthy"]; !ok || len(res) != 1 {
		t.Fatalf("results %v, errors %v; want healthy's answer only", res, errs)
	}
	if err := errs["deaf"]; !errors.Is(err, socket.ErrDisconnected) {
		t.Fatalf("deaf plugin's error %v; want ErrDisconnected", err)
	}
	logs.waitLog(t, "write failed, closing the connection")
}

// TestCallContextBoundsAStuckRequest: a call's context bounds it even while
// its request cannot be written because the plugin stopped reading; the
// write timeout, far longer, does not hold the caller.
func TestCallContextBoundsAStuckRequest(t *testing.T) {
	s := newSocket(t, socket.WithWriteTimeout(time.Hour))
	addr := listen(t, s)
	c := rawDial(t, addr)
	if err := gob.NewEncoder(c).Encode(rawHello{Name: "deaf", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("deaf", deadline) {
		t.Fatal("raw plugin not registered")
	}
	payload, _ := json.Marshal(strings.Repeat("x", 6<<20)) // more than the loopback buffers hold
	errc := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, err := s.CallJSON(ctx, "", "deaf", "Swallow", payload)
		errc <- err
	}()
	if err := recv(t, errc); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("call ended with %v; want context.DeadlineExceeded", err)
	}
	c.Close() // lets the background write fail, and the socket shut down
}
