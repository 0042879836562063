package monitor

import (
	"bufio"
	"encoding/json"
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
