package socket_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestCallRoundTrip(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	connectTCP(t, s, addr, "svc", newSvc())

	got, err := s.Call("", "svc", "Swap", Pair{A: "ab", B: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"a": "abab", "b": float64(-3)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Swap = %#v, want %#v", got, want)
	}
	got, err = s.Call("trace-7", "svc", "Trace", nil)
	if err != nil || got != "trace-7" {
		t.Fatalf("Trace = %v, %v; want the trace id sent with the call", got, err)
	}
	raw, err := s.CallJSON(context.Background(), "", "svc", "Upper", []byte(`"shout"`))
	if err != nil || string(raw) != `"SHOUT"` {
		t.Fatalf("CallJSON = %s, %v", raw, err)
	}
	// No argument at all: the method gets its zero value.
	got, err = s.Call("", "svc", "Upper", nil)
	if err != nil || got != "" {
		t.Fatalf("Upper(no argument) = %#v, %v", got, err)
	}
}

func TestCallErrorsNamePluginAndMethod(t *testing.T) {
	s := newSocket(t)
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})

	cases := []struct {
		plugin, method string
		arg            any
		is             error
		text           string
	}{
		{"nobody", "Echo", 1, socket.ErrPluginNotFound, "nobody.Echo: plugin not connected"},
		{"svc", "Missing", 1, socket.ErrMethodNotFound, "svc.Missing: method not found"},
		{"svc", "Panic", "boom", socket.ErrPanic, "svc.Panic: panic: boom"},
		{"svc", "Fail", "no way", nil, "svc.Fail: no way"},
		{"svc", "Upper", 42, nil, "svc.Upper: bad argument for Upper"},
		{"svc", "Echo", func() {}, socket.ErrBadArgument, "svc.Echo: bad argument: encoding the argument"},
	}
	for _, c := range cases {
		_, err := s.Call("", c.plugin, c.method, c.arg)
		if err == nil {
			t.Errorf("%s.%s: no error", c.plugin, c.method)
			continue
		}
		var ce *socket.CallError
		if !errors.As(err, &ce) || ce.Plugin != c.plugin || ce.Method != c.method {
			t.Errorf("%s.%s: %v is not a CallError naming them", c.plugin, c.method, err)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s.%s: %v is not %v", c.plugin, c.method, err, c.is)
		}
		if !strings.HasPrefix(err.Error(), c.text) {
			t.Errorf("%s.%s: error %q, want it to start with %q", c.plugin, c.method, err, c.text)
		}
	}
	var re *socket.RemoteError
	_, err := s.Call("", "svc", "Fail", "no way")
	if !errors.As(err, &re) || re.Message != "no way" {
		t.Errorf("Fail: %v should carry the plugin's message as a RemoteError", err)
	}
	// The plugin that panicked goes on serving.
	if got, err := s.Call("", "svc", "Upper", "still here"); err != nil || got != "STILL HERE" {
		t.Fatalf("after a panic: %v, %v", got, err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	connectTCP(t, s, addr, "svc", newSvc())
	const callers, each = 64, 40
	var wg sync.WaitGroup
	for c := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				want := fmt.Sprintf("c%d-%d", c, i)
				got, err := s.Call("", "svc", "Echo", want)
				if err != nil || got != want {
					t.Errorf("Echo(%q) = %v, %v", want, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestPendingCallsFailWhenConnectionBreaks(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(info *plugin.Info, graceful bool) {
		if info.Name == "svc" {
			gone <- graceful
		}
	})()
	sv := newSvc()
	tp := connectTCP(t, s, addr, "svc", sv)

	const n = 3
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := s.Call("", "svc", "Block", fmt.Sprint(i))
			errs <- err
		}()
	}
	for range n {
		recv(t, sv.started)
	}
	tp.conn.Close() // the plugin's connection is cut mid-call
	for range n {
		err := recv(t, errs)
		if !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), "svc.Block") {
			t.Errorf("pending call ended with %v; want ErrDisconnected naming svc.Block", err)
		}
	}
	if graceful := recv(t, gone); graceful {
		t.Error("a cut connection was reported as graceful")
	}
	if err := tp.wait(t); !errors.Is(err, plugin.ErrDisconnected) {
		t.Errorf("plugin Start returned %v, want ErrDisconnected", err)
	}
}

func TestCallContextExpires(t *testing.T) {
	s := newSocket(t)
	sv := newSvc()
	plugintest.Connect(t, s, sv, &plugin.Info{Name: "svc"})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.CallContext(ctx, "", "svc", "Block", "slow")
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "svc.Block") {
		t.Fatalf("got %v, want DeadlineExceeded naming svc.Block", err)
	}
	recv(t, sv.started)
	// The plugin announced the cancel capability: its method's context ends.
	if err := recv(t, sv.canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("plugin-side context ended with %v", err)
	}
	// The late answer is dropped and the connection goes on serving.
	if got, err := s.Call("", "svc", "Upper", "ok"); err != nil || got != "OK" {
		t.Fatalf("after a timeout: %v, %v", got, err)
	}
}

func TestBroadcastWaitsForEveryPlugin(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	names := []string{"a", "b", "c", "d"}
	sv := newSvc()
	for _, n := range names {
		connectTCP(t, s, addr, n, sv)
	}
	res, errs := s.Broadcast("", "Upper", "x")
	if len(res) != len(names) || len(errs) != 0 {
		t.Fatalf("results %v, errors %v", res, errs)
	}
	for _, n := range names {
		if res[n] != "X" {
			t.Errorf("%s: %v", n, res[n])
		}
	}
	res, errs = s.Broadcast("", "Fail", "nope")
	if len(res) != 0 || len(errs) != len(names) {
		t.Fatalf("results %v, errors %v", res, errs)
	}
	for n, err := range errs {
		if !strings.Contains(err.Error(), n+".Fail: nope") {
			t.Errorf("%s: %v", n, err)
		}
	}
	// Broadcast returns only when every plugin has answered.
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, errs := s.Broadcast("", "Block", "all")
		if len(res) != len(names) || len(errs) != 0 {
			t.Errorf("results %v, errors %v", res, errs)
		}
	}()
	for range names {
		recv(t, sv.started)
	}
	select {
	case <-done:
		t.Fatal("Broadcast returned before the plugins answered")
	default:
	}
	close(sv.release)
	recv(t, done)
}

func TestBroadcastBlocksOnEveryPluginOfKind(t *testing.T) {
	// Broadcast to plugins that all block, released together.
	s := newSocket(t)
	sv := newSvc()
	for _, n := range []string{"p1", "p2", "p3"} {
		plugintest.Connect(t, s, sv, &plugin.Info{Name: n})
	}
	done := make(chan map[string]any)
	go func() {
		res, _ := s.Broadcast("", "Block", "b")
		done <- res
	}()
	for range 3 {
		recv(t, sv.started)
	}
	close(sv.release)
	if res := recv(t, done); len(res) != 3 {
		t.Fatalf("results %v", res)
	}
}
