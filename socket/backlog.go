package socket

import (
	"log/slog"
	"sync/atomic"

	"github.com/switchboard-rpc/switchboard/internal/queue"
)

// asyncOverhead is what one queued async value costs besides its bytes:
// the AsyncData, its slot in a queue, and the decoded Payload's fixed part.
const asyncOverhead = 160

// asyncSize estimates the memory a queued async value holds: its JSON, the
// decoded Payload (reckoned at three times the JSON, which it rarely
// exceeds for the small values plugins send), its name and the overhead.
// Payload is shared by every queue holding the value, but each counts it:
// a bound is then never exceeded, only reached early.
func asyncSize(a AsyncData) int { return asyncOverhead + len(a.Name) + 4*len(a.Raw) }

// backlog keeps async values for Async. It keeps nothing until Async is
// first called (what is not read is not kept), nor when it is turned off,
// and past its bound in bytes the oldest values go.
type backlog struct {
	reading atomic.Bool  // Async has been called
	limit   atomic.Int64 // the bound in bytes; zero turns the backlog off
	log     atomic.Pointer[slog.Logger]
	dropped *atomic.Uint64 // the socket's count, for Stats
	q       *queue.Queue[AsyncData]
}

func (b *backlog) init(limit int, log *slog.Logger, dropped *atomic.Uint64) {
	b.dropped = dropped
	b.q = queue.New(limit, asyncSize, func(first AsyncData) {
		b.log.Load().Warn("async backlog full: oldest values dropped",
			"plugin", first.Name, "dropped_total", b.q.Dropped(), "backlog_bytes", b.limit.Load())
	})
	b.configure(limit, log)
}

// configure sets the bound and the logger (Socket.apply).
func (b *backlog) configure(limit int, log *slog.Logger) {
	b.q.SetLimit(limit)
	b.limit.Store(int64(limit))
	b.log.Store(log)
}

// push keeps a for Async, if anyone reads it. It never blocks.
func (b *backlog) push(a AsyncData) {
	if !b.reading.Load() || b.limit.Load() == 0 {
		return
	}
	if n := b.q.Push(a); n > 0 {
		b.dropped.Add(uint64(n))
	}
}

func (b *backlog) close() { b.q.Close() }
