// Package queue holds the one bounded FIFO that every event queue of
// switchboard is made of: the socket's Async backlog and its subscribers'
// queues, the scripting loop's events and the REPL's event lines. It is
// bounded in bytes, never blocks the producer, and past its bound drops the
// oldest items, counting them and reporting each burst of drops once.
package queue

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned by Wait once the queue is closed and empty.
var ErrClosed = errors.New("queue: closed")

// Queue is a FIFO of T bounded by the bytes its items hold, as a size
// function measures them. Push never blocks: past the bound it drops the
// oldest items. A burst is the run of drops between two moments the
// consumer found the queue empty; the first drop of each burst is reported
// to the queue's burst function, so that a flood of drops is logged once.
//
// All methods are safe for concurrent use. Make a Queue with New.
type Queue[T any] struct {
	size  func(T) int
	burst func(first T) // may be nil

	mu      sync.Mutex
	limit   int
	items   []T
	head    int // items[:head] are taken and zeroed
	bytes   int
	dropped uint64
	inBurst bool // items were dropped since the queue was last empty
	closed  bool
	ready   chan struct{} // closed at the next Push or Close, when waited on
	waiting bool
}

// New returns an empty queue holding items of at most limit bytes in all
// (at least one item is always kept, however large). size gives the bytes an
// item holds; it must return the same value for an item every time it is
// called. burst, if not nil, is called with the first item dropped in each
// burst of drops, on the goroutine that pushed, outside the queue's lock.
func New[T any](limit int, size func(T) int, burst func(first T)) *Queue[T] {
	return &Queue[T]{limit: limit, size: size, burst: burst}
}

// SetLimit changes the bound; items past it go at the next Push.
func (q *Queue[T]) SetLimit(limit int) {
	q.mu.Lock()
	q.limit = limit
	q.mu.Unlock()
}

// Push appends v and, while the queue holds more than its bound and more
// than one item, drops the oldest. It returns how many items it dropped.
// After Close, Push discards v and returns 0. Push never blocks.
func (q *Queue[T]) Push(v T) (dropped int) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return 0
	}
	q.compact()
	q.items = append(q.items, v)
	q.bytes += q.size(v)
	var first T
	report := false
	for q.bytes > q.limit && len(q.items)-q.head > 1 {
		old := q.take()
		if dropped == 0 && !q.inBurst {
			first, report = old, true
		}
		dropped++
	}
	if dropped > 0 {
		q.dropped += uint64(dropped)
		q.inBurst = true
	}
	q.wake()
	q.mu.Unlock()
	if report && q.burst != nil {
		q.burst(first)
	}
	return dropped
}

// compact moves the items to the front of their array once half of it is
// taken, so that a queue that never empties does not grow without bound.
func (q *Queue[T]) compact() {
	if q.head > 0 && q.head >= len(q.items)/2 {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

// take removes the oldest item; the queue must not be empty.
func (q *Queue[T]) take() T {
	v := q.items[q.head]
	var zero T
	q.items[q.head] = zero
	q.head++
	q.bytes -= q.size(v)
	if q.head == len(q.items) {
		q.items, q.head, q.bytes = q.items[:0], 0, 0
	}
	return v
}

// wake tells the waiters, if any, that something changed.
func (q *Queue[T]) wake() {
	if q.waiting {
		close(q.ready)
		q.ready, q.waiting = nil, false
	}
}

// Ready returns a channel that is closed at the next Push or at Close. It
// does not block.
func (q *Queue[T]) Ready() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		c := make(chan struct{})
		close(c)
		return c
	}
	if !q.waiting {
		q.ready, q.waiting = make(chan struct{}), true
	}
	return q.ready
}

// Pop removes and returns the oldest item, if there is one. It does not
// block.
func (q *Queue[T]) Pop() (T, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.items) {
		q.inBurst = false
		var zero T
		return zero, false
	}
	return q.take(), true
}

// Wait removes and returns the oldest item, waiting for one if need be.
// Once the queue is closed it hands out what is left, then fails with
// ErrClosed; it fails with ctx.Err() when ctx ends first.
func (q *Queue[T]) Wait(ctx context.Context) (T, error) {
	for {
		q.mu.Lock()
		if q.head < len(q.items) {
			v := q.take()
			q.mu.Unlock()
			return v, nil
		}
		q.inBurst = false
		if q.closed {
			q.mu.Unlock()
			var zero T
			return zero, ErrClosed
		}
		if !q.waiting {
			q.ready, q.waiting = make(chan struct{}), true
		}
		ready := q.ready
		q.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
	}
}

// Drain removes every item queued now and returns them, oldest first, in
// one batch, without blocking. spare, whose contents are discarded, becomes
// the queue's storage for later items: a consumer that hands back the
// previous batch allocates nothing in the steady state.
func (q *Queue[T]) Drain(spare []T) []T {
	clear(spare)
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.items[q.head:]
	q.items, q.head, q.bytes = spare[:0], 0, 0
	q.inBurst = false
	return out
}

// Clear discards every queued item without counting them as dropped.
func (q *Queue[T]) Clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	clear(q.items)
	q.items, q.head, q.bytes = q.items[:0], 0, 0
}

// Close makes later pushes do nothing and wakes the waiters; what is
// queued can still be taken. It is safe to call more than once.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		q.wake()
	}
}

// Len returns the number of items queued.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head
}

// Bytes returns what the queued items hold, as their size function says.
func (q *Queue[T]) Bytes() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

// Dropped returns how many items the queue has dropped in all.
func (q *Queue[T]) Dropped() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
