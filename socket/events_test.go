package socket_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
)

// startReading makes s keep async values for Async from now on, as the
// first call of Async does.
func startReading(t *testing.T, s *socket.Socket) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.AsyncContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("AsyncContext with a done context: %v", err)
	}
}

func TestAsyncValuesArriveInOrder(t *testing.T) {
	s := newSocket(t)
	startReading(t, s)
	got := make(chan float64, 200)
	defer s.OnAsync(func(a socket.AsyncData) {
		if a.Name == "svc" {
			got <- a.Payload.(float64)
		}
	})()
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	const n = 100
	if _, err := s.Call("", "svc", "Emit", n); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if v := recv(t, got); v != float64(i) {
			t.Fatalf("subscriber got %v at position %d", v, i)
		}
	}
	// The same values wait in the backlog for a reader that comes later.
	for i := range n {
		a, err := s.Async()
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "svc" || a.Payload != float64(i) || string(a.Raw) != strconv.Itoa(i) {
			t.Fatalf("Async() = %+v at position %d", a, i)
		}
	}
}

// TestAsyncKeepsNothingUntilRead: values sent before the first call of
// Async are not kept (nobody may ever read them); those sent after are.
func TestAsyncKeepsNothingUntilRead(t *testing.T) {
	s := newSocket(t)
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	if _, err := s.Call("", "svc", "Emit", 3000); err != nil {
		t.Fatal(err)
	}
	startReading(t, s)
	if _, err := s.Call("", "svc", "Emit", 2); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // 0 and 1 of the second Emit, not 0, 1, 2... of the first
		if a, err := s.Async(); err != nil || a.Payload != float64(i) {
			t.Fatalf("Async() = %+v, %v; want %d", a, err, i)
		}
	}
	if st := s.Stats(); st.AsyncDropped != 0 {
		t.Errorf("%d values counted as dropped", st.AsyncDropped)
	}
}

func TestAsyncBacklogDropsOldestAndCounts(t *testing.T) {
	logs := &logBuffer{}
	// A value "10".."49" from "svc" counts as 160+3+4*2 = 171 bytes: the
	// bound holds the last 10.
	s := newSocket(t, socket.WithAsyncMemory(1710), socket.WithLogger(logs.logger()))
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	startReading(t, s)
	if _, err := s.Call("", "svc", "Emit", 50); err != nil {
		t.Fatal(err)
	}
	checkFor(t, func() bool { return s.Stats().AsyncDropped == 40 }, "40 dropped values, have %d", s.Stats().AsyncDropped)
	for i := 40; i < 50; i++ {
		a, err := s.Async()
		if err != nil || a.Payload != float64(i) {
			t.Fatalf("Async() = %+v, %v; want %d", a, err, i)
		}
	}
	logs.waitLog(t, "async backlog full")
	if n := strings.Count(logs.String(), "async backlog full"); n != 1 {
		t.Errorf("a burst of drops logged %d times, want once:\n%s", n, logs)
	}
	logs.waitLog(t, "plugin=svc")
}

func TestSlowSubscriberDoesNotStallPlugins(t *testing.T) {
	logs := &logBuffer{}
	s := newSocket(t, socket.WithEventMemory(8*171), socket.WithAsyncMemory(0), socket.WithLogger(logs.logger()))
	block := make(chan struct{})
	entered := make(chan struct{}, 1)
	unsub := s.OnAsync(func(socket.AsyncData) {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-block
	})
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	// The subscriber is stuck in its first value; the plugin's 1000 values
	// and its answer still go through.
	if got, err := s.Call("", "svc", "Emit", 1000); err != nil || got != float64(1000) {
		t.Fatalf("Emit = %v, %v", got, err)
	}
	recv(t, entered)
	checkFor(t, func() bool { return s.Stats().EventsDropped > 0 }, "dropped events to be counted")
	logs.waitLog(t, "subscriber too slow")
	close(block)
	unsub()
}

func TestSubscriptionSeesConnectAsyncDisconnectInOrder(t *testing.T) {
	s := newSocket(t)
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{})
	defer s.Subscribe(socket.Handlers{
		Connect: func(i *plugin.Info) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, "connect "+i.Name)
		},
		Async: func(a socket.AsyncData) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, "async "+string(a.Raw))
		},
		Disconnect: func(i *plugin.Info, graceful bool) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, "disconnect "+i.Name)
			close(done)
		},
	})()
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	if _, err := s.Call("", "svc", "Emit", 2); err != nil {
		t.Fatal(err)
	}
	s.Unplug("", "svc")
	recv(t, done)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"connect svc", "async 0", "async 1", "disconnect svc"}
	if len(seen) != len(want) {
		t.Fatalf("events %q, want %q", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("events %q, want %q", seen, want)
		}
	}
}

func TestUnsubscribeStopsDelivery(t *testing.T) {
	s := newSocket(t)
	calls := make(chan struct{}, 100)
	unsub := s.OnAsync(func(socket.AsyncData) { calls <- struct{}{} })
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	if _, err := s.Call("", "svc", "Emit", 1); err != nil {
		t.Fatal(err)
	}
	recv(t, calls)
	unsub()
	unsub() // twice is fine
	// A second subscriber proves the next value was published.
	next := make(chan struct{}, 1)
	defer s.OnAsync(func(socket.AsyncData) { next <- struct{}{} })()
	if _, err := s.Call("", "svc", "Emit", 1); err != nil {
		t.Fatal(err)
	}
	recv(t, next)
	select {
	case <-calls:
		t.Fatal("an ended subscription was called")
	default:
	}
}

func TestRegisterCallbackOnCrash(t *testing.T) {
	s := newSocket(t)
	type ev struct {
		name     string
		graceful bool
	}
	got := make(chan ev, 1)
	s.RegisterCallback(func(i *plugin.Info, graceful bool) { got <- ev{i.Name, graceful} })
	addr := listen(t, s)
	tp := connectTCP(t, s, addr, "crashy", newSvc())
	tp.conn.Close()
	if e := recv(t, got); e.name != "crashy" || e.graceful {
		t.Fatalf("callback got %+v", e)
	}
}

func TestDirectSubscriberSeesValuesBeforeTheAnswer(t *testing.T) {
	s := newSocket(t)
	var mu sync.Mutex
	n := 0
	defer s.Subscribe(socket.Handlers{Direct: true, Async: func(socket.AsyncData) {
		mu.Lock()
		n++
		mu.Unlock()
	}})()
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	for round := 1; round <= 20; round++ {
		if _, err := s.Call("", "svc", "Emit", 5); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := n
		mu.Unlock()
		if got != 5*round {
			t.Fatalf("round %d: %d values seen when the answer came, want %d", round, got, 5*round)
		}
	}
}

// Direct subscribers get copies of the description made before the socket's
// locks are taken: each its own, under the registered name (here a
// sequenced one), that it may change without touching anyone else's.
func TestDirectSubscribersGetTheirOwnCopies(t *testing.T) {
	s := newSocket(t, socket.WithKeySequencer(func(n string) string { return n + "+" }, 3))
	got := make(chan *plugin.Info, 8)
	handlers := socket.Handlers{Direct: true,
		Connect:    func(info *plugin.Info) { got <- info },
		Disconnect: func(info *plugin.Info, _ bool) { got <- info },
	}
	defer s.Subscribe(handlers)()
	defer s.Subscribe(handlers)()
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	second := plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc"})
	var infos []*plugin.Info
	for range 4 {
		infos = append(infos, recv(t, got))
	}
	for i, info := range infos {
		want := "svc"
		if i >= 2 {
			want = "svc+"
		}
		if info.Name != want || info.Functions["Upper"].Name != "Upper" {
			t.Fatalf("event %d: %+v", i, info)
		}
		delete(info.Functions, "Upper") // each copy is the handler's own
	}
	if infos[0] == infos[1] || infos[2] == infos[3] {
		t.Fatal("two subscribers were handed the same copy")
	}
	if _, ok := s.PluginInfo("svc+").Functions["Upper"]; !ok {
		t.Fatal("a handler's change reached the registry")
	}
	second.Plugin.Stop()
	if info := recv(t, got); info.Name != "svc+" || info.Functions["Upper"].Name != "Upper" {
		t.Fatalf("disconnect event: %+v", info)
	}
	recv(t, got)
}
