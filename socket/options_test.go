package socket_test

import (
	"errors"
	"net"
	"testing"

	"github.com/switchboard-rpc/switchboard/socket"
)

// TestServeOptionsBrpcForm: brpc's new(Socket).Serve(lis, opts...) still
// configures the socket, and a bad option there is logged and lis closed.
func TestServeOptionsBrpcForm(t *testing.T) {
	s := new(socket.Socket)
	t.Cleanup(func() { _ = s.Shutdown("") })
	addr := listen(t, s, socket.WithKeySequencer(func(n string) string { return n + "+" }, 1))
	dialPlugin(t, addr, "svc", newSvc())
	dialPlugin(t, addr, "svc", newSvc())
	for _, name := range []string{"svc", "svc+"} {
		if !s.WaitFor(name, deadline) {
			t.Fatalf("%s did not register: Serve's key sequencer was not applied", name)
		}
	}

	logs := &logBuffer{}
	bad := newSocket(t, socket.WithLogger(logs.logger()))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	bad.Serve(lis, socket.WithStopTimeout(0))
	if _, err := lis.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on the listener of a bad Serve = %v, want net.ErrClosed", err)
	}
	logs.waitLog(t, "not serving")
	logs.waitLog(t, "invalid option")
}
