package socket_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/socket"
)

// The instances of one plugin are bounded (WithNATSMaxInstances, here 2):
// a third is refused, logged and counted in Stats.Refused, and calls never
// reach it; when it stops, or one of the two kept goes, the plugin goes on
// with the instances it kept (the refused one is not looked at again for a
// minute).
func TestNATSMaxInstances(t *testing.T) {
	if err := newSocket(t).AttachNATS(nil, socket.WithNATSMaxInstances(0)); !errors.Is(err, socket.ErrInvalidOption) {
		t.Fatalf("a bound of 0: %v", err)
	}
	ns := startNATS(t, nil)
	logs := &logBuffer{}
	s := natsHostWith(t, ns.ClientURL(), []socket.NATSOption{socket.WithNATSMaxInstances(2)}, socket.WithLogger(logs.logger()))
	a := serveNATS(t, ns.ClientURL(), "who", who{"a"})
	if !s.WaitFor("who", deadline) {
		t.Fatal("not found")
	}
	serveNATS(t, ns.ClientURL(), "who", who{"b"})
	checkFor(t, func() bool { return whoInstances(s) == 2 }, "two instances")
	c := serveNATS(t, ns.ClientURL(), "who", who{"c"})
	logs.waitLog(t, "NATS plugin instance refused: too many instances")
	if !strings.Contains(logs.String(), "limit=2") {
		t.Fatalf("the refusal does not say the limit:\n%s", logs)
	}
	if got := s.Stats().Refused; got != 1 {
		t.Fatalf("Stats.Refused = %d, want 1", got)
	}
	if n := whoInstances(s); n != 2 {
		t.Fatalf("%d instances after the refusal, want 2", n)
	}
	seen := map[any]int{}
	for range 8 {
		out, err := s.Call("", "who", "Who", nil)
		if err != nil {
			t.Fatal(err)
		}
		seen[out]++
	}
	if seen["a"] == 0 || seen["b"] == 0 || seen["c"] != 0 {
		t.Fatalf("calls answered by %v, want a and b only", seen)
	}

	c.p.Stop() // the refused instance says it goes: nothing to take away
	if err := c.wait(t); err != nil {
		t.Fatal(err)
	}
	a.p.Stop()
	if err := a.wait(t); err != nil {
		t.Fatal(err)
	}
	checkFor(t, func() bool { return whoInstances(s) == 1 }, "b alone")
	if out, err := s.Call("", "who", "Who", nil); err != nil || out != "b" {
		t.Fatalf("after a and c went: %v, %v", out, err)
	}
	if got := s.Stats().Refused; got != 1 {
		t.Fatalf("Stats.Refused = %d after, want 1", got)
	}
}

// whoInstances is how many instances of who s keeps.
func whoInstances(s *socket.Socket) int {
	if info := s.PluginInfo("who"); info != nil {
		return len(info.Instances)
	}
	return 0
}
