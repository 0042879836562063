package wire

import (
	"encoding/gob"
	"errors"
	"io"
	"os"
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
// until nothing is left; those other Sends return at once. PostEnvelope is
// the Send that never waits for the peer.
type Encoder struct {
	w       io.Writer
	dl      deadliner
	nw      *noWait // writes without waiting when w is a socket; nil otherwise
	timeout time.Duration

	mu      sync.Mutex
	enc     *gob.Encoder
	envID   int64     // gob's type id for Envelope on this stream, once sent
	buf     *[]byte   // bytes not yet handed to a write; nil when none
	writing bool      // a Send is writing; it writes what is queued too
	idle    sync.Cond // signalled when writing ends, and when a writeRest returns
	err     error
	onFail  func(error) // told of a failure no Send returns; see OnFail
	resting int         // writeRest goroutines not yet returned
}

// NewEncoder returns an Encoder writing to w. When timeout is positive and w
// has a SetWriteDeadline method (a net.Conn does), every write must complete
// within timeout or Send fails; after any failure the Encoder is unusable and
// the connection should be closed. On a TCP or Unix socket, what the socket
// takes at once is written without setting a deadline (setting one costs
// more than a short write); the deadline is set only when a write has to
// wait for the peer.
func NewEncoder(w io.Writer, timeout time.Duration) *Encoder {
	e := &Encoder{w: w, timeout: timeout}
	e.enc = gob.NewEncoder(queue{e})
	e.idle.L = &e.mu
	if d, ok := w.(deadliner); ok && timeout > 0 {
		e.dl = d
	}
	e.nw = newNoWait(w)
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
	return e.finish(false)
}

// SendEnvelope is Send for an envelope, which it does not keep: the caller
// may reuse it, and it need not escape to the heap.
func (e *Encoder) SendEnvelope(env *Envelope) error {
	e.mu.Lock()
	e.queueEnvelope(env)
	return e.finish(false)
}

// PostEnvelope is SendEnvelope without ever waiting for the peer: it writes
// on the caller's goroutine what the stream takes at once, and leaves the
// rest to a goroutine of the Encoder's, which writes it, within the
// timeout, before anything sent after it, and ends when it has (a failure
// there goes to OnFail). On a stream other than a TCP or Unix socket (TLS, a
// pipe), or off Unix, every write is left to that goroutine. A broadcast
// posts to every plugin from one goroutine, and a plugin that stopped
// reading holds up none of the others.
func (e *Encoder) PostEnvelope(env *Envelope) error {
	e.mu.Lock()
	e.queueEnvelope(env)
	return e.finish(true)
}

// OnFail sets f to be called when a write PostEnvelope left to the
// Encoder's goroutine fails, which no Send is there to return: typically, f
// closes the connection. f runs once, on that goroutine. Set it before the
// first PostEnvelope.
func (e *Encoder) OnFail(f func(error)) {
	e.mu.Lock()
	e.onFail = f
	e.mu.Unlock()
}

// writeRest writes (*b)[from:], then whatever was queued meanwhile, as the
// Send that is writing does; PostEnvelope started it with e.writing set. It
// returns when everything is written or a write failed: within the timeout,
// or when the stream is closed.
func (e *Encoder) writeRest(b *[]byte, from int) {
	defer func() {
		e.mu.Lock()
		e.resting--
		e.idle.Broadcast()
		e.mu.Unlock()
	}()
	err := e.write((*b)[from:])
	recycle(b)
	e.mu.Lock()
	if err != nil {
		e.err = err
	}
	onFail := e.onFail
	// Once this fails, e.err makes every later Send and Post fail at
	// once: no other writeRest starts, and onFail runs once.
	if err := e.writeQueued(false); err != nil && onFail != nil {
		onFail(err)
	}
}

// Wait returns once the goroutine PostEnvelope may have left writing has
// returned (OnFail included). Close the stream first: the goroutine's write
// then fails at once. After Wait, nothing of the Encoder's runs.
func (e *Encoder) Wait() {
	e.mu.Lock()
	for e.resting > 0 {
		e.idle.Wait()
	}
	e.mu.Unlock()
}

// queueEnvelope appends env to what is queued, with e.mu held.
func (e *Encoder) queueEnvelope(env *Envelope) {
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
}

// finish ends a Send, called with e.mu held and the value queued: it
// returns at once if another Send is writing, and otherwise writes (without
// waiting for the peer, with post).
func (e *Encoder) finish(post bool) error {
	if e.err != nil {
		err := e.err
		e.mu.Unlock()
		return err
	}
	if e.writing {
		e.mu.Unlock()
		return nil // the writer takes it with the next write
	}
	return e.writeQueued(post)
}

// writeQueued writes what is queued, and what is queued meanwhile, until
// nothing is left. It is called with e.mu held and e.buf not nil, by a Send
// that found no write in progress or by the writer itself (writeRest), and
// unlocks e.mu. With post, it never waits for the peer: what the stream
// does not take at once is left to writeRest, which goes on from there.
func (e *Encoder) writeQueued(post bool) error {
	e.writing = true
	for e.err == nil && e.buf != nil {
		e.gather()
		b := e.buf
		e.buf = nil
		e.mu.Unlock()
		var err error
		if post {
			var n int
			if n, err = e.writeNow(*b); err == nil && n < len(*b) {
				// The rest must wait for the peer: not here.
				e.mu.Lock()
				e.resting++
				e.mu.Unlock()
				go e.writeRest(b, n)
				return nil
			}
		} else {
			err = e.write(*b)
		}
		recycle(b)
		e.mu.Lock()
		if err != nil {
			e.err = err
		}
	}
	return e.endWriting()
}

// gather is called, with e.mu held, by a writer about to take the queue.
// It lets the goroutines that are ready to run go first: under load some
// of them are about to Send, and their values go out in the same write;
// when some did, more are likely on their way, so it yields once more.
// Alone, it returns at once. It yields at most maxYields times: more only
// add latency. A broadcast's posts yield too, so that the plugins'
// goroutines run between them. docs/performance.md has the measurements
// behind these choices.
func (e *Encoder) gather() {
	for range maxYields {
		queued := len(*e.buf)
		e.mu.Unlock()
		runtime.Gosched()
		e.mu.Lock()
		if len(*e.buf) == queued {
			return
		}
	}
}

// endWriting ends a writer's turn, with e.mu held, and unlocks it.
func (e *Encoder) endWriting() error {
	e.writing = false
	e.idle.Broadcast()
	if e.buf != nil { // a write failed: drop what is left
		recycle(e.buf)
		e.buf = nil
	}
	err := e.err
	e.mu.Unlock()
	return err
}

// recycle puts a write buffer back in the pool, unless it grew too large.
func recycle(b *[]byte) {
	if cap(*b) <= maxPooled {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// write writes b whole, waiting for the peer if it must, within the timeout.
// A write the stream takes at once needs no deadline, and sets none.
func (e *Encoder) write(b []byte) error {
	n, err := e.writeNow(b)
	if err != nil || n == len(b) {
		return err
	}
	if e.dl != nil {
		_ = e.dl.SetWriteDeadline(time.Now().Add(e.timeout))
	}
	_, err = e.w.Write(b[n:])
	return err
}

// writeNow writes what the socket takes of b without waiting and returns
// how much that was; 0 when w is not a socket. An error is the stream's.
func (e *Encoder) writeNow(b []byte) (int, error) {
	if e.nw == nil {
		return 0, nil
	}
	n, err := e.nw.write(b)
	if errors.Is(err, os.ErrDeadlineExceeded) && e.dl != nil {
		// The deadline of an earlier write that had to wait has passed
		// (the socket checks it before trying): clear it and try again;
		// a write that waits sets its own.
		_ = e.dl.SetWriteDeadline(time.Time{})
		n, err = e.nw.write(b)
	}
	return n, err
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
		return e.writeQueued(false)
	}
	err := e.err
	e.mu.Unlock()
	return err
}

// NoWait writes to a TCP or Unix socket what the socket takes at once,
// never waiting for the peer: a writer other than the Encoder (the socket's
// JSON-RPC one) uses it to write on the caller's goroutine. One writer at a
// time; it does not block.
type NoWait struct{ nw *noWait }

// NewNoWait returns a NoWait for w, or nil when w is not a TCP or Unix
// socket (or off Unix).
func NewNoWait(w io.Writer) *NoWait {
	nw := newNoWait(w)
	if nw == nil {
		return nil
	}
	return &NoWait{nw: nw}
}

// Write writes what the socket takes of b at once and returns how much that
// was; an error is the stream's.
func (n *NoWait) Write(b []byte) (int, error) { return n.nw.write(b) }
