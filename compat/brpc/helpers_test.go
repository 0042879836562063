package brpc_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/compat/brpc"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// deadline bounds every wait in these tests; reaching it is a failure.
const deadline = 10 * time.Second

// calc is the plugin most tests serve, written as a brpc plugin is.
type calc struct {
	hook    chan any
	started chan struct{} // Block says here that it runs
	release chan struct{} // Block returns when it is closed
}

func newCalc() *calc { return &calc{started: make(chan struct{}, 8), release: make(chan struct{})} }

func (c *calc) UseAsyncHook(hook chan any) { c.hook = hook }

func (c *calc) Add(_ context.Context, in [2]float64) (float64, error) { return in[0] + in[1], nil }
func (c *calc) Fail(_ context.Context, msg string) (string, error)    { return "", errors.New(msg) }
func (c *calc) Panic(_ context.Context, msg string) (string, error)   { panic(msg) }

// Emit sends in through the async hook, then answers with it.
func (c *calc) Emit(_ context.Context, in string) (string, error) {
	c.hook <- in
	return in, nil
}

func (c *calc) Block(_ context.Context, _ struct{}) (string, error) {
	c.started <- struct{}{}
	<-c.release
	return "released", nil
}

// hub is a drop-in Socket on loopback TCP with the plugins connected to it;
// when the test ends the socket is shut down and every plugin's Start must
// have returned.
type hub struct {
	t    *testing.T
	s    *brpc.Socket
	addr string
	wg   sync.WaitGroup
}

func newHub(t *testing.T, opts ...brpc.Options) *hub {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hub{t: t, s: new(brpc.Socket), addr: lis.Addr().String()}
	h.s.Serve(lis, opts...)
	t.Cleanup(func() {
		if err := h.s.Shutdown("cleanup"); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		waitGroup(t, &h.wg, "the plugins' Start")
	})
	return h
}

// start dials the hub and serves v as the plugin info describes, with the
// drop-in's Plugin, without waiting for it to register. Start's error comes
// on the returned channel.
func (h *hub) start(v any, info *brpc.PluginInfo) <-chan error {
	h.t.Helper()
	conn, err := net.Dial("tcp", h.addr)
	if err != nil {
		h.t.Fatal(err)
	}
	done := make(chan error, 1)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		done <- new(brpc.Plugin).Start(v, info, conn, nil)
	}()
	return done
}

// connect is start, then waits until the plugin is registered.
func (h *hub) connect(v any, name string) <-chan error {
	h.t.Helper()
	done := h.start(v, &brpc.PluginInfo{Name: name, Version: "1.0.0"})
	if !h.s.WaitFor(name, deadline) {
		h.t.Fatalf("%s did not connect", name)
	}
	return done
}

func waitGroup(t *testing.T, wg *sync.WaitGroup, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(deadline):
		t.Fatalf("%s did not return", what)
	}
}

// recv waits for a value on c.
func recv[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(deadline):
		t.Fatalf("no %s", what)
		panic("unreachable")
	}
}

// pipeListener hands out one end of a net.Pipe per plugin, as brpc's own
// tests do with their mock listener.
type pipeListener struct {
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// dial returns the plugin's end of a new connection.
func (l *pipeListener) dial() net.Conn {
	a, b := net.Pipe()
	select {
	case l.conns <- b:
	case <-l.done:
	}
	return a
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.UnixAddr{Name: "pipe", Net: "pipe"} }
