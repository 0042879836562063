//go:build unix

package wire

import (
	"io"
	"syscall"
)

// noWait writes to a socket without waiting for the peer. Its descriptor
// function is bound once, so a write allocates nothing; one writer at a
// time uses it (the Encoder's).
type noWait struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool // nw.try
	b   []byte
	n   int
	err error
}

// newNoWait returns a noWait for w when w is a socket (a *net.TCPConn or
// *net.UnixConn), nil otherwise.
func newNoWait(w io.Writer) *noWait {
	sc, ok := w.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	nw := &noWait{rc: rc}
	nw.fn = nw.try
	return nw
}

// write writes as much of b as the socket takes at once (its descriptor is
// non-blocking, as the net package leaves it) and returns how much that
// was. Nothing waits: a full socket buffer just ends the write.
func (nw *noWait) write(b []byte) (int, error) {
	nw.b, nw.n, nw.err = b, 0, nil
	err := nw.rc.Write(nw.fn)
	n, werr := nw.n, nw.err
	nw.b = nil
	if err == nil {
		err = werr
	}
	return n, err
}

func (nw *noWait) try(fd uintptr) bool {
	for nw.n < len(nw.b) {
		m, err := syscall.Write(int(fd), nw.b[nw.n:])
		if m > 0 {
			nw.n += m
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
		case err != nil:
			nw.err = err
		case m > 0:
			continue
		}
		break
	}
	return true // done, whatever was written: never wait here
}
