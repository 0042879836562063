package socket

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// backlog keeps async values for Async, up to a bound, oldest dropped first.
type backlog struct {
	mu      sync.Mutex
	max     int
	items   []AsyncData
	ready   chan struct{} // closed and replaced when an item arrives or on close
	closed  bool
	lost    uint64
	dropped *atomic.Uint64
	log     *slog.Logger
}

func (b *backlog) init(max int, log *slog.Logger, dropped *atomic.Uint64) {
	b.max, b.log, b.dropped = max, log, dropped
	b.ready = make(chan struct{})
}

func (b *backlog) push(a AsyncData) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.max == 0 {
		return
	}
	if len(b.items) >= b.max {
		b.items[0] = AsyncData{}
		b.items = b.items[1:]
		b.lost++
		b.dropped.Add(1)
		if b.lost&(b.lost-1) == 0 {
			b.log.Warn("async backlog full: oldest values dropped", "dropped", b.lost, "backlog", b.max)
		}
	}
	b.items = append(b.items, a)
	close(b.ready)
	b.ready = make(chan struct{})
}

// pop waits for the next value. After close it hands out what is left, then
// fails with ErrShutdown.
func (b *backlog) pop(ctx context.Context) (*AsyncData, error) {
	for {
		b.mu.Lock()
		if len(b.items) > 0 {
			a := b.items[0]
			b.items[0] = AsyncData{}
			b.items = b.items[1:]
			b.mu.Unlock()
			return &a, nil
		}
		if b.closed {
			b.mu.Unlock()
			return nil, ErrShutdown
		}
		ready := b.ready
		b.mu.Unlock()
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (b *backlog) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.ready)
	}
}
