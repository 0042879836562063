//go:build unix

package wire

import (
	"io"
	"syscall"
)

// rawConn returns w's file descriptor access when w is a socket (a
// *net.TCPConn or *net.UnixConn), for writes that do not wait; nil otherwise.
func rawConn(w io.Writer) syscall.RawConn {
	sc, ok := w.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeNoWait writes as much of b as the socket takes at once (its
// descriptor is non-blocking, as the net package leaves it) and returns how
// much that was. Nothing waits: a full socket buffer just ends the write.
func writeNoWait(rc syscall.RawConn, b []byte) (int, error) {
	n := 0
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, err := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
			case err != nil:
				werr = err
			case m > 0:
				continue
			}
			break
		}
		return true // done, whatever was written: never wait here
	})
	if err == nil {
		err = werr
	}
	return n, err
}
