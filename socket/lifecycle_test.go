package socket_test

import (
	"context"
	"encoding/gob"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestWaitFor(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)

	// Several waiters on one name all wake when it connects.
	const waiters = 10
	woke := make(chan bool, waiters)
	var ready sync.WaitGroup
	for range waiters {
		ready.Add(1)
		go func() {
			ready.Done()
			woke <- s.WaitFor("late", deadline)
		}()
	}
	ready.Wait()
	connectTCP(t, s, addr, "late", newSvc())
	for range waiters {
		if !recv(t, woke) {
			t.Fatal("a waiter timed out although the plugin connected")
		}
	}
	// Already connected: true at once, even with no time to wait.
	if !s.WaitFor("late", 0) {
		t.Fatal("WaitFor missed a plugin that is already connected")
	}
	// Never connecting: false after the timeout.
	if s.WaitFor("never", 20*time.Millisecond) {
		t.Fatal("WaitFor returned true for a plugin that never came")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.WaitForContext(ctx, "never"); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitForContext = %v", err)
	}
}

func TestDuplicateNameIsRejected(t *testing.T) {
	logs := &logBuffer{}
	s := newSocket(t, socket.WithLogger(logs.logger()))
	addr := listen(t, s)
	connectTCP(t, s, addr, "svc", newSvc())

	second := dialPlugin(t, addr, "svc", newSvc())
	err := second.wait(t)
	if !errors.Is(err, plugin.ErrRejected) || !strings.Contains(err.Error(), `a plugin named "svc" is already connected`) {
		t.Fatalf("second plugin: %v; want ErrRejected with the reason", err)
	}
	logs.waitLog(t, "plugin rejected")
	if got, err := s.Call("", "svc", "Upper", "first"); err != nil || got != "FIRST" {
		t.Fatalf("the first plugin must keep serving: %v, %v", got, err)
	}
}

func TestKeySequencerRenames(t *testing.T) {
	s := newSocket(t, socket.WithKeySequencer(func(n string) string { return n + "+" }, 2))
	addr := listen(t, s)
	for _, name := range []string{"svc", "svc+", "svc++"} {
		dialPlugin(t, addr, "svc", newSvc())
		if !s.WaitFor(name, deadline) {
			t.Fatalf("%s did not register", name)
		}
	}
	fourth := dialPlugin(t, addr, "svc", newSvc())
	if err := fourth.wait(t); !errors.Is(err, plugin.ErrRejected) || !strings.Contains(err.Error(), "2 attempts") {
		t.Fatalf("fourth plugin: %v", err)
	}
	if got := len(s.Connected(false)); got != 3 {
		t.Fatalf("%d plugins connected, want 3", got)
	}
}

func TestInvalidOptions(t *testing.T) {
	for _, o := range []socket.Option{
		socket.WithLogger(nil),
		socket.WithKeySequencer(nil, 1),
		socket.WithHandshakeTimeout(0),
		socket.WithMaxMessage(10),
		socket.WithAsyncMemory(-1),
		socket.WithEventMemory(0),
		nil,
		socket.WithHandshakeTimeout(-time.Second),
		socket.WithWriteTimeout(0),
		socket.WithStopTimeout(0),
		socket.WithKeySequencer(func(n string) string { return n }, 0),
	} {
		if _, err := socket.New(o); !errors.Is(err, socket.ErrInvalidOption) {
			t.Errorf("got %v, want ErrInvalidOption", err)
		}
	}
}

// rawDial opens a TCP connection to the socket that the test drives by hand.
func rawDial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedByPeer waits until the socket closes c.
func closedByPeer(t *testing.T, c net.Conn) {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(deadline))
	buf := make([]byte, 512)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the socket did not close the connection")
		}
		return
	}
}

func TestBadConnectionsAreClosedAndLogged(t *testing.T) {
	logs := &logBuffer{}
	s := newSocket(t, socket.WithLogger(logs.logger()), socket.WithMaxMessage(4096),
		socket.WithHandshakeTimeout(100*time.Millisecond))
	addr := listen(t, s)

	t.Run("garbage", func(t *testing.T) {
		c := rawDial(t, addr)
		c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat("garbage ", 64)))
		closedByPeer(t, c)
		logs.waitLog(t, "reading handshake")
	})
	t.Run("oversized", func(t *testing.T) {
		c := rawDial(t, addr)
		c.Write([]byte{0xfc, 0x00, 0x10, 0x00, 0x00}) // announces 1 MiB
		closedByPeer(t, c)
		logs.waitLog(t, "message too large")
	})
	t.Run("silent", func(t *testing.T) {
		c := rawDial(t, addr)
		closedByPeer(t, c)
		logs.waitLog(t, "no handshake within 100ms")
	})
	t.Run("nameless", func(t *testing.T) {
		c := rawDial(t, addr)
		gob.NewEncoder(c).Encode(struct{ Name, Version string }{"", "1"})
		closedByPeer(t, c)
		logs.waitLog(t, "handshake without a plugin name")
	})
	t.Run("envelope first", func(t *testing.T) {
		c := rawDial(t, addr)
		gob.NewEncoder(c).Encode(struct {
			Seq    uint64
			Method string
		}{1, "Echo"})
		closedByPeer(t, c)
	})
	t.Run("oversized after handshake", func(t *testing.T) {
		// A small request (a larger one is refused before it is sent)
		// whose answer is past the limit.
		tp := connectTCP(t, s, addr, "big", bigAnswers{})
		_, err := s.Call("", "big", "Repeat", 8192)
		if !errors.Is(err, socket.ErrDisconnected) {
			t.Fatalf("a call answered with an oversized message: %v", err)
		}
		if err := tp.wait(t); !errors.Is(err, plugin.ErrDisconnected) {
			t.Fatalf("plugin: %v", err)
		}
		logs.waitLog(t, "message too large")
	})
	// Through all of that the socket went on serving.
	connectTCP(t, s, addr, "good", newSvc())
	if got, err := s.Call("", "good", "Upper", "fine"); err != nil || got != "FINE" {
		t.Fatalf("after bad connections: %v, %v", got, err)
	}
}

func TestShutdownFinishesInFlightCalls(t *testing.T) {
	s, err := socket.New()
	if err != nil {
		t.Fatal(err)
	}
	addr := listen(t, s)
	sv := newSvc()
	tp := connectTCP(t, s, addr, "svc", sv)
	gone := make(chan bool, 1)
	s.OnDisconnect(func(_ *plugin.Info, graceful bool) { gone <- graceful })

	answer := make(chan error, 1)
	go func() {
		got, err := s.Call("", "svc", "Block", "inflight")
		if err == nil && got != "released inflight" {
			err = errors.New("wrong answer")
		}
		answer <- err
	}()
	recv(t, sv.started)
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown("bye") }()
	<-s.Done()
	if _, err := s.Call("", "svc", "Upper", "late"); !errors.Is(err, socket.ErrShutdown) {
		t.Fatalf("call after Shutdown began: %v", err)
	}
	close(sv.release)
	if err := recv(t, answer); err != nil {
		t.Fatalf("in-flight call: %v", err)
	}
	if err := recv(t, shut); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := tp.wait(t); err != nil {
		t.Fatalf("plugin stopped with %v, want nil after a stop request", err)
	}
	if !recv(t, gone) {
		t.Fatal("a plugin stopped by Shutdown was not reported graceful")
	}
	if err := s.Shutdown("again"); err != nil {
		t.Fatalf("second Shutdown: %v", err)
	}
	if _, err := s.Async(); !errors.Is(err, socket.ErrShutdown) {
		t.Fatalf("Async after Shutdown: %v", err)
	}
	if s.WaitFor("svc", time.Second) {
		t.Fatal("WaitFor after Shutdown")
	}
}

func TestShutdownCutsPluginsThatDoNotStop(t *testing.T) {
	s, _ := socket.New()
	sv := newSvc()
	defer close(sv.release)
	// A plugin whose method never returns cannot stop on request.
	a, b := net.Pipe()
	s.ServeConn(a)
	p := new(plugin.Plugin)
	done := make(chan error, 1)
	go func() { done <- p.Start(sv, &plugin.Info{Name: "stuck"}, b, nil) }()
	if !s.WaitFor("stuck", deadline) {
		t.Fatal("not registered")
	}
	go s.Call("", "stuck", "Block", "forever")
	recv(t, sv.started)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.ShutdownContext(ctx, ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ShutdownContext = %v, want DeadlineExceeded", err)
	}
	if err := recv(t, done); !errors.Is(err, plugin.ErrDisconnected) {
		t.Fatalf("plugin: %v", err)
	}
}

func TestUnplug(t *testing.T) {
	s := newSocket(t)
	addr := listen(t, s)
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(_ *plugin.Info, graceful bool) { gone <- graceful })()
	tp := connectTCP(t, s, addr, "svc", newSvc())
	s.Unplug("trace-x", "svc")
	if !recv(t, gone) {
		t.Fatal("an unplugged plugin was reported as crashed")
	}
	if err := tp.wait(t); err != nil {
		t.Fatalf("plugin Start: %v", err)
	}
	if _, err := s.Call("", "svc", "Upper", "x"); !errors.Is(err, socket.ErrPluginNotFound) {
		t.Fatalf("call after Unplug: %v", err)
	}
	s.Unplug("", "nobody") // nothing to do, no panic
}

func TestConnectedHandsOutCopies(t *testing.T) {
	s := newSocket(t)
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc", Version: "1.2"})
	all := s.Connected(true)
	info := all["svc"]
	if info == nil || info.Version != "1.2" || info.Functions["Swap"].Input == nil {
		t.Fatalf("Connected(true) = %+v", info)
	}
	info.Version = "hacked"
	info.Functions["Swap"].Input.Fields[0].Name = "hacked"
	delete(info.Functions, "Upper")
	again := s.PluginInfo("svc")
	if again.Version != "1.2" || again.Functions["Swap"].Input.Fields[0].Name != "a" || again.Functions["Upper"].Name != "Upper" {
		t.Fatalf("changing a copy changed the hub: %+v", again)
	}
	if short := s.Connected(false)["svc"]; short.Functions != nil {
		t.Fatalf("Connected(false) carries functions: %+v", short)
	}
	if s.PluginInfo("nobody") != nil {
		t.Fatal("PluginInfo of an unknown plugin")
	}
}

// MethodInfo hands out a copy of one method's description, and false for
// an unknown plugin or method.
func TestMethodInfoHandsOutACopy(t *testing.T) {
	s := newSocket(t)
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc", Version: "1.2"})
	fn, ok := s.MethodInfo("svc", "Swap")
	if !ok || fn.Name != "Swap" || fn.Input == nil || fn.Input.Fields[0].Name != "a" {
		t.Fatalf("MethodInfo(svc, Swap) = %+v, %v", fn, ok)
	}
	fn.Input.Fields[0].Name = "hacked"
	if again, _ := s.MethodInfo("svc", "Swap"); again.Input.Fields[0].Name != "a" {
		t.Fatalf("changing a copy changed the hub: %+v", again.Input)
	}
	if _, ok := s.MethodInfo("svc", "Nope"); ok {
		t.Fatal("MethodInfo of an unknown method")
	}
	if _, ok := s.MethodInfo("nobody", "Swap"); ok {
		t.Fatal("MethodInfo of an unknown plugin")
	}
}

func TestToken(t *testing.T) {
	s := newSocket(t, socket.WithToken("s3cret"))
	addr := listen(t, s)
	connects := make(chan string, 4)
	defer s.OnConnect(func(i *plugin.Info) { connects <- i.Name })()

	for _, tok := range []string{"", "wrong"} {
		tp := dialPlugin(t, addr, "intruder", newSvc(), plugin.WithToken(tok))
		err := tp.wait(t)
		if !errors.Is(err, plugin.ErrRejected) || !strings.Contains(err.Error(), "authentication failed") {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	dialPlugin(t, addr, "friend", newSvc(), plugin.WithToken("s3cret"))
	if name := recv(t, connects); name != "friend" {
		t.Fatalf("first announced plugin is %q; rejected plugins must never be announced", name)
	}
}

// bigAnswers answers more than it is sent.
type bigAnswers struct{}

// Repeat returns n bytes.
func (bigAnswers) Repeat(_ context.Context, n int) (string, error) {
	return strings.Repeat("x", n), nil
}
