package socket_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestLimitOptionsAreValidated(t *testing.T) {
	for _, o := range []socket.Option{
		socket.WithMaxPlugins(0),
		socket.WithMaxPlugins(-1),
		socket.WithMaxInFlight(0),
		socket.WithMaxInFlight(-5),
	} {
		if _, err := socket.New(o); !errors.Is(err, socket.ErrInvalidOption) {
			t.Errorf("got %v, want ErrInvalidOption", err)
		}
	}
	if _, err := socket.New(socket.WithMaxPlugins(1), socket.WithMaxInFlight(1)); err != nil {
		t.Fatal(err)
	}
}

func TestMaxPluginsRejectsTheExcess(t *testing.T) {
	logs := &logBuffer{}
	s := newSocket(t, socket.WithMaxPlugins(2), socket.WithLogger(logs.logger()))
	addr := listen(t, s)
	connects := make(chan string, 8)
	defer s.OnConnect(func(i *plugin.Info) { connects <- i.Name })()
	connectTCP(t, s, addr, "one", newSvc())
	connectTCP(t, s, addr, "two", newSvc())
	recv(t, connects)
	recv(t, connects)

	third := dialPlugin(t, addr, "three", newSvc())
	err := third.wait(t)
	if !errors.Is(err, plugin.ErrRejected) || !strings.Contains(err.Error(), "too many plugins connected") ||
		!strings.Contains(err.Error(), "limit is 2") {
		t.Fatalf("third plugin: %v; want ErrRejected saying the socket is full", err)
	}
	logs.waitLog(t, "too many plugins connected")
	if got := len(s.Connected(false)); got != 2 {
		t.Fatalf("%d plugins connected, want 2", got)
	}
	// The plugins already connected go on serving.
	if got, err := s.Call("", "two", "Upper", "x"); err != nil || got != "X" {
		t.Fatalf("call after a rejection: %v, %v", got, err)
	}
	// Room again once one leaves; the rejected one was never announced.
	s.Unplug("", "one")
	connectTCP(t, s, addr, "four", newSvc())
	if name := recv(t, connects); name != "four" {
		t.Fatalf("announced %q, want four (a rejected plugin must never be announced)", name)
	}
}

func TestMaxInFlightFailsFast(t *testing.T) {
	s := newSocket(t, socket.WithMaxInFlight(2))
	addr := listen(t, s)
	sv := newSvc()
	connectTCP(t, s, addr, "svc", sv)

	answers := make(chan error, 2)
	for i := range 2 {
		go func() {
			_, err := s.Call("", "svc", "Block", string(rune('a'+i)))
			answers <- err
		}()
	}
	recv(t, sv.started)
	recv(t, sv.started)

	// The third call is refused at once, not queued, and never sent.
	_, err := s.Call("", "svc", "Block", "c")
	var ce *socket.CallError
	if !errors.Is(err, socket.ErrTooManyCalls) || !errors.As(err, &ce) || ce.Plugin != "svc" || ce.Method != "Block" {
		t.Fatalf("third call: %v; want a CallError for svc.Block wrapping ErrTooManyCalls", err)
	}
	if !strings.Contains(err.Error(), "limit 2") {
		t.Errorf("error does not give the limit: %v", err)
	}
	// A broadcast's share is refused the same way.
	_, errs := s.Broadcast("", "Upper", "x")
	if !errors.Is(errs["svc"], socket.ErrTooManyCalls) {
		t.Fatalf("broadcast: %v", errs)
	}

	close(sv.release)
	for range 2 {
		if err := recv(t, answers); err != nil {
			t.Fatalf("call within the limit: %v", err)
		}
	}
	// The slots are free again, and the refused call never reached the plugin.
	for range 5 {
		if got, err := s.Call("", "svc", "Upper", "ok"); err != nil || got != "OK" {
			t.Fatalf("after the calls ended: %v, %v", got, err)
		}
	}
	if n := len(sv.started); n != 0 {
		t.Fatalf("the plugin started %d refused call(s)", n)
	}
}

// TestBroadcastReleasesItsSlots: a broadcast's share of a plugin's in-flight
// calls is freed when its context ends, as a call's is.
func TestBroadcastReleasesItsSlots(t *testing.T) {
	s := newSocket(t, socket.WithMaxInFlight(1))
	addr := listen(t, s)
	a, b := newSvc(), newSvc()
	connectTCP(t, s, addr, "a", a)
	connectTCP(t, s, addr, "b", b)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan map[string]error, 1)
	go func() {
		_, errs := s.BroadcastContext(ctx, "", "Block", "x")
		done <- errs
	}()
	recv(t, a.started)
	recv(t, b.started)
	// Both slots are taken: a call to either is refused.
	for _, name := range []string{"a", "b"} {
		if _, err := s.Call("", name, "Upper", "x"); !errors.Is(err, socket.ErrTooManyCalls) {
			t.Fatalf("call to %s during the broadcast: %v; want ErrTooManyCalls", name, err)
		}
	}
	cancel()
	errs := recv(t, done)
	for _, name := range []string{"a", "b"} {
		if !errors.Is(errs[name], context.Canceled) {
			t.Fatalf("broadcast share of %s: %v; want context.Canceled", name, errs[name])
		}
		if got, err := s.Call("", name, "Upper", "ok"); err != nil || got != "OK" {
			t.Fatalf("call to %s after the broadcast: %v, %v", name, got, err)
		}
	}
}
