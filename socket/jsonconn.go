package socket

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// jsonConn is the socket's side of a plugin speaking JSON-RPC 2.0
// (docs/jsonrpc.md) in either framing; it is a peer like conn. Its
// goroutine (serve) reads the registration, then every message; once the
// plugin is registered a second goroutine of its own (writeLoop) writes
// what is queued, so that send never waits for the plugin to read.
type jsonConn struct {
	s       *Socket
	nc      net.Conn
	rd      *jsonrpc.Reader
	cfg     config
	log     atomic.Pointer[slog.Logger]
	preauth *wire.Budget
	charged int64 // what the registration holds of preauth; serve's goroutine only

	name     string          // registered name; serve's goroutine only
	framing  jsonrpc.Framing // the plugin's, set before anything is queued
	inflight atomic.Int64

	link                  // mu (which also guards what follows), seq, pending, state, stopT
	out     []byte        // framed messages waiting to be written
	rest    []byte        // the part of a direct write the socket did not take
	spare   []byte        // a buffer to swap with out; never out itself
	live    bool          // registered and answered: senders may write themselves
	owner   writer        // who may write now
	nw      *wire.NoWait  // nil when nc is not a TCP or Unix socket
	wake    chan struct{} // has room for one: the writer goroutine owns the writing
	quit    chan struct{} // closed by end: the writer stops
	written chan struct{} // closed when the writer has stopped
	ended   chan struct{}
}

var _ peer = (*jsonConn)(nil)

// writer is who writes to a jsonConn: nobody, a sender on its own
// goroutine (what the socket takes at once), or the writer goroutine (what
// must wait for the plugin to read). Only the owner writes, so messages go
// out whole and in order.
type writer uint8

const (
	noWriter writer = iota
	senderWrites
	goroutineWrites
)

func newJSONConn(s *Socket, nc net.Conn, r io.Reader, cfg config, preauth *wire.Budget) *jsonConn {
	c := &jsonConn{
		s: s, nc: nc, cfg: cfg, preauth: preauth,
		rd:    jsonrpc.NewReader(r, cfg.maxMessage),
		link:  link{pending: map[uint64]chan reply{}},
		wake:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		ended: make(chan struct{}),
	}
	c.nw = wire.NewNoWait(nc)
	c.log.Store(cfg.log.With("remote", remoteName(nc), "protocol", "jsonrpc"))
	return c
}

func (c *jsonConn) logger() *slog.Logger { return c.log.Load() }

// serve runs the connection: registration, then the read loop.
func (c *jsonConn) serve() {
	defer close(c.ended)
	if !c.open() {
		return
	}
	c.end(c.readLoop())
}

// readLoop handles every message after the registration until the stream
// ends or breaks the protocol.
func (c *jsonConn) readLoop() error {
	for {
		msg, err := c.rd.Read()
		if err != nil {
			if errors.Is(err, jsonrpc.ErrTooLarge) || errors.Is(err, jsonrpc.ErrFraming) {
				c.logger().Warn("closing a plugin that broke the framing", "err", err)
			}
			return err
		}
		if err := c.deliver(msg); err != nil {
			c.logger().Warn("closing a plugin that sent a malformed message", "err", err)
			c.writeLast(errorResponse(nil, jsonrpc.CodeParseError, err.Error()))
			return err
		}
	}
}

// queue appends a framed message to be written. It reports false when the
// connection has closed and nothing will be written.
func (c *jsonConn) queue(msg []byte) bool {
	c.mu.Lock()
	if c.state == connClosed {
		c.mu.Unlock()
		return false
	}
	c.out = jsonrpc.Append(c.out, c.framing, msg)
	c.kick()
	return true
}

// kick is called with c.mu held after a message was queued, and unlocks
// it. When nobody is writing, it writes what is queued on the caller's
// goroutine, as much as the socket takes at once, and leaves the rest to
// the writer goroutine: a sender never waits for the plugin to read.
func (c *jsonConn) kick() {
	if c.owner != noWriter || !c.live {
		c.mu.Unlock() // the owner writes it, or open does
		return
	}
	if c.nw == nil { // TLS, a pipe: every write may wait
		c.owner = goroutineWrites
		c.mu.Unlock()
		c.wakeWriter()
		return
	}
	c.owner = senderWrites
	for {
		c.gather()
		b := c.out
		c.out, c.spare = c.spare[:0], nil
		c.mu.Unlock()
		n, err := c.nw.Write(b)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The deadline of an earlier write that had to wait has passed.
			_ = c.nc.SetWriteDeadline(time.Time{})
			var m int
			m, err = c.nw.Write(b[n:])
			n += m
		}
		if err != nil {
			c.logger().Warn("write failed, closing the connection", "err", err)
			_ = c.nc.Close() // the owner stays: nothing more is written
			return
		}
		c.mu.Lock()
		if n < len(b) {
			c.rest = b[n:]
			c.owner = goroutineWrites
			c.mu.Unlock()
			c.wakeWriter()
			return
		}
		c.spare = b[:0]
		if len(c.out) == 0 {
			c.owner = noWriter
			c.mu.Unlock()
			return
		}
		// More was queued meanwhile: it goes in the next write, as with
		// wire.Encoder, whose writes coalesce the same way.
	}
}

// maxYields bounds how many times in a row gather lets other senders queue:
// wire.Encoder's bound, measured there (docs/performance.md).
const maxYields = 2

// gather is called with c.mu held by a sender about to write what is
// queued: it lets the goroutines that are ready to run go first, so that
// under load their requests go out in the same write; alone, it returns at
// once.
func (c *jsonConn) gather() {
	for range maxYields {
		queued := len(c.out)
		c.mu.Unlock()
		runtime.Gosched()
		c.mu.Lock()
		if len(c.out) == queued {
			return
		}
	}
}

func (c *jsonConn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// writeLoop writes, once it owns the writing, what is left and queued, each
// batch in one write bounded by the write timeout, until nothing is; then
// it lets go. It runs until end stops it; a failed write closes the
// connection, and the read loop then ends it.
func (c *jsonConn) writeLoop() {
	defer close(c.written)
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			return
		}
		for {
			c.mu.Lock()
			if c.owner != goroutineWrites {
				c.mu.Unlock()
				break
			}
			b := c.rest
			c.rest = nil
			if b == nil {
				b = c.out
				c.out, c.spare = c.spare[:0], nil
			}
			if len(b) == 0 {
				c.spare = b
				c.owner = noWriter
				c.mu.Unlock()
				break
			}
			c.mu.Unlock()
			_ = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.writeTimeout))
			if _, err := c.nc.Write(b); err != nil {
				c.logger().Warn("write failed, closing the connection", "err", err)
				_ = c.nc.Close()
				return
			}
			if cap(b) <= 64<<10 {
				c.mu.Lock()
				c.spare = b[:0]
				c.mu.Unlock()
			}
		}
	}
}

// writeLast writes a last message before the connection ends: itself when
// nobody is writing, else after what is queued, as far as the connection
// lets it.
func (c *jsonConn) writeLast(msg []byte) {
	c.mu.Lock()
	c.live = false
	if c.owner == noWriter {
		c.owner = senderWrites // for good: the connection is ending
		c.mu.Unlock()
		c.writeNow(msg)
		return
	}
	c.out = jsonrpc.Append(c.out, c.framing, msg)
	c.mu.Unlock()
}

// writeNow writes one message on the caller's goroutine, before the writer
// runs or after it stopped: a rejection, a parse error.
func (c *jsonConn) writeNow(msg []byte) {
	f := c.framing
	if f == jsonrpc.Unknown {
		f = jsonrpc.Lines
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(c.cfg.writeTimeout))
	if _, err := c.nc.Write(jsonrpc.Append(nil, f, msg)); err != nil {
		c.logger().Debug("message not sent", "err", err)
	}
}

// end closes the connection, stops the writer, fails what is pending and,
// for a registered plugin, announces the disconnection. It runs on serve's
// goroutine.
func (c *jsonConn) end(cause error) {
	_ = c.nc.Close()
	if c.written != nil {
		close(c.quit)
		<-c.written
	}
	c.mu.Lock()
	c.out = nil
	c.mu.Unlock()
	pending, graceful := c.close()
	c.s.peerEnded(c, c.logger(), c.name != "", graceful, cause, pending)
}

// check refuses a request larger than the message limit, or whose payload
// is not JSON (it travels inside the request, not beside it).
func (c *jsonConn) check(trace, method string, payload []byte) error {
	if err := c.cfg.checkRequest(trace, method, payload); err != nil {
		return err
	}
	return checkJSONPayload(payload)
}

// send takes an in-flight slot, registers a pending call and queues the
// request; see conn.send.
func (c *jsonConn) send(trace, method string, payload []byte) (sent, error) {
	if err := c.check(trace, method, payload); err != nil {
		return sent{}, err
	}
	if n := c.inflight.Add(1); n > int64(c.cfg.maxInFlight) {
		c.inflight.Add(-1)
		return sent{}, tooManyCalls(n-1, c.cfg.maxInFlight)
	}
	c.mu.Lock()
	switch c.state {
	case connClosed:
		c.mu.Unlock()
		c.inflight.Add(-1)
		return sent{}, ErrDisconnected
	case connStopping, connCut:
		c.mu.Unlock()
		c.inflight.Add(-1)
		return sent{}, ErrShutdown
	}
	ch := replyPool.Get().(chan reply)
	seq := c.seq
	c.seq++
	c.pending[seq] = ch
	start := jsonrpc.Begin(c.out)
	c.out = jsonrpc.End(appendRequest(c.out, seq, method, payload, trace), c.framing, start)
	c.kick()
	return sent{seq: seq, ch: ch}, nil
}

// wait waits for the answer, ctx, or the end of the connection; after ctx
// ends it sends the plugin $/cancelRequest for the call.
func (c *jsonConn) wait(ctx context.Context, s sent) ([]byte, error) {
	defer c.inflight.Add(-1)
	defer replyPool.Put(s.ch)
	select {
	case r := <-s.ch:
		return r.payload, r.err
	case <-ctx.Done():
	}
	if !c.forget(s.seq) {
		r := <-s.ch
		return r.payload, r.err
	}
	c.queue(appendCancel(nil, s.seq))
	return nil, ctx.Err()
}

// requestStop sends the plugin $/stop and cuts the connection if it has not
// closed within the stop timeout.
func (c *jsonConn) requestStop(trace string) {
	if !c.beginStop(c.cfg.stopTimeout, c.cut) {
		return
	}
	if !c.queue(appendStop(nil, trace)) {
		c.cut("stop request not sent: connection closed")
	}
}

// cut closes the connection at once; the read loop then ends it.
func (c *jsonConn) cut(why string) { c.link.cut(why, c.logger(), c.nc) }

// done is closed when the connection's goroutine has ended.
func (c *jsonConn) done() <-chan struct{} { return c.ended }
