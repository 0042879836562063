package brpc_test

import (
	"encoding/json"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/compat/brpc"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// A plugin's error is brpc's: errors.New of the plugin's text, equal by
// reflect.DeepEqual (the only check brpc's users have), not the socket's
// *CallError with the plugin and method in front.
func TestCallReturnsThePluginsTextAsAPlainError(t *testing.T) {
	h := newHub(t)
	h.connect(newCalc(), "calc")
	for _, c := range []struct{ method, arg, want string }{
		{"Fail", "disk full", "disk full"},
		{"Panic", "boom", "panic: boom"},
	} {
		res, err := h.s.Call("", "calc", c.method, c.arg)
		if !reflect.DeepEqual(err, errors.New(c.want)) || res != nil {
			t.Errorf("%s = %#v, %#v; want nil, errors.New(%q)", c.method, res, err, c.want)
		}
		var ce *socket.CallError
		if errors.As(err, &ce) {
			t.Errorf("%s: the error is a *socket.CallError", c.method)
		}
	}
}

func TestCallToAnAbsentPlugin(t *testing.T) {
	h := newHub(t)
	res, err := h.s.Call("", "nobody", "Add", nil)
	if !reflect.DeepEqual(err, errors.New("plugin nobody not found")) || res != nil {
		t.Fatalf("Call = %#v, %#v; want nil, errors.New(\"plugin nobody not found\")", res, err)
	}
}

// ErrMethodNotFound and ErrShutdown are brpc's texts, the socket's and the
// SDK's sentinels, and what a call returns, themselves.
func TestSentinels(t *testing.T) {
	if brpc.ErrMethodNotFound.Error() != "method not found" || brpc.ErrShutdown.Error() != "connection is shut down" {
		t.Fatalf("texts: %q, %q", brpc.ErrMethodNotFound, brpc.ErrShutdown)
	}
	if brpc.ErrMethodNotFound != socket.ErrMethodNotFound || brpc.ErrMethodNotFound != plugin.ErrMethodNotFound ||
		brpc.ErrShutdown != socket.ErrShutdown || brpc.ErrShutdown != plugin.ErrShutdown {
		t.Fatal("the sentinels are not the socket's and the SDK's")
	}
	if brpc.MethodAsync != "Async" || brpc.MethodShutdown != "Shutdown" {
		t.Fatalf("methods: %q, %q", brpc.MethodAsync, brpc.MethodShutdown)
	}

	h := newHub(t)
	h.connect(newCalc(), "calc")
	for _, method := range []string{"Nope", "UseAsyncHook", "add"} {
		if _, err := h.s.Call("", "calc", method, nil); err != brpc.ErrMethodNotFound {
			t.Errorf("Call %s: %#v, want ErrMethodNotFound itself", method, err)
		}
	}
	if err := h.s.Shutdown(""); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s.Call("", "calc", "Add", [2]float64{1, 2}); err != brpc.ErrShutdown {
		t.Fatalf("Call after Shutdown: %#v, want ErrShutdown itself", err)
	}
}

// The argument is encoded and the result decoded by encoding/json, as
// brpc does, errors included.
func TestCallEncodesAsEncodingJSON(t *testing.T) {
	h := newHub(t)
	h.connect(newCalc(), "calc")
	_, err := h.s.Call("", "calc", "Add", make(chan int))
	var unsupported *json.UnsupportedTypeError
	if !errors.As(err, &unsupported) {
		t.Fatalf("Call with a channel: %#v, want encoding/json's *UnsupportedTypeError", err)
	}
	res, err := h.s.Call("", "calc", "Add", [2]float64{1.5, 2})
	if err != nil || res != 3.5 {
		t.Fatalf("Add = %#v, %v", res, err)
	}
}

// Errors brpc has no fixed text for stay the socket's *CallError: a
// connection lost in the middle of a call, a request past the message
// limit (under every plugin's name in a Broadcast).
func TestErrorsBrpcHasNoTextFor(t *testing.T) {
	h := newHub(t)
	h.connect(newCalc(), "calc")
	big := strings.Repeat("x", socket.DefaultMaxMessage)
	var ce *socket.CallError
	if _, err := h.s.Call("", "calc", "Fail", big); !errors.Is(err, socket.ErrMessageTooLarge) || !errors.As(err, &ce) {
		t.Fatalf("Call past the message limit: %v", err)
	}
	res, errs := h.s.Broadcast("", "Fail", big)
	if len(res) != 0 || len(errs) != 1 || !errors.Is(errs["calc"], socket.ErrMessageTooLarge) {
		t.Fatalf("Broadcast past the message limit: %v, %v", res, errs)
	}

	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	c := newCalc()
	defer close(c.release)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		_ = new(brpc.Plugin).Start(c, &brpc.PluginInfo{Name: "lost"}, conn, nil)
	}()
	if !h.s.WaitFor("lost", deadline) {
		t.Fatal("lost did not connect")
	}
	answer := make(chan error, 1)
	go func() {
		_, err := h.s.Call("", "lost", "Block", nil)
		answer <- err
	}()
	recv(t, c.started, "Block starting")
	_ = conn.Close()
	err = recv(t, answer, "the call's error")
	if !errors.Is(err, socket.ErrDisconnected) || !errors.As(err, &ce) || ce.Plugin != "lost" {
		t.Fatalf("a call whose connection is lost: %v", err)
	}
}
