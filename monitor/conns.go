package monitor

import (
	"net"
	"sync"
	"time"
)

// The HTTP server's bounds (docs/monitoring.md): a request's headers must
// arrive within readHeaderTimeout and fit in maxHeaderBytes; a keep-alive
// connection idle for idleTimeout is closed; at most maxConns connections
// are open at once, the pages' streams and idle ones included, past which
// a new one waits in the listener's backlog until another closes. There is
// no read or write timeout for a whole request: a stream lasts as long as
// its page, and each of its writes has its own bound (streamWriteTimeout).
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 60 * time.Second
	maxHeaderBytes    = 64 << 10
	maxConns          = 128
)

// limitListener accepts at most cap(sem) connections open at once: Accept
// waits while that many are open (or until Close).
type limitListener struct {
	net.Listener
	sem  chan struct{}
	done chan struct{}
	once sync.Once
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free place, then for a connection; it returns
// net.ErrClosed once Close was called.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, l: l}, nil
}

// Close closes the listener and ends the wait of Accept.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its place back when first closed.
type limitConn struct {
	net.Conn
	l    *limitListener
	once sync.Once
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { <-c.l.sem })
	return err
}
