package socket_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/socket"
)

// TestOversizedRequest: a request past the max message is refused before
// it is written, by Call and by Broadcast, naming the limit; the plugin,
// whose SDK would have closed the connection on it, goes on serving.
func TestOversizedRequest(t *testing.T) {
	s := newSocket(t)
	connectTCP(t, s, listen(t, s), "svc", newSvc())
	big := strings.Repeat("x", socket.DefaultMaxMessage)
	_, err := s.Call("", "svc", "Echo", big)
	var ce *socket.CallError
	if !errors.Is(err, socket.ErrMessageTooLarge) || !errors.As(err, &ce) || ce.Plugin != "svc" ||
		!strings.Contains(err.Error(), "limit of 16777216 bytes") {
		t.Fatalf("Call: %v", err)
	}
	results, errs := s.BroadcastContext(context.Background(), "", "Echo", big)
	if len(results) != 0 || !errors.Is(errs["*"], socket.ErrMessageTooLarge) {
		t.Fatalf("Broadcast: %v %v", results, errs)
	}
	// The plugin, which never saw the requests, still answers.
	if out, err := s.Call("", "svc", "Upper", "ok"); err != nil || out != "OK" {
		t.Fatalf("after: %v %v", out, err)
	}
}

// TestRequestLimitFollowsOption: WithMaxMessage bounds the requests too.
func TestRequestLimitFollowsOption(t *testing.T) {
	s := newSocket(t, socket.WithMaxMessage(4096))
	connectTCP(t, s, listen(t, s), "svc", newSvc())
	if _, err := s.Call("", "svc", "Echo", strings.Repeat("x", 4096)); !errors.Is(err, socket.ErrMessageTooLarge) {
		t.Fatalf("Call of 4 KiB: %v", err)
	}
	if out, err := s.Call("", "svc", "Echo", strings.Repeat("x", 3000)); err != nil || len(out.(string)) != 3000 {
		t.Fatalf("Call of 3000 bytes: %v", err)
	}
}
