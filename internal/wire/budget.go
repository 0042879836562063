package wire

import (
	"errors"
	"sync/atomic"
)

// ErrBudget is wrapped by the error a Decoder returns when the Budget it is
// charged to has no room for the message or type definition it is reading.
var ErrBudget = errors.New("shared memory budget exhausted")

// Budget is memory that several Decoders share: the socket charges the
// connections that have not authenticated yet to one Budget, so that
// together they cannot hold more than it. It is safe for concurrent use.
type Budget struct {
	max  int64
	used atomic.Int64
}

// NewBudget returns a Budget of max bytes.
func NewBudget(max int64) *Budget { return &Budget{max: max} }

// Used returns the bytes charged to b now. It does not block.
func (b *Budget) Used() int64 { return b.used.Load() }

// Max returns the size of b.
func (b *Budget) Max() int64 { return b.max }

func (b *Budget) take(n int64) bool {
	if b.used.Add(n) > b.max {
		b.used.Add(-n)
		return false
	}
	return true
}

func (b *Budget) give(n int64) { b.used.Add(-n) }

// Take charges n bytes to b and reports whether they fitted; when they did
// not, nothing is charged. A reader other than a Decoder (the socket's
// JSON-RPC one) uses it with Give. It does not block.
func (b *Budget) Take(n int64) bool { return b.take(n) }

// Give returns n bytes that Take charged. It does not block.
func (b *Budget) Give(n int64) { b.give(n) }
