package scripttest

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Flooder is a plugin that floods the socket with async values through its
// async hook.
type Flooder struct {
	hook chan any
	stop chan struct{}
	wg   sync.WaitGroup
}

// UseAsyncHook receives the hook from the SDK.
func (f *Flooder) UseAsyncHook(hook chan any) { f.hook = hook }

// Start sends the numbers 1..n through the async hook, in the background
// and as fast as the connection takes them, and returns n at once: the
// values arrive while the script does something else, or nothing.
func (f *Flooder) Start(_ context.Context, n int) (int, error) {
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for i := 1; i <= n; i++ {
			select {
			case f.hook <- i:
			case <-f.stop:
				return
			}
		}
	}()
	return n, nil
}

// Burst is how many async values the burst tests and benchmarks send: as
// fast as one plugin can, over loopback TCP.
const Burst = 100_000

// FloodEnv is a runtime configured by cfg over a socket (made with opts)
// with the plugins of AttachFlooder connected.
func FloodEnv(t testing.TB, cfg scripting.Config, opts ...socket.Option) *Env {
	s := Socket(t, opts...)
	AttachFlooder(t, s)
	return NewEnv(t, s, cfg)
}

// AttachFlooder connects a Flooder named "flood" and a test Plugin named
// "tcp" to s over real loopback TCP connections (s serves a listener of its
// own), and waits until both are registered; the test's cleanup stops them.
func AttachFlooder(t testing.TB, s *socket.Socket) {
	t.Helper()
	addr := Listen(t, s)
	f := &Flooder{stop: make(chan struct{})}
	t.Cleanup(func() {
		close(f.stop)
		f.wg.Wait()
	})
	ConnectTCP(t, s, addr, f, "flood")
	ConnectTCP(t, s, addr, &Plugin{}, "tcp")
}

// ConnectTCP dials addr, serves v there as a plugin named name, and waits
// until s has registered it; the test's cleanup stops it.
func ConnectTCP(t testing.TB, s *socket.Socket, addr string, v any, name string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := new(plugin.Plugin)
	done := make(chan error, 1)
	go func() { done <- p.Start(v, &plugin.Info{Name: name, Version: "1.0"}, conn, nil) }()
	t.Cleanup(func() {
		p.Stop()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("plugin %q did not stop", name)
		}
	})
	if !s.WaitFor(name, 10*time.Second) {
		t.Fatalf("plugin %q did not register", name)
	}
}
