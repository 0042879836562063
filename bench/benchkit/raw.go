package benchkit

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// Raw is the baseline every figure is compared with: a length-prefixed
// ~64-byte ping-pong over loopback TCP, between a client that multiplexes any
// number of callers on one connection and an echo server that answers each
// frame and flushes whenever it has no more input buffered. Nothing but
// framing and routing by caller id happens on either side, so it is the
// ceiling a protocol on the same transport can approach.
type Raw struct {
	lis  net.Listener
	conn net.Conn
	srv  sync.WaitGroup

	coalesce bool
	payload  []byte
	replies  []chan struct{} // by caller id
	rmu      sync.Mutex

	wmu      sync.Mutex
	wbuf     []byte
	spare    []byte
	flushing bool
	bw       *bufio.Writer
	werr     error
	rdone    chan struct{}
}

// NewRaw starts an echo server and connects a client to it. With coalesce,
// callers append their frames to a shared buffer and one of them writes
// everything queued in a single write while the others go on (the same
// technique wire.Encoder uses); without it each caller writes its own frame.
func NewRaw(coalesce bool) (*Raw, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Raw{lis: lis, coalesce: coalesce, payload: []byte(strings.Repeat("x", 56)), rdone: make(chan struct{})}
	r.srv.Add(1)
	go func() {
		defer r.srv.Done()
		rawEchoServer(lis)
	}()
	conn, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		_ = lis.Close()
		r.srv.Wait()
		return nil, err
	}
	r.conn = conn
	r.bw = bufio.NewWriter(conn)
	go r.readLoop()
	return r, nil
}

// Close stops the server and the client.
func (r *Raw) Close() {
	_ = r.conn.Close()
	_ = r.lis.Close()
	<-r.rdone
	r.srv.Wait()
}

// Run makes n round trips shared among callers concurrent callers and
// returns how long they took.
func (r *Raw) Run(n, callers int) (time.Duration, error) {
	r.rmu.Lock()
	for len(r.replies) < callers {
		r.replies = append(r.replies, make(chan struct{}, 1))
	}
	r.rmu.Unlock()
	return spread(n, callers, func(c int) error { return r.roundTrip(uint32(c)) })
}

// spread runs n operations shared among callers concurrent callers (each
// calls op with its index until its share is done or op fails) and returns
// how long they took and the first error.
func spread(n, callers int, op func(caller int) error) (time.Duration, error) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	start := time.Now()
	for c := range callers {
		k := n / callers
		if c < n%callers {
			k++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				if err := op(c); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), first
}

func (r *Raw) roundTrip(id uint32) error {
	r.rmu.Lock()
	ch := r.replies[id]
	r.rmu.Unlock()
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(4+len(r.payload)))
	binary.BigEndian.PutUint32(hdr[4:], id)
	if err := r.write(hdr[:]); err != nil {
		return err
	}
	select {
	case <-ch:
		return nil
	case <-r.rdone:
		return errors.New("raw: connection closed")
	}
}

func (r *Raw) write(hdr []byte) error {
	r.wmu.Lock()
	if !r.coalesce {
		defer r.wmu.Unlock()
		r.bw.Write(hdr)
		r.bw.Write(r.payload)
		return r.bw.Flush()
	}
	r.wbuf = append(append(r.wbuf, hdr...), r.payload...)
	if r.flushing {
		r.wmu.Unlock()
		return nil
	}
	r.flushing = true
	for len(r.wbuf) > 0 && r.werr == nil {
		buf := r.wbuf
		r.wbuf = r.spare[:0]
		r.wmu.Unlock()
		_, err := r.conn.Write(buf)
		r.wmu.Lock()
		r.spare = buf
		r.werr = err
	}
	r.flushing = false
	err := r.werr
	r.wmu.Unlock()
	return err
}

func (r *Raw) readLoop() {
	defer close(r.rdone)
	br := bufio.NewReaderSize(r.conn, 16<<10)
	var hdr [8]byte
	body := make([]byte, 1<<16)
	for {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(hdr[:4]) - 4
		if _, err := io.ReadFull(br, body[:n]); err != nil {
			return
		}
		id := binary.BigEndian.Uint32(hdr[4:])
		r.rmu.Lock()
		ch := r.replies[id]
		r.rmu.Unlock()
		ch <- struct{}{}
	}
}

// rawEchoServer echoes frames of [4-byte length][4-byte caller id][body],
// flushing whenever it has no more input buffered.
func rawEchoServer(lis net.Listener) {
	c, err := lis.Accept()
	if err != nil {
		return
	}
	defer c.Close()
	br, bw := bufio.NewReaderSize(c, 16<<10), bufio.NewWriterSize(c, 16<<10)
	buf := make([]byte, 1<<16)
	for {
		if _, err := io.ReadFull(br, buf[:4]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(buf[:4])
		if n > uint32(len(buf)-4) {
			return
		}
		if _, err := io.ReadFull(br, buf[4:4+n]); err != nil {
			return
		}
		_, _ = bw.Write(buf[:4+n])
		if br.Buffered() == 0 {
			if bw.Flush() != nil {
				return
			}
		}
	}
}
