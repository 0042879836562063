package plugin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// sizer answers the length of its argument.
type sizer struct{}

func (sizer) Size(_ context.Context, s string) (int, error) { return len(s), nil }

// startSizer serves a real socket on TCP and connects a sizer plugin made
// with opts to it; it returns the socket and the channel Start's error
// arrives on. The socket's own limit is raised to 32 MiB, so that it sends
// what a brpc socket would (it bounds nothing) and the plugin's limit is the
// one that decides.
func startSizer(t *testing.T, opts ...plugin.Option) (*socket.Socket, chan error) {
	t.Helper()
	s, err := socket.New(socket.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), socket.WithMaxMessage(32<<20))
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(lis)
	t.Cleanup(func() { _ = s.Shutdown("") })
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugin.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Start(sizer{}, &plugin.Info{Name: "sizer"}, conn, nil) }()
	t.Cleanup(func() {
		_ = s.Shutdown("")
		select {
		case <-done:
		case <-time.After(deadline):
			t.Error("the plugin did not end")
		}
	})
	if !s.WaitFor("sizer", deadline) {
		t.Fatal("the plugin did not connect")
	}
	return s, done
}

// TestMaxMessageOption: a 17 MiB argument, over the default limit, ends
// the plugin's connection; with WithMaxMessage(32 MiB) it is served.
func TestMaxMessageOption(t *testing.T) {
	big := strings.Repeat("x", 17<<20)
	t.Run("default", func(t *testing.T) {
		s, done := startSizer(t)
		if _, err := s.Call("", "sizer", "Size", big); !errors.Is(err, socket.ErrDisconnected) {
			t.Errorf("call with 17 MiB = %v, want the connection lost", err)
		}
		select {
		case err := <-done:
			if !errors.Is(err, plugin.ErrDisconnected) || !strings.Contains(err.Error(), "large") {
				t.Errorf("Start = %v, want a disconnection for a message too large", err)
			}
			done <- err // for the cleanup
		case <-time.After(deadline):
			t.Fatal("the plugin is still serving")
		}
	})
	t.Run("raised", func(t *testing.T) {
		s, _ := startSizer(t, plugin.WithMaxMessage(32<<20))
		got, err := s.Call("", "sizer", "Size", big)
		if err != nil || got != float64(len(big)) {
			t.Errorf("call with 17 MiB = %v, %v; want %d", got, err, len(big))
		}
	})
}

func TestMaxMessageOptionValidated(t *testing.T) {
	for _, n := range []int{-1, 0, 1023} {
		if _, err := plugin.New(plugin.WithMaxMessage(n)); !errors.Is(err, plugin.ErrInvalidOption) {
			t.Errorf("WithMaxMessage(%d): New = %v, want ErrInvalidOption", n, err)
		}
	}
	if _, err := plugin.New(plugin.WithMaxMessage(1024)); err != nil {
		t.Errorf("WithMaxMessage(1024) refused: %v", err)
	}
}
