package socket_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// deadline bounds every wait in these tests; reaching it is a failure.
const deadline = 10 * time.Second

// svc is the plugin most tests serve.
type svc struct {
	started  chan string   // Block reports its argument here when it starts
	release  chan struct{} // Block returns when this is closed
	canceled chan error    // Block reports ctx.Err() here when its context ends
}

func newSvc() *svc {
	return &svc{started: make(chan string, 64), release: make(chan struct{}), canceled: make(chan error, 64)}
}

type Pair struct {
	A string `json:"a"`
	B int    `json:"b,omitempty"`
}

func (s *svc) Echo(_ context.Context, in any) (any, error)        { return in, nil }
func (s *svc) Upper(_ context.Context, in string) (string, error) { return strings.ToUpper(in), nil }
func (s *svc) Swap(_ context.Context, p Pair) (Pair, error) {
	return Pair{A: strings.Repeat(p.A, 2), B: -p.B}, nil
}
func (s *svc) Trace(ctx context.Context, _ any) (string, error)   { return plugin.Trace(ctx), nil }
func (s *svc) Fail(_ context.Context, msg string) (string, error) { return "", errors.New(msg) }
func (s *svc) Panic(_ context.Context, msg string) (string, error) {
	panic(msg)
}
func (s *svc) Block(ctx context.Context, tag string) (string, error) {
	s.started <- tag
	select {
	case <-s.release:
		return "released " + tag, nil
	case <-ctx.Done():
		s.canceled <- ctx.Err()
		return "", ctx.Err()
	}
}
func (s *svc) Emit(ctx context.Context, n int) (int, error) {
	for i := range n {
		if err := plugin.Notify(ctx, i); err != nil {
			return i, err
		}
	}
	return n, nil
}

// logBuffer collects a socket's log lines for assertions.
type logBuffer struct{ syncbuf.Buffer }

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// waitLog waits until the log contains want.
func (l *logBuffer) waitLog(t *testing.T, want string) {
	t.Helper()
	checkFor(t, func() bool { return strings.Contains(l.String(), want) }, "log line %q; log:\n%s", want, l)
}

// checkFor polls cond until it holds or the deadline passes.
func checkFor(t *testing.T, cond func() bool, what string, args ...any) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for "+what, args...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// listen starts s serving on a loopback TCP port and returns the address.
func listen(t testing.TB, s *socket.Socket, opts ...socket.Option) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(lis, opts...)
	return lis.Addr().String()
}

// tcpPlugin is a plugin connected over real TCP.
type tcpPlugin struct {
	p    *plugin.Plugin
	conn net.Conn
	done chan error
}

// dialPlugin connects v as a plugin called name to the socket at addr and
// returns at once; the test's cleanup stops it.
func dialPlugin(t testing.TB, addr, name string, v any, opts ...plugin.Option) *tcpPlugin {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugin.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	tp := &tcpPlugin{p: p, conn: conn, done: make(chan error, 1)}
	go func() { tp.done <- tp.p.Start(v, &plugin.Info{Name: name, Version: "1.0"}, conn, nil) }()
	t.Cleanup(func() {
		tp.p.Stop()
		tp.wait(t)
	})
	return tp
}

// wait returns the plugin's Start error once it has returned.
func (tp *tcpPlugin) wait(t testing.TB) error {
	t.Helper()
	select {
	case err := <-tp.done:
		tp.done <- err
		return err
	case <-time.After(deadline):
		t.Fatal("plugin did not stop")
		return nil
	}
}

// connectTCP dials a plugin and waits until the socket has registered it.
func connectTCP(t testing.TB, s *socket.Socket, addr, name string, v any) *tcpPlugin {
	t.Helper()
	tp := dialPlugin(t, addr, name, v)
	if !s.WaitFor(name, deadline) {
		t.Fatalf("plugin %q did not register", name)
	}
	return tp
}

func newSocket(t testing.TB, opts ...socket.Option) *socket.Socket {
	t.Helper()
	return plugintest.NewSocket(t, opts...)
}

func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(deadline):
		t.Fatal("timed out waiting on a channel")
		var zero T
		return zero
	}
}
