package socket

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// link is what every kind of plugin connection keeps the same way: the
// calls waiting for answers, where the connection is in its life, and the
// timer that cuts a plugin ignoring a stop request. conn and jsonConn embed
// it; mu guards its fields and whatever the embedding type says it does.
type link struct {
	mu      sync.Mutex
	seq     uint64                // the last request's number
	pending map[uint64]chan reply // calls waiting for an answer, by number
	state   connState
	stopT   *time.Timer // cuts the connection if the plugin ignores a stop request
}

// connState is where a connection is in its life. The states are ordered
// and a connection only moves forward; connStopping is skipped when the
// socket cuts a plugin that never registered, and connCut when the plugin
// closes or the connection breaks by itself.
type connState uint8

const (
	// connOpen: requests are sent.
	connOpen connState = iota
	// connStopping: a stop request was sent; new requests fail with
	// ErrShutdown, the plugin finishes those in flight and closes, and its
	// going is graceful.
	connStopping
	// connCut: the socket closed the connection (the plugin ignored its
	// stop request, or Shutdown could wait no longer); new requests fail
	// as in connStopping, the read loop ends the connection, and the
	// plugin's going is not graceful.
	connCut
	// connClosed: the read loop has ended and the pending calls have
	// failed.
	connClosed
)

// beginStop moves an open link to connStopping and arms the timer that
// calls cut after d. It reports false, and does nothing, when the link is
// not open (a stop was already requested, or the connection is ending).
func (l *link) beginStop(d time.Duration, cut func(why string)) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state != connOpen {
		return false
	}
	l.state = connStopping
	l.stopT = time.AfterFunc(d, func() { cut("did not stop in time") })
	return true
}

// cut marks the link cut and closes nc at once, logging why to log; the
// read loop then ends the connection. It does nothing once the link is
// closed.
func (l *link) cut(why string, log *slog.Logger, nc net.Conn) {
	l.mu.Lock()
	if l.state == connClosed {
		l.mu.Unlock()
		return
	}
	l.state = connCut
	l.mu.Unlock()
	log.Warn("cutting plugin connection", "why", why)
	_ = nc.Close()
}

// forget takes the call numbered seq out of the pending calls, for a caller
// that gives up, and reports whether it was still pending (false: its
// answer, or the connection's end, has been or is being sent to it).
func (l *link) forget(seq uint64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.pending[seq]
	delete(l.pending, seq)
	return ok
}

// close marks the link closed and stops its stop timer. It returns the calls
// still pending, for the caller to fail, and whether the connection ended
// gracefully (after a stop request, without being cut).
func (l *link) close() (pending map[uint64]chan reply, graceful bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	graceful = l.state == connStopping
	l.state = connClosed
	pending, l.pending = l.pending, nil
	if l.stopT != nil {
		l.stopT.Stop()
	}
	return pending, graceful
}

// peerEnded finishes a peer whose connection has ended: for a registered
// plugin it logs how the plugin went, then takes the peer out of the
// registry, then fails the calls that were pending on it (ErrShutdown after
// a graceful stop, else ErrDisconnected), in that order, so that a caller
// retrying at once is told the plugin is gone.
func (s *Socket) peerEnded(p peer, log *slog.Logger, registered, graceful bool, cause error, pending map[uint64]chan reply) {
	if registered {
		switch {
		case graceful:
			log.Info("plugin stopped")
		case errors.Is(cause, io.EOF):
			log.Warn("plugin disconnected", "pending", len(pending))
		default:
			log.Warn("plugin connection failed", "err", cause, "pending", len(pending))
		}
	}
	s.leave(p, graceful)
	failure := ErrDisconnected
	if graceful {
		failure = ErrShutdown
	}
	for _, ch := range pending {
		ch <- reply{err: failure}
	}
}
