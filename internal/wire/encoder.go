package wire

import (
	"bufio"
	"encoding/gob"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// deadliner is the part of net.Conn the Encoder uses to bound its writes.
type deadliner interface {
	SetWriteDeadline(time.Time) error
}

// Encoder writes gob values to a stream. It is safe for concurrent use: values
// are written whole, one at a time, and writers that arrive while another is
// writing share a single flush (writes coalesce under load and are never held
// back when a writer is alone).
type Encoder struct {
	mu      sync.Mutex
	bw      *bufio.Writer
	enc     *gob.Encoder
	dl      deadliner
	timeout time.Duration
	waiting atomic.Int32
	err     error
}

// NewEncoder returns an Encoder writing to w. When timeout is positive and w
// has a SetWriteDeadline method (a net.Conn does), every flush must complete
// within timeout or Send fails; after any failure the Encoder is unusable and
// the connection should be closed.
func NewEncoder(w io.Writer, timeout time.Duration) *Encoder {
	bw := bufio.NewWriterSize(w, 16<<10)
	e := &Encoder{bw: bw, enc: gob.NewEncoder(bw), timeout: timeout}
	if d, ok := w.(deadliner); ok && timeout > 0 {
		e.dl = d
	}
	return e
}

// Send encodes v and makes sure it reaches the stream, either by flushing
// itself or by leaving the flush to a writer queued behind it.
func (e *Encoder) Send(v any) error {
	e.waiting.Add(1)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.waiting.Add(-1)
	if e.err != nil {
		return e.err
	}
	if err := e.enc.Encode(v); err != nil {
		e.err = err
		return err
	}
	if e.waiting.Load() > 0 && e.bw.Buffered() < e.bw.Size()/2 {
		return nil // the next writer in line flushes for both
	}
	return e.flush()
}

func (e *Encoder) flush() error {
	if e.dl != nil {
		_ = e.dl.SetWriteDeadline(time.Now().Add(e.timeout))
	}
	if err := e.bw.Flush(); err != nil {
		e.err = err
		return err
	}
	return nil
}
