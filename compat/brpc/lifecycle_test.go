package brpc_test

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/compat/brpc"
	"github.com/switchboard-rpc/switchboard/plugin"
)

type gone struct {
	name     string
	graceful bool
}

// RegisterCallback's callback learns of every disconnect, graceful after a
// stop request and not after a cut connection; a later one replaces it, as
// in brpc.
func TestRegisterCallback(t *testing.T) {
	h := newHub(t)
	first, second := make(chan gone, 4), make(chan gone, 4)
	h.s.RegisterCallback(func(info *brpc.PluginInfo, graceful bool) { first <- gone{info.Name, graceful} })
	h.s.RegisterCallback(func(info *brpc.PluginInfo, graceful bool) { second <- gone{info.Name, graceful} })

	done := h.connect(newCalc(), "calc")
	h.s.Unplug("", "calc")
	if g := recv(t, second, "callback"); g != (gone{"calc", true}) {
		t.Fatalf("after Unplug: %+v, want calc, graceful", g)
	}
	if err := recv(t, done, "Start's return"); err != nil {
		t.Fatalf("Start after Unplug: %v, want nil", err)
	}

	// A plugin whose connection is cut: graceful is false, and its Start
	// returns the cause.
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		started <- new(brpc.Plugin).Start(newCalc(), &brpc.PluginInfo{Name: "cut"}, conn, nil)
	}()
	if !h.s.WaitFor("cut", deadline) {
		t.Fatal("cut did not connect")
	}
	_ = conn.Close()
	if g := recv(t, second, "callback"); g != (gone{"cut", false}) {
		t.Fatalf("after a cut: %+v, want cut, not graceful", g)
	}
	if err := recv(t, started, "Start's return"); !errors.Is(err, plugin.ErrDisconnected) {
		t.Fatalf("Start after a cut: %v, want plugin.ErrDisconnected", err)
	}
	select {
	case g := <-first:
		t.Fatalf("the replaced callback was called: %+v", g)
	default:
	}
}

// Unplug waits, as brpc's does, until the plugin has answered the calls in
// flight and gone.
func TestUnplugWaitsForThePlugin(t *testing.T) {
	h := newHub(t)
	c := newCalc()
	done := h.connect(c, "calc")
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(c.release) }) }
	defer release() // on a failure too, so that the cleanup does not wait
	answer := make(chan error, 1)
	go func() {
		res, err := h.s.Call("", "calc", "Block", nil)
		if err == nil && res != "released" {
			err = errors.New("unexpected result")
		}
		answer <- err
	}()
	recv(t, c.started, "Block starting")
	unplugged := make(chan struct{})
	go func() {
		h.s.Unplug("stop", "calc")
		close(unplugged)
	}()
	// The name is free as soon as Unplug has been called.
	waitUntil(t, "calc to leave the registry", func() bool { return h.s.PluginInfo("calc") == nil })
	select {
	case <-unplugged:
		t.Fatal("Unplug returned while the plugin was answering a call")
	default:
	}
	release()
	recv(t, unplugged, "Unplug's return")
	if err := recv(t, answer, "the call's answer"); err != nil {
		t.Fatalf("the call in flight: %v", err)
	}
	if err := recv(t, done, "Start's return"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if _, err := h.s.Call("", "calc", "Add", nil); err == nil || err.Error() != "plugin calc not found" {
		t.Fatalf("Call after Unplug: %v", err)
	}

	// An absent name: Unplug returns at once.
	returned := make(chan struct{})
	go func() { h.s.Unplug("", "nobody"); close(returned) }()
	recv(t, returned, "Unplug of an absent plugin")
}

// brpc's own tests serve plugins over in-memory pipes through a listener of
// their own; any net.Listener serves.
func TestServeOnAnyListener(t *testing.T) {
	lis := newPipeListener()
	s := new(brpc.Socket)
	s.Serve(lis)
	done := make(chan error, 1)
	go func() { done <- new(brpc.Plugin).Start(newCalc(), &brpc.PluginInfo{Name: "piped"}, lis.dial(), nil) }()
	if !s.WaitFor("piped", deadline) {
		t.Fatal("piped did not connect")
	}
	if res, err := s.Call("7", "piped", "Add", []float64{40, 2}); err != nil || res != 42.0 {
		t.Fatalf("Call = %v, %v", res, err)
	}
	if err := s.Shutdown(""); err != nil {
		t.Fatal(err)
	}
	if err := recv(t, done, "Start's return"); err != nil {
		t.Fatalf("Start after Shutdown: %v", err)
	}
	// Shutdown is safe twice.
	if err := s.Shutdown(""); err != nil {
		t.Fatal(err)
	}
}

// Start refuses what the SDK refuses, with the SDK's errors.
func TestStartRefuses(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	err := new(brpc.Plugin).Start(struct{}{}, &brpc.PluginInfo{Name: "none"}, a, nil)
	if !errors.Is(err, plugin.ErrNoMethods) {
		t.Fatalf("no methods: %v", err)
	}
}

// waitUntil polls cond until it holds, failing the test at the deadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
