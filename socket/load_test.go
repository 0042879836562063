package socket_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Load test sizes. Churn runs its full 10,000 connections also under the
// race detector (about 4s on two cores, 1.5s without it); under -short it
// runs 2,000, which still shows that connections leave nothing behind.
const (
	loadPlugins = 1000
	churnFull   = 10000
	churnSmall  = 2000
)

// baseline is what a test measures before loading the socket, to compare
// with afterwards.
type baseline struct {
	goroutines int
	heap       uint64
}

func measure() baseline {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return baseline{goroutines: runtime.NumGoroutine(), heap: m.HeapAlloc}
}

// backToBaseline waits until goroutines and heap are back near b:
// goroutines within a couple of the count, the heap within 8 MiB.
func backToBaseline(t *testing.T, b baseline) {
	t.Helper()
	const heapSlack = 8 << 20
	var now baseline
	end := time.Now().Add(deadline)
	for {
		now = measure()
		if now.goroutines <= b.goroutines+2 && now.heap <= b.heap+heapSlack {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("not back to baseline: %d goroutines (%d before), heap %d KiB (%d KiB before)",
				now.goroutines, b.goroutines, now.heap>>10, b.heap>>10)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("back to baseline: %d goroutines (%d before), heap %d KiB (%d KiB before)",
		now.goroutines, b.goroutines, now.heap>>10, b.heap>>10)
}

// loadPlugin is the plugin of the load tests.
type loadPlugin struct{ name string }

// Who returns the plugin's name.
func (p *loadPlugin) Who(_ context.Context, _ struct{}) (string, error) { return p.name, nil }

// startPlugin dials addr and serves a loadPlugin called name in the
// background; stop ends it and waits.
func startPlugin(t *testing.T, addr, name string) (stop func()) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Errorf("dial: %v", err)
		return func() {}
	}
	p := new(plugin.Plugin)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Start(&loadPlugin{name: name}, &plugin.Info{Name: name, Version: "1"}, conn, nil)
	}()
	return func() {
		p.Stop()
		<-done
	}
}

// TestThousandPlugins connects 1,000 plugins over loopback TCP at once,
// broadcasts to all of them (every answer present, from the right plugin),
// disconnects them all, and checks that goroutines and memory go back to
// where they were.
func TestThousandPlugins(t *testing.T) {
	s := newSocket(t, socket.WithMaxPlugins(loadPlugins))
	addr := listen(t, s)
	base := measure()
	start := time.Now()

	stops := make([]func(), loadPlugins)
	var wg sync.WaitGroup
	for i := range loadPlugins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stops[i] = startPlugin(t, addr, fmt.Sprintf("p%04d", i))
		}()
	}
	wg.Wait()
	checkFor(t, func() bool { return s.Stats().Plugins == loadPlugins }, "%d plugins to register (%d did)",
		loadPlugins, s.Stats().Plugins)
	connected := time.Since(start)

	start = time.Now()
	res, errs := s.BroadcastJSON(t.Context(), "", "Who", nil)
	if len(errs) != 0 || len(res) != loadPlugins {
		t.Fatalf("broadcast: %d results, errors %v", len(res), errs)
	}
	for name, out := range res {
		if string(out) != `"`+name+`"` {
			t.Fatalf("%s answered %s", name, out)
		}
	}
	broadcast := time.Since(start)

	start = time.Now()
	for _, stop := range stops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stop()
		}()
	}
	wg.Wait()
	checkFor(t, func() bool { return s.Stats().Plugins == 0 }, "every plugin to go")
	t.Logf("%d plugins: connected in %v, broadcast in %v, disconnected in %v",
		loadPlugins, connected, broadcast, time.Since(start))
	backToBaseline(t, base)
}

// TestChurn connects and disconnects plugins many times over (10,000; fewer
// under -short, see churnSmall), eight at a time, with a call
// each, then checks that nothing is left behind: no plugin registered, no
// goroutine, no memory beyond a small tolerance.
func TestChurn(t *testing.T) {
	n := churnFull
	if testing.Short() {
		n = churnSmall
	}
	s := newSocket(t)
	addr := listen(t, s)
	base := measure()
	start := time.Now()
	const workers = 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n && !t.Failed(); i += workers {
				name := fmt.Sprintf("churn%d", i)
				stop := startPlugin(t, addr, name)
				if !s.WaitFor(name, deadline) {
					t.Errorf("%s did not register", name)
				} else if out, err := s.CallJSON(t.Context(), "", name, "Who", nil); err != nil || string(out) != `"`+name+`"` {
					t.Errorf("%s: %s, %v", name, out, err)
				}
				if i%2 == 0 {
					s.Unplug("", name) // the socket ends it ...
				}
				stop() // ... or the plugin does
			}
		}()
	}
	wg.Wait()
	checkFor(t, func() bool { return s.Stats().Plugins == 0 }, "every plugin to go")
	t.Logf("%d connections in %v", n, time.Since(start))
	backToBaseline(t, base)
}
