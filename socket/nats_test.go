package socket_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// A plugin served over NATS is called, described, sends async values and
// is unplugged like one that dials the socket.
func TestNATSPluginCallAsyncUnplug(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL())
	connected := make(chan string, 4)
	disconnected := make(chan bool, 4)
	values := make(chan any, 16)
	unsub := s.Subscribe(socket.Handlers{
		Connect:    func(info *plugin.Info) { connected <- info.Name },
		Disconnect: func(_ *plugin.Info, graceful bool) { disconnected <- graceful },
		Async:      func(a socket.AsyncData) { values <- a.Payload },
	})
	defer unsub()
	np := serveNATS(t, ns.ClientURL(), "svc", newSvc())
	if !s.WaitFor("svc", deadline) {
		t.Fatal("the NATS plugin was not found")
	}
	if got := recv(t, connected); got != "svc" {
		t.Fatalf("connected %q", got)
	}
	out, err := s.Call("t1", "svc", "Upper", "abc")
	if err != nil || out != "ABC" {
		t.Fatalf("Upper = %v, %v", out, err)
	}
	if out, err := s.Call("trace-9", "svc", "Trace", nil); err != nil || out != "trace-9" {
		t.Fatalf("Trace = %v, %v", out, err)
	}
	if _, err := s.Call("", "svc", "Fail", "boom"); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("Fail: %v", err)
	}
	if _, err := s.Call("", "svc", "Panic", "ouch"); !errors.Is(err, socket.ErrPanic) {
		t.Fatalf("Panic: %v", err)
	}
	if _, err := s.Call("", "svc", "Nope", nil); !errors.Is(err, socket.ErrMethodNotFound) {
		t.Fatalf("Nope: %v", err)
	}
	f, ok := s.MethodInfo("svc", "Swap")
	if !ok || f.Input == nil || f.Input.Type != "struct" || len(f.Input.Fields) != 2 {
		t.Fatalf("Swap's description: %+v %v", f, ok)
	}
	if n, err := s.Call("", "svc", "Emit", 3); err != nil || n != float64(3) {
		t.Fatalf("Emit = %v, %v", n, err)
	}
	for i := range 3 {
		if v := recv(t, values); v != float64(i) {
			t.Fatalf("async value %d = %v", i, v)
		}
	}
	s.Unplug("bye", "svc")
	if err := np.wait(t); err != nil {
		t.Fatalf("StartNATS after unplug: %v", err)
	}
	if !recv(t, disconnected) {
		t.Fatal("an unplugged NATS plugin went ungracefully")
	}
	if _, err := s.Call("", "svc", "Upper", "x"); !errors.Is(err, socket.ErrPluginNotFound) {
		t.Fatalf("a call after unplug: %v", err)
	}
}

// A call's context bounds it and cancels the request in the plugin.
func TestNATSCallCancel(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL())
	v := newSvc()
	serveNATS(t, ns.ClientURL(), "svc", v)
	if !s.WaitFor("svc", deadline) {
		t.Fatal("not found")
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := s.CallContext(ctx, "", "svc", "Block", "a")
		errc <- err
	}()
	recv(t, v.started)
	cancel()
	if err := recv(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled call: %v", err)
	}
	if err := recv(t, v.canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("the plugin's context: %v", err)
	}
}

// A request past the server's max_payload fails at once with
// ErrMessageTooLarge.
func TestNATSMaxPayload(t *testing.T) {
	o := natsOpts()
	o.MaxPayload = 4096
	ns := startNATS(t, o)
	s := natsHost(t, ns.ClientURL())
	serveNATS(t, ns.ClientURL(), "svc", newSvc())
	if !s.WaitFor("svc", deadline) {
		t.Fatal("not found")
	}
	_, err := s.Call("", "svc", "Echo", strings.Repeat("x", 5000))
	if !errors.Is(err, socket.ErrMessageTooLarge) || !strings.Contains(err.Error(), "max_payload of 4096") {
		t.Fatalf("a large request: %v", err)
	}
	if out, err := s.Call("", "svc", "Echo", "small"); err != nil || out != "small" {
		t.Fatalf("Echo = %v, %v", out, err)
	}
	// Swap doubles its string: the answer is past the limit, the request not.
	_, err = s.Call("", "svc", "Swap", map[string]any{"a": strings.Repeat("y", 3000)})
	var re *socket.RemoteError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "past the NATS server's max_payload of 4096") {
		t.Fatalf("a large answer: %v", err)
	}
}

// A host with a token registers only the instances that prove they know
// it.
func TestNATSToken(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL(), socket.WithToken("s3cret"))
	serveNATS(t, ns.ClientURL(), "wrong", newSvc(), plugin.WithToken("guess"))
	serveNATS(t, ns.ClientURL(), "none", newSvc())
	serveNATS(t, ns.ClientURL(), "right", newSvc(), plugin.WithToken("s3cret"))
	if !s.WaitFor("right", deadline) {
		t.Fatal("the plugin with the token was not registered")
	}
	checkFor(t, func() bool { return s.Stats().Refused >= 2 }, "two refusals, have %d", s.Stats().Refused)
	if got := s.Connected(false); len(got) != 1 {
		t.Fatalf("connected: %v", got)
	}
}

// hooked sends values through the async hook.
type hooked struct{ hook chan<- any }

func (h *hooked) UseAsyncHook(c chan any) { h.hook = c }

func (h *hooked) Send(_ context.Context, n int) (int, error) {
	for i := range n {
		h.hook <- i
	}
	return n, nil
}

// Values put in the async hook reach the host in order, the last ones too
// when the plugin stops right after.
func TestNATSAsyncHook(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL())
	values := make(chan any, 200)
	defer s.Subscribe(socket.Handlers{Async: func(a socket.AsyncData) { values <- a.Payload }})()
	np := serveNATS(t, ns.ClientURL(), "hooked", &hooked{})
	if !s.WaitFor("hooked", deadline) {
		t.Fatal("not found")
	}
	if _, err := s.Call("", "hooked", "Send", 100); err != nil {
		t.Fatal(err)
	}
	np.p.Stop()
	if err := np.wait(t); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if v := recv(t, values); v != float64(i) {
			t.Fatalf("value %d is %v", i, v)
		}
	}
}
