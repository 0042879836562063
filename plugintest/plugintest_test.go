package plugintest_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type echo struct{}

func (echo) Echo(_ context.Context, s string) (string, error) { return s, nil }

// TestWaitThenEnd: a test that waits for its plugin to end (here the
// socket unplugs it) may call Wait more than once, from more than one
// goroutine, and then end: the cleanup does not wait for a result that
// Wait took.
func TestWaitThenEnd(t *testing.T) {
	quiet := socket.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ok := t.Run("plugin test", func(t *testing.T) {
		s := plugintest.NewSocket(t, quiet)
		c := plugintest.Connect(t, s, echo{}, &plugin.Info{Name: "echo"})
		if got, err := s.Call("", c.Name, "Echo", "hi"); err != nil || got != "hi" {
			t.Fatalf("Echo = %v, %v", got, err)
		}
		s.Unplug("", c.Name)
		other := make(chan error, 1)
		go func() { other <- c.Wait() }()
		first := c.Wait()
		if first != nil {
			t.Errorf("Wait = %v after a stop request, want nil", first)
		}
		if again := c.Wait(); again != first {
			t.Errorf("second Wait = %v, want %v", again, first)
		}
		if err := <-other; err != first {
			t.Errorf("Wait on another goroutine = %v, want %v", err, first)
		}
	})
	if !ok {
		t.Error("the test that called Wait failed at its end")
	}
}
