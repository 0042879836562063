package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRunReportsEveryStepBeforeAnswering(t *testing.T) {
	s := plugintest.NewSocket(t)
	plugintest.Connect(t, s, &Progress{}, &plugin.Info{Name: "progress"})
	// The socket keeps async values for Async from its first call on: a
	// call with a context already done starts keeping them.
	done, stop := context.WithCancel(context.Background())
	stop()
	if _, err := s.AsyncContext(done); !errors.Is(err, context.Canceled) {
		t.Fatalf("AsyncContext: %v", err)
	}
	out, err := s.Call("", "progress", "Run", Job{Job: "j", Steps: 4, DelayMS: 1})
	if err != nil {
		t.Fatal(err)
	}
	if out.(map[string]any)["steps"] != 4.0 {
		t.Errorf("Run = %v", out)
	}
	// The async values reached the socket before the answer: all four are
	// in the backlog now, in order.
	for i := 1; i <= 4; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		a, err := s.AsyncContext(ctx)
		cancel()
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if step := a.Payload.(map[string]any)["step"]; step != float64(i) {
			t.Errorf("async value %d is step %v", i, step)
		}
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	s := plugintest.NewSocket(t)
	plugintest.Connect(t, s, &Progress{}, &plugin.Info{Name: "progress"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.CallContext(ctx, "", "progress", "Run", Job{Job: "long", Steps: 1000, DelayMS: 1000})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want the deadline", err)
	}
}
