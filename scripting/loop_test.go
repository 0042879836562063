package scripting_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestLoopEndsWhenNothingKeepsItAlive(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	if err := l.Run(ctx(t)); err != nil {
		t.Fatal(err)
	}
	var got []string
	done := l.Reserve()
	l.AddTimer(5*time.Millisecond, false, func() { got = append(got, "timer") })
	go done(func() { got = append(got, "reserved") })
	if err := l.Run(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("got %v", got)
	}
}

func TestReserveKeepsLoopAliveUntilCalled(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	done := l.Reserve()
	release := make(chan struct{})
	go func() {
		<-release
		done(nil)
	}()
	ran := false
	l.AddTimer(0, false, func() { ran = true; close(release) })
	if err := l.Run(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if !ran {
		t.Error("timer did not run")
	}
}

func TestTimersOrderAndClear(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	var got []int
	l.AddTimer(10*time.Millisecond, false, func() { got = append(got, 3) })
	l.AddTimer(0, false, func() { got = append(got, 1) })
	l.AddTimer(0, false, func() { got = append(got, 2) })
	gone := l.AddTimer(0, false, func() { got = append(got, -1) })
	l.ClearTimer(gone)
	l.ClearTimer(12345)
	n := 0
	var iv uint64
	iv = l.AddTimer(time.Millisecond, true, func() {
		n++
		if n == 3 {
			l.ClearTimer(iv)
		}
	})
	if err := l.Run(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 || n != 3 {
		t.Errorf("got %v, interval ran %d times", got, n)
	}
}

func TestTimerAddedByTimerWaitsForNextPass(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	n := 0
	var again func()
	again = func() {
		n++
		l.AddTimer(0, false, again)
	}
	l.AddTimer(0, false, again)
	l.Drain(ctx(t)) // must return although the callback re-arms itself
	if n != 1 {
		t.Errorf("ran %d times in one Drain", n)
	}
}

// event is an event from the plugin "p" holding nothing but its fixed
// overhead (128 bytes).
func event(fn func()) scripting.Event { return scripting.Event{Plugin: "p", Run: fn} }

func TestEventsBoundedOldestDropped(t *testing.T) {
	var log bytes.Buffer
	l := scripting.NewLoop(slog.New(slog.NewTextHandler(&log, nil)), 3*128)
	var got []int
	for i := 1; i <= 10; i++ {
		l.PostEvent(event(func() { got = append(got, i) }))
	}
	l.Drain(ctx(t))
	if len(got) != 3 || got[0] != 8 || got[2] != 10 {
		t.Errorf("got %v, want the newest 3", got)
	}
	if l.Dropped() != 7 {
		t.Errorf("Dropped() = %d", l.Dropped())
	}
	if !strings.Contains(log.String(), "plugin=p") || strings.Count(log.String(), "\n") != 1 {
		t.Errorf("log (one line for the burst, naming the plugin):\n%s", &log)
	}
	// Events alone do not keep the loop alive, but what is queued runs.
	ran := false
	l.PostEvent(event(func() { ran = true }))
	if err := l.Run(ctx(t)); err != nil || !ran {
		t.Errorf("Run: %v, ran %v", err, ran)
	}
}

func TestTasksAndEventsRunInArrivalOrder(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	var got []string
	d1, d2 := l.Reserve(), l.Reserve()
	l.PostEvent(event(func() { got = append(got, "e1") }))
	d1(func() { got = append(got, "t1") })
	l.PostEvent(event(func() { got = append(got, "e2") }))
	d2(func() { got = append(got, "t2") })
	if err := l.Run(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "e1,t1,e2,t2" {
		t.Errorf("got %v", got)
	}
}

func TestRunUntil(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	start := time.Now()
	if err := l.RunUntil(ctx(t), time.Now().Add(20*time.Millisecond), nil); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Error("returned before the deadline")
	}
	// Nested: a callback waits for an event that arrives meanwhile.
	var got []string
	done := l.Reserve()
	l.AddTimer(0, false, func() {
		got = append(got, "outer")
		_ = l.RunUntil(ctx(t), time.Time{}, func() bool { return len(got) == 2 })
		got = append(got, "outer done")
	})
	go done(func() { got = append(got, "inner") })
	if err := l.Run(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "outer,inner,outer done" {
		t.Errorf("got %v", got)
	}
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.RunUntil(c, time.Time{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("RunUntil with a cancelled context: %v", err)
	}
	l.Hold()
	c2, cancel2 := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel2()
	if err := l.Run(c2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run with a hold: %v", err)
	}
	l.Release()
}

// TestEventsWaitForABusyScript: with the default bound, 100,000 events
// posted while the script does not run the loop all wait for it, and one
// pass runs them all, in order.
func TestEventsWaitForABusyScript(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	const n = 100_000
	next := 0
	for i := range n {
		l.PostEvent(scripting.Event{Plugin: "p", Size: 8, Run: func() {
			if i == next {
				next++
			}
		}})
	}
	l.Drain(ctx(t))
	if next != n || l.Dropped() != 0 {
		t.Errorf("%d of %d events ran in order, %d dropped", next, n, l.Dropped())
	}
}

// TestNestedPassContinuesTheBatch: a callback that runs the loop itself
// (sleep in a handler) runs the rest of the batch first, in order.
func TestNestedPassContinuesTheBatch(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	var got []int
	for i := range 5 {
		l.PostEvent(event(func() {
			got = append(got, i)
			if i == 1 {
				l.PostEvent(event(func() { got = append(got, 5) }))
				l.Drain(ctx(t)) // the rest of this batch: 2, 3, 4
			}
		}))
	}
	l.Drain(ctx(t))
	l.Drain(ctx(t))
	if fmt.Sprint(got) != "[0 1 2 3 4 5]" {
		t.Errorf("got %v", got)
	}
}

func TestPostEventFromManyGoroutines(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	n := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				l.PostEvent(event(func() { n++ }))
			}
		}()
	}
	wg.Wait()
	l.Drain(ctx(t))
	if n != 800 {
		t.Errorf("n = %d", n)
	}
}

func TestReserveFinishedTwicePanics(t *testing.T) {
	l := scripting.NewLoop(nil, 0)
	done := l.Reserve()
	done(nil)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "called twice") {
			t.Errorf("second call: recovered %v, want a panic saying it was called twice", r)
		}
	}()
	done(nil)
}
