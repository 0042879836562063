package monitor

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"
)

// deadline bounds every wait of these tests.
const deadline = 10 * time.Second

// TestLimitListener: with two places, a third connection is accepted only
// after one of the first two is closed (in the order the acceptor and the
// test record what they did), and Close ends an Accept waiting for a place.
func TestLimitListener(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newLimitListener(tcp, 2)
	var (
		mu  sync.Mutex
		log []string
	)
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		log = append(log, s)
	}
	accepted := make(chan net.Conn, 3)
	ended := make(chan error, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				ended <- err
				return
			}
			note("accepted")
			accepted <- c
		}
	}()
	for range 3 {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := recvConn(t, accepted)
	second := recvConn(t, accepted)
	note("closing one")
	first.Close()
	first.Close() // a second Close gives back no second place
	third := recvConn(t, accepted)
	mu.Lock()
	if got := len(log); got != 4 || log[2] != "closing one" {
		t.Errorf("order %q: the third connection was accepted before a place was free", log)
	}
	mu.Unlock()

	// Both places taken again: the acceptor waits for one; Close ends it.
	l.Close()
	select {
	case err := <-ended:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("Close did not end the waiting Accept")
	}
	second.Close()
	third.Close()
}

func recvConn(t *testing.T, ch <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-ch:
		return c
	case <-time.After(deadline):
		t.Fatal("no connection accepted")
		return nil
	}
}
