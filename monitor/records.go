package monitor

import (
	"bufio"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// CallLine is one call as the calls file (one JSON object a line), the
// JSON API and the live page show it.
type CallLine struct {
	// Time is when the call began (RFC 3339 with nanoseconds in JSON).
	Time time.Time `json:"time"`
	// Plugin, Method and Trace are the call's; Trace is omitted when empty.
	Plugin string `json:"plugin"`
	Method string `json:"method"`
	Trace  string `json:"trace,omitempty"`
	// DurationSeconds is how long the call took.
	DurationSeconds float64 `json:"duration_seconds"`
	// Outcome is OutcomeOK or the scripting error code.
	Outcome string `json:"outcome"`
	// Error is the error's message, shortened, for a failed call.
	Error string `json:"error,omitempty"`
	// RequestBytes and ResponseBytes are the JSON payloads' sizes.
	RequestBytes  int `json:"request_bytes"`
	ResponseBytes int `json:"response_bytes"`
	// Broadcast is true for one plugin's part of a broadcast.
	Broadcast bool `json:"broadcast,omitempty"`
}

// Event is one entry of the live page's event stream: a plugin connecting
// or going away, an async value (shortened), a restart, a broadcast.
type Event struct {
	Time time.Time `json:"time"`
	// Kind is "connect", "disconnect", "async", "restart" or "broadcast".
	Kind   string `json:"kind"`
	Plugin string `json:"plugin,omitempty"`
	// Text says what happened; an async value's JSON, shortened.
	Text string `json:"text"`
}

// maxShort bounds, in bytes, an error message or an async value kept for
// the page.
const maxShort = 200

// shorten returns s cut to at most n bytes, on a rune boundary, with "…"
// after it when it was cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// shortenBytes is shorten for bytes, copying at most n+1 of them: an
// async value may be large.
func shortenBytes(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return shorten(string(b[:n+1]), n)
}

// writeLine writes l to w as one JSON line.
func writeLine(w *bufio.Writer, l *CallLine) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// ring keeps the last n values pushed.
type ring[T any] struct {
	buf  []T
	next int
	full bool
}

func newRing[T any](n int) *ring[T] { return &ring[T]{buf: make([]T, n)} }

func (r *ring[T]) push(v T) {
	r.buf[r.next] = v
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// list returns the values kept, oldest first.
func (r *ring[T]) list() []T {
	if !r.full {
		return append([]T{}, r.buf[:r.next]...)
	}
	return append(append([]T{}, r.buf[r.next:]...), r.buf[:r.next]...)
}

// slotRing keeps the last values pushed like ring, for pushes from many
// goroutines at once without a shared lock: a push takes a number with one
// atomic addition and writes its slot under that slot's own lock.
type slotRing[T any] struct {
	next  atomic.Uint64
	slots []slot[T]
}

type slot[T any] struct {
	mu  sync.Mutex
	seq uint64 // the number of the push that wrote v, plus one; 0 when empty
	v   T
}

func newSlotRing[T any](n int) *slotRing[T] { return &slotRing[T]{slots: make([]slot[T], n)} }

func (r *slotRing[T]) push(v T) {
	i := r.next.Add(1) - 1
	s := &r.slots[i%uint64(len(r.slots))]
	s.mu.Lock()
	if s.seq < i+1 { // a slow push of an older number does not overwrite a newer one
		s.seq, s.v = i+1, v
	}
	s.mu.Unlock()
}

// list returns the values kept, oldest first; a push still writing its
// slot is left out.
func (r *slotRing[T]) list() []T {
	end := r.next.Load()
	n := uint64(len(r.slots))
	start := uint64(0)
	if end > n {
		start = end - n
	}
	out := make([]T, 0, end-start)
	for i := start; i < end; i++ {
		s := &r.slots[i%n]
		s.mu.Lock()
		if s.seq == i+1 {
			out = append(out, s.v)
		}
		s.mu.Unlock()
	}
	return out
}
