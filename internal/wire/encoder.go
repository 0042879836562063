package wire

import (
	"encoding/gob"
	"errors"
	"io"
	"runtime"
	"sync"
	"time"
)

// deadliner is the part of net.Conn the Encoder uses to bound its writes.
type deadliner interface {
	SetWriteDeadline(time.Time) error
}

// maxPooled is the largest write buffer put back in the pool; a buffer that
// grew past it for one big message is left to the garbage collector.
const maxPooled = 64 << 10

// bufPool holds write buffers shared by every Encoder: a connection holds
// one only while it has bytes to write, so an idle connection costs none.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxYields bounds how many times in a row a writer lets others queue
// before it writes (see writeQueued).
const maxYields = 2

// Encoder writes gob values to a stream. It is safe for concurrent use:
// values are written whole, one at a time, in the order their Sends took the
// lock. Writes coalesce under load and are never held back when a writer is
// alone: the first Send to find no write in progress writes itself, and goes
// on writing, in one write each time, whatever other Sends queued meanwhile,
// until nothing is left; those other Sends return at once.
type Encoder struct {
	w       io.Writer
	dl      deadliner
	timeout time.Duration

	mu      sync.Mutex
	enc     *gob.Encoder
	envID   int64     // gob's type id for Envelope on this stream, once sent
	buf     *[]byte   // bytes not yet handed to a write; nil when none
	writing bool      // a Send is writing; it writes what is queued too
	idle    sync.Cond // signalled when writing ends
	err     error
}

// NewEncoder returns an Encoder writing to w. When timeout is positive and w
// has a SetWriteDeadline method (a net.Conn does), every write must complete
// within timeout or Send fails; after any failure the Encoder is unusable and
// the connection should be closed.
func NewEncoder(w io.Writer, timeout time.Duration) *Encoder {
	e := &Encoder{w: w, timeout: timeout}
	e.enc = gob.NewEncoder(queue{e})
	e.idle.L = &e.mu
	if d, ok := w.(deadliner); ok && timeout > 0 {
		e.dl = d
	}
	return e
}

// queue is what the gob encoder writes to: the Encoder's pending buffer.
// It is only written with e.mu held.
type queue struct{ e *Encoder }

func (q queue) Write(p []byte) (int, error) {
	e := q.e
	if e.buf == nil {
		e.buf = bufPool.Get().(*[]byte)
	}
	*e.buf = append(*e.buf, p...)
	return len(p), nil
}

// ErrAfterEnvelope is returned by Send for a value other than an Envelope
// once an Envelope has been sent: the protocol has only envelopes after the
// handshake, and the Encoder lets go of gob's encoder after the first one.
var ErrAfterEnvelope = errors.New("wire: only envelopes may follow an envelope")

// Send encodes v and makes sure it reaches the stream: it writes it itself,
// or leaves it to the Send that is writing, which writes it next. A nil
// error therefore does not promise the bytes were written (Flush waits for
// that); an error means the stream is broken (or v could not be encoded) and
// the Encoder is done. Envelopes go through SendEnvelope.
func (e *Encoder) Send(v any) error {
	if env, ok := v.(*Envelope); ok {
		return e.SendEnvelope(env)
	}
	e.mu.Lock()
	if e.err == nil {
		if e.enc == nil {
			e.mu.Unlock()
			return ErrAfterEnvelope
		}
		if err := e.enc.Encode(v); err != nil {
			e.err = err
		}
	}
	return e.finish()
}

// SendEnvelope is Send for an envelope, which it does not keep: the caller
// may reuse it, and it need not escape to the heap.
func (e *Encoder) SendEnvelope(env *Envelope) error {
	e.mu.Lock()
	switch {
	case e.err != nil:
	case e.envID != 0:
		if e.buf == nil {
			e.buf = bufPool.Get().(*[]byte)
		}
		*e.buf = appendEnvelope(*e.buf, e.envID, env)
	default:
		// gob sends the type definition and the first envelope; the ones
		// after are written by hand with the id it chose.
		before := 0
		if e.buf != nil {
			before = len(*e.buf)
		}
		if err := e.enc.Encode(*env); err != nil {
			e.err = err
		} else {
			e.envID, _ = lastValueID((*e.buf)[before:])
			// Only envelopes follow: gob's encoder and the type
			// information it keeps are not needed any more.
			e.enc = nil
		}
	}
	return e.finish()
}

// finish ends a Send, called with e.mu held and the value queued: it
// returns at once if another Send is writing, and otherwise writes.
func (e *Encoder) finish() error {
	if e.err != nil {
		err := e.err
		e.mu.Unlock()
		return err
	}
	if e.writing {
		e.mu.Unlock()
		return nil // the writer takes it with the next write
	}
	return e.writeQueued()
}

// writeQueued writes what is queued, and what is queued meanwhile, until
// nothing is left. It is called with e.mu held, e.writing false and e.buf
// not nil, and unlocks e.mu.
func (e *Encoder) writeQueued() error {
	e.writing = true
	for e.err == nil && e.buf != nil {
		// Let the goroutines that are ready to run go first: under load
		// some of them are about to Send, and their values go out in this
		// same write; when some did, more are likely on their way, so
		// yield once more. Alone, this returns at once. (Measured:
		// yielding always beats yielding only after a write that others
		// joined, for a lone caller too; a second yield when the first
		// was joined gives +5-10% calls/s at 8 to 512 callers; more
		// than two adds latency for no gain.)
		for range maxYields {
			queued := len(*e.buf)
			e.mu.Unlock()
			runtime.Gosched()
			e.mu.Lock()
			if len(*e.buf) == queued {
				break
			}
		}
		b := e.buf
		e.buf = nil
		e.mu.Unlock()
		err := e.write(*b)
		if cap(*b) <= maxPooled {
			*b = (*b)[:0]
			bufPool.Put(b)
		}
		e.mu.Lock()
		if err != nil {
			e.err = err
		}
	}
	e.writing = false
	e.idle.Broadcast()
	if e.buf != nil { // a write failed: drop what is left
		*e.buf = (*e.buf)[:0]
		bufPool.Put(e.buf)
		e.buf = nil
	}
	err := e.err
	e.mu.Unlock()
	return err
}

func (e *Encoder) write(b []byte) error {
	if e.dl != nil {
		_ = e.dl.SetWriteDeadline(time.Now().Add(e.timeout))
	}
	_, err := e.w.Write(b)
	return err
}

// Flush waits until every value sent before it has been written (or the
// stream has failed) and returns the Encoder's error, if any.
// Call it before closing the stream when the last values must arrive.
func (e *Encoder) Flush() error {
	e.mu.Lock()
	for e.writing {
		e.idle.Wait()
	}
	if e.err == nil && e.buf != nil {
		return e.writeQueued()
	}
	err := e.err
	e.mu.Unlock()
	return err
}
