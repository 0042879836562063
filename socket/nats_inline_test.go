package socket_test

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/internal/natswire"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// blockedBehind starts Block("a") on the NATS plugin svc, waits until it
// runs, then sends Block("b") and waits until the instance has read that
// request: a spy subscribed to the method's subject has seen it, and a
// later call (Upper) on the same connections has been answered, which the
// instance reads after it. It returns the two calls' errors.
func blockedBehind(t *testing.T, url string, sv *svc, call func(tag string) error) <-chan error {
	t.Helper()
	spy := dialNATS(t, url)
	seen := make(chan string, 4)
	if _, err := spy.Subscribe(natswire.CallSubject("svc", "*", "Block"), func(m *nats.Msg) { seen <- string(m.Data) }); err != nil {
		t.Fatal(err)
	}
	if err := spy.Flush(); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 2)
	go func() { errs <- call("a") }()
	if tag := recv(t, sv.started); tag != "a" {
		t.Fatalf("started %q", tag)
	}
	go func() { errs <- call("b") }()
	for recv(t, seen) != `"b"` {
	}
	if err := call(""); err != nil { // Upper, after b on every hop
		t.Fatal(err)
	}
	return errs
}

// WithNATSInline serves a method's requests one at a time on the
// subscription's goroutine: a second call waits for the first, while
// other methods are served meanwhile, and a panic is an error as for any
// method. Without it (the control) the second call runs beside the first.
func TestNATSInlineServesOneAtATime(t *testing.T) {
	for _, inline := range []bool{true, false} {
		name := "concurrent"
		if inline {
			name = "inline"
		}
		t.Run(name, func(t *testing.T) {
			ns := startNATS(t, nil)
			s := natsHost(t, ns.ClientURL())
			sv := newSvc()
			var opts []plugin.Option
			if inline {
				opts = append(opts, plugin.WithNATSInline("Block", "Echo", "Panic"))
			}
			serveNATS(t, ns.ClientURL(), "svc", sv, opts...)
			t.Cleanup(func() { close(sv.release) }) // on a failure, before the plugin stops
			if !s.WaitFor("svc", deadline) {
				t.Fatal("the NATS plugin was not found")
			}
			call := func(tag string) error {
				if tag == "" {
					out, err := s.Call("", "svc", "Upper", "x")
					if err == nil && out != "X" {
						err = errors.New("Upper answered " + out.(string))
					}
					return err
				}
				_, err := s.Call("", "svc", "Block", tag)
				return err
			}
			errs := blockedBehind(t, ns.ClientURL(), sv, call)
			if !inline {
				if tag := recv(t, sv.started); tag != "b" {
					t.Fatalf("started %q", tag)
				}
				sv.release <- struct{}{}
				sv.release <- struct{}{}
			} else {
				select {
				case tag := <-sv.started:
					t.Fatalf("%q started while a ran", tag)
				default:
				}
				sv.release <- struct{}{} // a's
				if tag := recv(t, sv.started); tag != "b" {
					t.Fatalf("started %q", tag)
				}
				sv.release <- struct{}{}
			}
			for range 2 {
				if err := recv(t, errs); err != nil {
					t.Fatal(err)
				}
			}
			if out, err := s.Call("", "svc", "Echo", "e"); err != nil || out != "e" {
				t.Fatalf("Echo = %v, %v", out, err)
			}
			if _, err := s.Call("", "svc", "Panic", "p"); !errors.Is(err, socket.ErrPanic) {
				t.Fatalf("Panic: %v", err)
			}
			if out, err := s.Call("", "svc", "Echo", "after"); err != nil || out != "after" {
				t.Fatalf("Echo after a panic = %v, %v", out, err)
			}
		})
	}
}

// A call of an inline method that its caller gives up on is cancelled in
// the plugin: the cancel comes on another subscription than the request.
func TestNATSInlineCancel(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL())
	sv := newSvc()
	serveNATS(t, ns.ClientURL(), "svc", sv, plugin.WithNATSInline("Block"))
	if !s.WaitFor("svc", deadline) {
		t.Fatal("the NATS plugin was not found")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := s.CallContext(ctx, "", "svc", "Block", "c")
		done <- err
	}()
	recv(t, sv.started)
	cancel()
	if err := recv(t, done); !errors.Is(err, context.Canceled) {
		t.Fatalf("the call: %v", err)
	}
	if err := recv(t, sv.canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("the method's context: %v", err)
	}
	if out, err := s.Call("", "svc", "Upper", "ok"); err != nil || out != "OK" {
		t.Fatalf("after the cancel, Upper = %v, %v", out, err)
	}
}

// StartNATS refuses WithNATSInline naming a method it would not serve,
// before it announces anything.
func TestNATSInlineUnknownMethod(t *testing.T) {
	ns := startNATS(t, nil)
	p, err := plugin.New(plugin.WithNATSInline("Upper", "Nope"))
	if err != nil {
		t.Fatal(err)
	}
	err = p.StartNATS(newSvc(), &plugin.Info{Name: "svc", Version: "1.0.0"}, dialNATS(t, ns.ClientURL()))
	if !errors.Is(err, plugin.ErrInvalidOption) {
		t.Fatalf("StartNATS: %v", err)
	}
}
