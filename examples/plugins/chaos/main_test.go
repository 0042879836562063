package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestMisbehaviour(t *testing.T) {
	s := plugintest.NewSocket(t)
	plugintest.Connect(t, s, &Chaos{}, &plugin.Info{Name: "chaos"})

	_, err := s.Call("", "chaos", "Fail", Request{Message: "no"})
	var remote *socket.RemoteError
	if !errors.As(err, &remote) || remote.Message != "no" {
		t.Errorf("Fail = %v", err)
	}
	_, err = s.Call("", "chaos", "Panic", nil)
	if !errors.Is(err, socket.ErrPanic) || !strings.Contains(err.Error(), "panicked on request") {
		t.Errorf("Panic = %v", err)
	}
	out, err := s.Call("", "chaos", "Hang", Wait{MS: 1})
	if err != nil || out.(map[string]any)["slept_ms"] != 1.0 {
		t.Errorf("Hang 1ms = %v, %v", out, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.CallContext(ctx, "", "chaos", "Hang", Wait{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hang for ever = %v, want the deadline", err)
	}
	// The plugin is still serving after all that.
	if _, err := s.Call("", "chaos", "Hang", Wait{MS: 1}); err != nil {
		t.Errorf("after the chaos: %v", err)
	}
}
