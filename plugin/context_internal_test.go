package plugin

import (
	"context"
	"errors"
	"testing"
	"time"
)

// wait fails t unless ch is closed within a few seconds.
func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: not done", what)
	}
}

func TestCallContextCancelsWhatDerivesFromIt(t *testing.T) {
	c := &callCtx{info: callInfo{trace: "t1"}, key: "k"}
	if c.Err() != nil {
		t.Fatal("a new request's context is already cancelled")
	}
	select {
	case <-c.Done():
		t.Fatal("Done is closed before cancel")
	default:
	}
	child, stopChild := context.WithTimeout(c, time.Hour)
	defer stopChild()
	valued := context.WithValue(c, "other", 1)
	ran := make(chan struct{})
	context.AfterFunc(c, func() { close(ran) })
	never := make(chan struct{})
	stop := context.AfterFunc(c, func() { close(never) })
	if !stop() {
		t.Fatal("stop of a pending AfterFunc reports false")
	}
	if v := valued.Value("k"); v != "t1" {
		t.Fatalf("the trace under the context key: %v", v)
	}
	if Trace(child) != "t1" {
		t.Fatalf("Trace of a derived context: %q", Trace(child))
	}
	c.cancel()
	c.cancel() // twice is harmless
	wait(t, c.Done(), "the request's context")
	wait(t, child.Done(), "a derived context")
	wait(t, ran, "an AfterFunc")
	if !errors.Is(c.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Fatalf("errors %v, %v", c.Err(), child.Err())
	}
	select {
	case <-never:
		t.Fatal("a stopped AfterFunc ran")
	default:
	}
}

func TestCallContextCancelledBeforeDoneIsAsked(t *testing.T) {
	c := &callCtx{}
	c.cancel()
	wait(t, c.Done(), "Done after cancel")
	ran := make(chan struct{})
	context.AfterFunc(c, func() { close(ran) })
	wait(t, ran, "an AfterFunc registered after cancel")
	if _, ok := c.Deadline(); ok {
		t.Fatal("a request's context has a deadline")
	}
}
