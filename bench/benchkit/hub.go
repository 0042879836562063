package benchkit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Sample is the text every call sends: with the envelope around it, about
// as large on the wire as the raw baseline's frame.
const Sample = "the quick brown fox jumps over the lazy dog, 0123456789"

// Text is the typed argument and result of Echo: a struct of one string
// field, the shape of the call a plugin author writes.
type Text struct {
	Text string `json:"text"`
}

// Echo is the plugin every benchmark calls.
type Echo struct{}

// Echo returns its argument.
func (Echo) Echo(_ context.Context, in Text) (Text, error) { return in, nil }

// AnyEcho is a plugin whose Echo takes and returns any JSON: it passes the
// JSON through, as the JSON-RPC echo peer does.
type AnyEcho struct{}

// Echo returns its argument, whatever JSON it was.
func (AnyEcho) Echo(_ context.Context, in any) (any, error) { return in, nil }

// Hub is a socket with plugins connected to it over loopback TCP, all in this
// process. The plugins are named p0, p1, and so on.
type Hub struct {
	S       *socket.Socket
	Plugins int

	lis net.Listener
	wg  sync.WaitGroup
}

// NewHub starts a socket on a loopback port and connects n Echo plugins to
// it; it returns once every one is registered.
func NewHub(n int) (*Hub, error) { return NewHubWith(n) }

// NewHubWith is NewHub with the socket made with opts too (after a logger
// that discards).
func NewHubWith(n int, opts ...socket.Option) (*Hub, error) {
	s, err := socket.New(append([]socket.Option{socket.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.Serve(lis)
	h := &Hub{S: s, lis: lis}
	if err := h.Add(n); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

// Add connects n more Echo plugins and returns once every one is
// registered.
func (h *Hub) Add(n int) error {
	first := h.Plugins
	for i := first; i < first+n; i++ {
		if err := h.start(Name(i), Echo{}); err != nil {
			return err
		}
		h.Plugins++
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := first; i < first+n; i++ {
		if err := h.S.WaitForContext(ctx, Name(i)); err != nil {
			return fmt.Errorf("plugin %s did not register: %w", Name(i), err)
		}
	}
	return nil
}

// start connects the plugin v as name, without waiting for it to register.
func (h *Hub) start(name string, v any) error {
	conn, err := net.Dial("tcp", h.lis.Addr().String())
	if err != nil {
		return err
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		_ = new(plugin.Plugin).Start(v, &plugin.Info{Name: name, Version: "1"}, conn, nil)
	}()
	return nil
}

// AddAny connects an AnyEcho plugin as name (not counted in Plugins: a
// broadcast does not reach it) and returns once it is registered.
func (h *Hub) AddAny(name string) error {
	if err := h.start(name, AnyEcho{}); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return h.S.WaitForContext(ctx, name)
}

// Name is the name of the i-th plugin of a Hub.
func Name(i int) string { return "p" + strconv.Itoa(i) }

// Close shuts the socket down and waits for the plugins to return.
func (h *Hub) Close() {
	_ = h.S.Shutdown("")
	h.wg.Wait()
}

// Calls makes n typed calls of Echo on p0 with Text{Sample}, shared among
// callers concurrent callers, through Socket.Call (the struct encoded to
// JSON, the result decoded from it), and returns how long they took.
func (h *Hub) Calls(n, callers int) (time.Duration, error) {
	arg := Text{Sample}
	return spread(n, callers, func(int) error {
		out, err := h.S.Call("", "p0", "Echo", arg)
		if err == nil {
			if m, ok := out.(map[string]any); !ok || m["text"] != Sample {
				err = fmt.Errorf("echo returned %v", out)
			}
		}
		return err
	})
}

// Broadcasts broadcasts Echo to every plugin n times and returns how long
// it took. Every broadcast must return a result from every plugin.
func (h *Hub) Broadcasts(n int) (time.Duration, error) {
	start := time.Now()
	for range n {
		res, errs := h.S.Broadcast("", "Echo", Text{Sample})
		if len(res) != h.Plugins || len(errs) != 0 {
			return 0, fmt.Errorf("broadcast: %d results of %d, errors %v", len(res), h.Plugins, errs)
		}
	}
	return time.Since(start), nil
}

// Idle is what an idle connected plugin costs, both sides together.
type Idle struct {
	// Alloc is the live heap (HeapAlloc) plus goroutine stacks per plugin,
	// in bytes.
	Alloc float64
	// Inuse is the heap's spans in use (HeapInuse: live objects and the
	// free room in their spans) plus goroutine stacks per plugin, in
	// bytes: what the process holds for it.
	Inuse float64
	// Goroutines is the goroutines per plugin.
	Goroutines float64
}

// IdleCost connects n plugins to a fresh socket over loopback TCP, calls each
// once, lets the connections go idle and returns what each idle plugin
// costs, both sides together.
func IdleCost(n int) (Idle, error) {
	h, err := NewHub(0)
	if err != nil {
		return Idle{}, err
	}
	defer h.Close()
	m0 := memNow()
	if err := h.Add(n); err != nil {
		return Idle{}, err
	}
	for i := range n {
		if _, err := h.S.Call("", Name(i), "Echo", Text{Sample}); err != nil {
			return Idle{}, err
		}
	}
	// A plugin's worker lingers a moment after its last request; wait
	// for the workers to go (for at most 5s).
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if runtime.NumGoroutine() <= m0.goroutines+2*n {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	m1 := memNow()
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(n) }
	return Idle{
		Alloc:      per(m1.alloc+m1.stack, m0.alloc+m0.stack),
		Inuse:      per(m1.inuse+m1.stack, m0.inuse+m0.stack),
		Goroutines: float64(m1.goroutines-m0.goroutines) / float64(n),
	}, nil
}

type mem struct {
	alloc, inuse, stack uint64
	goroutines          int
}

// memNow collects garbage (three times, so that stacks shrink) and returns
// the live heap, the heap in use, the stack memory in use and the number of
// goroutines.
func memNow() mem {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return mem{ms.HeapAlloc, ms.HeapInuse, ms.StackInuse, runtime.NumGoroutine()}
}
