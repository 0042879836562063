package scripting

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/queue"
	"github.com/switchboard-rpc/switchboard/socket"
)

// DefaultEventMemory is the bound, in bytes, of the socket events a script
// may have waiting when Config.EventMemory is zero (64 MiB, as the
// socket's queues).
const DefaultEventMemory = socket.DefaultEventMemory

// eventOverhead is what a queued event holds besides its Size: the entry,
// its slot and the closure.
const eventOverhead = 128

// Loop is the event loop a script runs on: a queue of tasks, a queue of
// events bounded in bytes, timers, and reserved slots for Go work that still
// owes the script a callback. Every callback runs on the goroutine that
// calls Run, RunUntil or Drain (the script's goroutine), one at a time.
//
// Tasks handed back through Reserve are never dropped. Events posted with
// PostEvent wait for the script up to the bound, however long it is busy
// (blocked in a synchronous call, say); past the bound the oldest are
// dropped, counted (Dropped) and logged once per burst with the plugin's
// name. Each pass of the loop takes every task and event waiting at once, so
// an idle script keeps up with any burst.
//
// Run, RunUntil, Drain, AddTimer, ClearTimer, Hold and Release must be called
// on the script's goroutine; RunUntil and Drain may be called from inside a
// callback. Reserve, PostEvent and Dropped are safe from any goroutine.
type Loop struct {
	log   *slog.Logger
	limit int

	// Lock order: mu, then the events queue's.
	mu       sync.Mutex
	tasks    []entry
	events   *queue.Queue[entry]
	seq      uint64
	reserved int
	burst    *entry // the first event dropped in a burst, to log
	wake     chan struct{}

	// Owned by the script's goroutine.
	batch       []entry // taken from tasks and events, run from pos on
	pos         int
	spareTasks  []entry
	spareEvents []entry
	timers      timers
	holds       int
	clock       *time.Timer
}

// entry is one queued callback; seq orders tasks and events together.
type entry struct {
	seq    uint64
	fn     func()
	plugin string
	size   int
}

func entrySize(e entry) int { return eventOverhead + e.size }

// Event is a socket event for PostEvent.
type Event struct {
	// Plugin names the plugin the event is about, for the log when events
	// are dropped.
	Plugin string
	// Size is the bytes the event holds (its payload, say), counted
	// against the bound with a fixed overhead of 128 bytes.
	Size int
	// Run is called on the loop.
	Run func()
}

// NewLoop returns an empty loop whose events may hold up to maxBytes bytes
// (DefaultEventMemory when maxBytes < 1). Losses are logged to log
// (slog.Default() when nil).
func NewLoop(log *slog.Logger, maxBytes int) *Loop {
	if log == nil {
		log = slog.Default()
	}
	if maxBytes < 1 {
		maxBytes = DefaultEventMemory
	}
	l := &Loop{log: log, limit: maxBytes, wake: make(chan struct{}, 1)}
	l.events = queue.New(maxBytes, entrySize, func(first entry) { l.burst = &first })
	return l
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
			l.tasks = append(l.tasks, entry{seq: l.seq, fn: task})
		}
		l.mu.Unlock()
		l.signal()
	}
}

// PostEvent queues e to run on the loop, from any goroutine, without ever
// blocking. Events do not keep the loop alive. Past the bound the oldest
// waiting events are dropped, counted and logged once per burst.
func (l *Loop) PostEvent(e Event) {
	l.mu.Lock()
	l.seq++
	l.events.Push(entry{seq: l.seq, fn: e.Run, plugin: e.Plugin, size: e.Size})
	first := l.burst // set by Push, under mu, when this push began a burst
	l.burst = nil
	l.mu.Unlock()
	if first != nil {
		l.log.Warn("script too slow: oldest socket events dropped",
			"plugin", first.plugin, "dropped_total", l.events.Dropped(), "queue_bytes", l.limit)
	}
	l.signal()
}

// Dropped returns how many events were dropped because the script did not
// keep up.
func (l *Loop) Dropped() uint64 { return l.events.Dropped() }

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

// refill takes every task and event waiting into the batch, in the order
// they were queued. The batch must have been run to its end.
func (l *Loop) refill() {
	l.mu.Lock()
	tasks := l.tasks
	l.tasks = l.spareTasks[:0]
	events := l.events.Drain(l.spareEvents)
	l.mu.Unlock()
	batch := l.batch[:0]
	i, j := 0, 0
	for i < len(tasks) || j < len(events) {
		if j == len(events) || (i < len(tasks) && tasks[i].seq < events[j].seq) {
			batch = append(batch, tasks[i])
			i++
		} else {
			batch = append(batch, events[j])
			j++
		}
	}
	clear(tasks)
	l.batch, l.pos = batch, 0
	l.spareTasks, l.spareEvents = tasks[:0], events // Drain clears events
}

// queued reports how many tasks and events wait.
func (l *Loop) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.batch) - l.pos + len(l.tasks) + l.events.Len()
}

// alive reports whether anything keeps the loop running: queued work,
// reserved slots, timers or holds.
func (l *Loop) alive() bool {
	l.mu.Lock()
	busy := l.reserved > 0
	l.mu.Unlock()
	return busy || l.queued() > 0 || l.timers.len() > 0 || l.holds > 0
}

// pass runs the timers due now and the callbacks queued now (one batch),
// stopping early when ctx is done; what is left of the batch runs first at
// the next pass, also one made from inside a callback. Callbacks queued
// meanwhile wait for the next pass.
func (l *Loop) pass(ctx context.Context) {
	now, last := time.Now(), l.timers.seq
	for ctx.Err() == nil && l.timers.fireOne(now, last) {
	}
	if l.pos == len(l.batch) {
		l.refill()
	}
	for l.pos < len(l.batch) {
		if ctx.Err() != nil {
			return
		}
		e := l.batch[l.pos]
		l.batch[l.pos] = entry{}
		l.pos++
		e.fn()
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
