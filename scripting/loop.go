package scripting

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultEventQueue is how many socket events a script may have waiting
// when Config.EventQueue is zero.
const DefaultEventQueue = 1024

// Loop is the event loop a script runs on: a queue of tasks, a bounded queue
// of events, timers, and reserved slots for Go work that still owes the
// script a callback. Every callback runs on the goroutine that calls Run,
// RunUntil or Drain (the script's goroutine), one at a time.
//
// Tasks handed back through Reserve are never dropped. Events posted with
// PostEvent are dropped oldest first past the bound; the loss is counted
// (Dropped) and logged.
//
// Run, RunUntil, Drain, AddTimer, ClearTimer, Hold and Release must be called
// on the script's goroutine; RunUntil and Drain may be called from inside a
// callback. Reserve, PostEvent and Dropped are safe from any goroutine.
type Loop struct {
	log *slog.Logger
	max int

	mu       sync.Mutex
	tasks    queue
	events   queue
	seq      uint64
	reserved int
	dropped  uint64
	wake     chan struct{}

	// Owned by the script's goroutine.
	timers timers
	holds  int
	clock  *time.Timer
}

// entry is one queued callback; seq orders tasks and events together.
type entry struct {
	seq uint64
	fn  func()
}

// NewLoop returns an empty loop whose event queue holds up to maxEvents
// events (DefaultEventQueue when maxEvents < 1). Losses are logged to log
// (slog.Default() when nil).
func NewLoop(log *slog.Logger, maxEvents int) *Loop {
	if log == nil {
		log = slog.Default()
	}
	if maxEvents < 1 {
		maxEvents = DefaultEventQueue
	}
	return &Loop{log: log, max: maxEvents, wake: make(chan struct{}, 1)}
}

// Reserve keeps the loop alive until the returned function is called: call
// Reserve on the script's goroutine before starting Go work that owes the
// script a callback, then call the returned function, from any goroutine,
// exactly once, with the callback to run on the loop (or nil). Calling it a
// second time is a bug in the caller and panics.
func (l *Loop) Reserve() func(task func()) {
	l.mu.Lock()
	l.reserved++
	l.mu.Unlock()
	var once atomic.Bool
	return func(task func()) {
		if !once.CompareAndSwap(false, true) {
			panic("scripting: the function returned by Loop.Reserve was called twice")
		}
		l.mu.Lock()
		l.reserved--
		if task != nil {
			l.seq++
			l.tasks.push(entry{l.seq, task})
		}
		l.mu.Unlock()
		l.signal()
	}
}

// PostEvent queues fn to run on the loop, from any goroutine, without ever
// blocking. Events do not keep the loop alive. Past the bound the oldest
// waiting event is dropped, counted and logged.
func (l *Loop) PostEvent(fn func()) {
	l.mu.Lock()
	l.seq++
	l.events.push(entry{l.seq, fn})
	var lost uint64
	if l.events.len() > l.max {
		l.events.pop()
		l.dropped++
		lost = l.dropped
	}
	l.mu.Unlock()
	if lost&(lost-1) == 0 && lost > 0 { // 1, 2, 4, 8, ...: counted, never a flood of logs
		l.log.Warn("script too slow: oldest socket events dropped", "dropped", lost, "queue", l.max)
	}
	l.signal()
}

// Dropped returns how many events were dropped because the queue was full.
func (l *Loop) Dropped() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}

// Hold keeps the loop alive until a matching Release (serve() in JS).
func (l *Loop) Hold() { l.holds++ }

// Release undoes one Hold.
func (l *Loop) Release() {
	if l.holds > 0 {
		l.holds--
	}
}

func (l *Loop) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// next pops the oldest queued task or event.
func (l *Loop) next() (func(), bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, e := l.tasks.peek(), l.events.peek()
	switch {
	case t != nil && (e == nil || t.seq < e.seq):
		return l.tasks.pop().fn, true
	case e != nil:
		return l.events.pop().fn, true
	}
	return nil, false
}

// queued reports how many tasks and events wait.
func (l *Loop) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tasks.len() + l.events.len()
}

// alive reports whether anything keeps the loop running: queued work,
// reserved slots, timers or holds.
func (l *Loop) alive() bool {
	l.mu.Lock()
	busy := l.reserved > 0 || l.tasks.len() > 0 || l.events.len() > 0
	l.mu.Unlock()
	return busy || l.timers.len() > 0 || l.holds > 0
}

// pass runs the timers due now and the callbacks queued now, stopping early
// when ctx is done. Callbacks queued meanwhile wait for the next pass.
func (l *Loop) pass(ctx context.Context) {
	now, last := time.Now(), l.timers.seq
	for ctx.Err() == nil && l.timers.fireOne(now, last) {
	}
	for range l.queued() {
		if ctx.Err() != nil {
			return
		}
		fn, ok := l.next()
		if !ok {
			return
		}
		fn()
	}
}

// Drain runs the due timers and queued callbacks once, without blocking;
// it stops early when ctx is done.
func (l *Loop) Drain(ctx context.Context) {
	l.pass(ctx)
}

// Run runs callbacks until nothing keeps the loop alive (no queued work, no
// reserved slot, no timer, no hold), or ctx is done, whose error it returns.
func (l *Loop) Run(ctx context.Context) error {
	for {
		l.pass(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		if !l.alive() {
			return nil
		}
		l.wait(ctx, time.Time{})
	}
}

// RunUntil runs callbacks until done returns true (checked after every
// pass; done may be nil), the deadline passes (a zero deadline never does),
// or ctx is done, whose error it returns. It runs callbacks even when
// nothing keeps the loop alive: it is how sleep, waitFor and serve wait.
func (l *Loop) RunUntil(ctx context.Context, deadline time.Time, done func() bool) error {
	for {
		l.pass(ctx)
		if err := ctx.Err(); err != nil {
			return err
		}
		if done != nil && done() {
			return nil
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return nil
		}
		l.wait(ctx, deadline)
	}
}

// wait blocks until something is queued, a timer or the deadline is due,
// or ctx is done.
func (l *Loop) wait(ctx context.Context, deadline time.Time) {
	if l.queued() > 0 {
		return
	}
	when := deadline
	if t, ok := l.timers.first(); ok && (when.IsZero() || t.Before(when)) {
		when = t
	}
	var tick <-chan time.Time
	if !when.IsZero() {
		d := time.Until(when)
		if d <= 0 {
			return
		}
		if l.clock == nil {
			l.clock = time.NewTimer(d)
		} else {
			l.clock.Reset(d)
		}
		defer l.clock.Stop()
		tick = l.clock.C
	}
	select {
	case <-l.wake:
	case <-tick:
	case <-ctx.Done():
	}
}

// queue is a FIFO of entries.
type queue struct {
	items []entry
	head  int
}

func (q *queue) len() int { return len(q.items) - q.head }

func (q *queue) push(e entry) {
	if q.head > 0 && q.head >= len(q.items)/2 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items = q.items[:n]
		q.head = 0
	}
	q.items = append(q.items, e)
}

func (q *queue) peek() *entry {
	if q.len() == 0 {
		return nil
	}
	return &q.items[q.head]
}

func (q *queue) pop() entry {
	e := q.items[q.head]
	q.items[q.head] = entry{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return e
}
