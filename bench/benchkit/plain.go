package benchkit

import (
	"encoding/binary"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// PlainFrame is the size of Plain's frame: a 4-byte length, a 4-byte id and
// 64 bytes of payload.
const PlainFrame = 72

// Plain is the plainest baseline: a loopback TCP ping-pong where the caller
// writes a 72-byte frame and reads the reply on its own goroutine, one call
// at a time. No multiplexing, no goroutine hand-off: the least any
// round trip over this transport costs.
type Plain struct {
	lis   net.Listener
	conn  net.Conn
	srv   sync.WaitGroup
	frame []byte
	reply []byte
}

// NewPlain starts an echo server and connects a client to it.
func NewPlain() (*Plain, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Plain{lis: lis, frame: make([]byte, PlainFrame), reply: make([]byte, PlainFrame)}
	binary.BigEndian.PutUint32(p.frame[:4], PlainFrame-4)
	copy(p.frame[8:], strings.Repeat("x", PlainFrame-8))
	p.srv.Add(1)
	go func() {
		defer p.srv.Done()
		rawEchoServer(lis)
	}()
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		_ = lis.Close()
		p.srv.Wait()
		return nil, err
	}
	p.conn = conn
	return p, nil
}

// Close stops the server and the client.
func (p *Plain) Close() {
	_ = p.conn.Close()
	_ = p.lis.Close()
	p.srv.Wait()
}

// Run makes n round trips, one after the other, and returns how long they
// took. It is not safe for concurrent use.
func (p *Plain) Run(n int) (time.Duration, error) {
	start := time.Now()
	for range n {
		if _, err := p.conn.Write(p.frame); err != nil {
			return 0, err
		}
		if _, err := io.ReadFull(p.conn, p.reply); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}
