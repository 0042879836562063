package socket

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// conn is the socket's side of one plugin connection speaking the brpc
// protocol (internal/wire) over a stream; it is a peer. Its goroutine
// (serve) reads the handshake, then every message, until the connection
// ends.
type conn struct {
	s   *Socket
	nc  net.Conn
	r   io.Reader // nc, or nc behind the bytes the socket sniffed
	cfg config
	log atomic.Pointer[slog.Logger] // gains the plugin's name at registration
	enc *wire.Encoder
	// preauth is the budget shared by the connections that have not
	// authenticated; this one is charged to it until its handshake is read.
	preauth *wire.Budget

	name      string // registered name, "" before; written and read by the conn's goroutine only
	canCancel bool
	inflight  atomic.Int64 // calls waiting for an answer; see limits.go

	link                // mu, seq, pending, state, stopT
	ended chan struct{} // closed when serve returns
}

var _ peer = (*conn)(nil)

// replyPool holds the channels calls wait on, each with room for one reply.
var replyPool = sync.Pool{New: func() any { return make(chan reply, 1) }}

func newConn(s *Socket, nc net.Conn, cfg config, preauth *wire.Budget) *conn {
	c := &conn{
		s: s, nc: nc, r: nc, cfg: cfg, preauth: preauth,
		enc:   wire.NewEncoder(nc, cfg.writeTimeout),
		link:  link{pending: map[uint64]chan reply{}},
		ended: make(chan struct{}),
	}
	c.log.Store(cfg.log.With("remote", remoteName(nc)))
	// A request is posted (see send): part of it may be written after its
	// caller has moved on to wait. If that write fails, the connection must
	// still close, so that the calls waiting for answers fail.
	c.enc.OnFail(c.writeFailed)
	return c
}

func (c *conn) logger() *slog.Logger { return c.log.Load() }

func remoteName(nc net.Conn) string {
	if a := nc.RemoteAddr(); a != nil && a.String() != "" {
		return a.String()
	}
	return "pipe"
}

// serve runs the connection: handshake, registration, then the read loop.
//
// serve itself is kept small, and so is readLoop: the goroutine of an idle
// connection is parked under them, and the garbage collector shrinks its
// stack only if little of it is in use there.
func (c *conn) serve() {
	defer close(c.ended)
	dec := c.open()
	if dec == nil {
		return
	}
	err := c.readLoop(dec)
	c.end(err)
}

// open reads the handshake and registers the plugin. It returns the
// connection's decoder, or nil when the plugin was refused (the connection
// has been ended then).
func (c *conn) open() *wire.Decoder {
	dec := wire.NewDecoder(c.r, c.cfg.maxMessage)
	dec.SetBounds(helloBounds())
	dec.ShareTypes(c.cfg.types)
	// Until the handshake is through, what this connection reads counts
	// against the budget all unauthenticated connections share.
	dec.ChargeTo(c.preauth)
	hello, err := c.handshake(dec)
	dec.Release()
	if err != nil {
		c.s.refused.Add(1)
		c.logger().Warn("plugin refused", "err", err)
		c.end(err)
		return nil
	}
	info := &plugin.Info{Name: hello.Name, Version: hello.Version, Functions: hello.Functions}
	name, err := c.s.register(c, info)
	if err != nil {
		c.s.refused.Add(1)
		c.logger().Warn("plugin rejected", "plugin", hello.Name, "err", err)
		c.reject(err.Error())
		c.end(err)
		return nil
	}
	c.name = name
	c.log.Store(c.logger().With("plugin", name))
	c.logger().Info("plugin connected", "version", hello.Version, "methods", len(hello.Functions))
	return dec
}

// handshake reads and checks the first message.
func (c *conn) handshake(dec *wire.Decoder) (*wire.Hello[plugin.Function], error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(c.cfg.handshakeTimeout))
	var h wire.Hello[plugin.Function]
	if err := dec.Decode(&h); err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("no handshake within %v", c.cfg.handshakeTimeout)
		}
		return nil, fmt.Errorf("reading handshake: %w", err)
	}
	_ = c.nc.SetReadDeadline(time.Time{})
	if h.Name == "" {
		return nil, errors.New("handshake without a plugin name")
	}
	if c.cfg.token != "" && !tokensEqual(h.Token, c.cfg.token) {
		c.reject("authentication failed")
		if h.Token == "" {
			return nil, fmt.Errorf("plugin %q sent no token", h.Name)
		}
		return nil, fmt.Errorf("plugin %q sent a wrong token", h.Name)
	}
	if err := checkHello(&h); err != nil {
		c.reject(err.Error())
		return nil, err
	}
	for _, cp := range h.Caps {
		if cp == wire.CapCancel {
			c.canCancel = true
		}
	}
	return &h, nil
}

// tokensEqual compares in time independent of where, or whether, the two
// differ (hashing first hides the length too).
func tokensEqual(got, want string) bool {
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// reject tells the plugin why it is refused (brpc's way: a Shutdown message
// with an Error).
func (c *conn) reject(reason string) {
	if err := c.enc.SendEnvelope(&wire.Envelope{Method: wire.MethodShutdown, Error: reason}); err != nil {
		c.logger().Debug("rejection not sent", "err", err)
	}
}

// readLoop handles every message after the handshake until the stream ends.
func (c *conn) readLoop(dec *wire.Decoder) error {
	var env wire.Envelope // reused: each decode fills it anew
	for {
		if err := dec.DecodeEnvelope(&env); err != nil {
			return err
		}
		c.deliver(&env)
	}
}

// deliver hands one message from the plugin to whoever waits for it.
func (c *conn) deliver(env *wire.Envelope) {
	if env.Method == wire.MethodAsync {
		c.s.deliverAsync(c.name, env.Payload)
		return
	}
	c.mu.Lock()
	ch := c.pending[env.Seq]
	delete(c.pending, env.Seq)
	c.mu.Unlock()
	if ch == nil {
		c.logger().Debug("answer to no pending call dropped", "seq", env.Seq, "method", env.Method)
		return
	}
	if env.Error != "" {
		ch <- reply{err: &RemoteError{Message: env.Error}}
	} else {
		ch <- reply{payload: env.Payload}
	}
}

// end closes the connection, fails what is pending and, for a registered
// plugin, announces the disconnection. It runs on the conn's goroutine.
func (c *conn) end(cause error) {
	_ = c.nc.Close()
	c.enc.Wait() // a request's background write fails now; let it finish
	pending, graceful := c.close()
	c.s.peerEnded(c, c.logger(), c.name != "", graceful, cause, pending)
}

// check refuses a request larger than the connection's message limit (see
// config.checkRequest).
func (c *conn) check(trace, method string, payload []byte) error {
	return c.cfg.checkRequest(trace, method, payload)
}

// send takes one of c's in-flight slots, registers a pending call and sends
// the request. When it fails, the request was not sent and the slot is
// free again; when it succeeds, wait must follow, once, and frees the slot.
//
// The request is posted (wire.Encoder.PostEnvelope): send never waits for
// the plugin to read. What the connection does not take at once is written
// in the background, so a broadcast sends to every plugin from one
// goroutine and a call's context bounds it even while its request is stuck
// behind a plugin that stopped reading. What can queue that way is bounded
// by the in-flight limit.
func (c *conn) send(trace, method string, payload []byte) (sent, error) {
	if err := c.check(trace, method, payload); err != nil {
		return sent{}, err
	}
	if err := c.acquireCall(); err != nil {
		return sent{}, err
	}
	c.mu.Lock()
	switch c.state {
	case connClosed:
		c.mu.Unlock()
		c.releaseCall()
		return sent{}, ErrDisconnected
	case connStopping, connCut:
		c.mu.Unlock()
		c.releaseCall()
		return sent{}, ErrShutdown
	}
	ch := replyPool.Get().(chan reply)
	seq := c.seq
	c.seq++
	c.pending[seq] = ch
	c.mu.Unlock()

	if err := c.enc.PostEnvelope(&wire.Envelope{Seq: seq, Trace: trace, Method: method, Payload: payload}); err != nil {
		c.writeFailed(err)
	}
	return sent{seq: seq, ch: ch}, nil
}

// writeFailed closes the connection after a failed write: the read loop
// then sees the closed connection and fails every pending call.
func (c *conn) writeFailed(err error) {
	c.logger().Warn("write failed, closing the connection", "err", err)
	_ = c.nc.Close()
}

// wait waits for the answer to what send sent, the context, or the end of
// the connection, and frees the call's in-flight slot.
func (c *conn) wait(ctx context.Context, s sent) ([]byte, error) {
	defer c.releaseCall()
	// Every path out of wait leaves s.ch empty and unreachable: the answer
	// (or the failure end sends) was received, or the call left the
	// pending map before anyone could send to it.
	defer replyPool.Put(s.ch)
	done := ctx.Done()
	if done == nil { // a context that never ends: a plain receive is cheaper than a select
		r := <-s.ch
		return r.payload, r.err
	}
	select {
	case r := <-s.ch:
		return r.payload, r.err
	case <-done:
	}
	if !c.forget(s.seq) {
		// The answer, or the connection's end, won the race.
		r := <-s.ch
		return r.payload, r.err
	}
	if c.canCancel {
		// Posted: the caller's context has ended, and it must not wait
		// for a plugin that is slow to read.
		if err := c.enc.PostEnvelope(&wire.Envelope{Seq: s.seq, Method: wire.MethodCancel}); err != nil {
			c.logger().Debug("cancel not sent", "seq", s.seq, "err", err)
		}
	}
	return nil, ctx.Err()
}

// requestStop asks the plugin to stop and cuts the connection if it has not
// closed within the stop timeout.
func (c *conn) requestStop(trace string) {
	if !c.beginStop(c.cfg.stopTimeout, c.cut) {
		return
	}
	if err := c.enc.SendEnvelope(&wire.Envelope{Trace: trace, Method: wire.MethodShutdown}); err != nil {
		c.cut("stop request not sent: " + err.Error())
	}
}

// done is closed when the connection's goroutine has ended.
func (c *conn) done() <-chan struct{} { return c.ended }

// cut closes the connection at once; the read loop then ends it.
func (c *conn) cut(why string) { c.link.cut(why, c.logger(), c.nc) }
