package socket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// who is a plugin that says which instance it is.
type who struct{ tag string }

func (w who) Who(context.Context, any) (string, error) { return w.tag, nil }

// Instances of one name are one plugin: it connects with the first,
// disconnects with the last, calls are spread over the instances and a
// broadcast reaches the plugin once.
func TestNATSInstancesAreOnePlugin(t *testing.T) {
	ns := startNATS(t, nil)
	s := natsHost(t, ns.ClientURL())
	events := make(chan string, 16)
	defer s.Subscribe(socket.Handlers{
		Connect:    func(info *plugin.Info) { events <- "connect " + info.Name },
		Disconnect: func(info *plugin.Info, graceful bool) { events <- fmt.Sprint("disconnect ", info.Name, " ", graceful) },
	})()
	a := serveNATS(t, ns.ClientURL(), "who", who{"a"})
	if !s.WaitFor("who", deadline) {
		t.Fatal("not found")
	}
	b := serveNATS(t, ns.ClientURL(), "who", who{"b"})
	seen := map[any]int{}
	checkFor(t, func() bool {
		out, err := s.Call("", "who", "Who", nil)
		if err != nil {
			t.Fatal(err)
		}
		seen[out]++
		return seen["a"] > 0 && seen["b"] > 0
	}, "calls answered by both instances, have %v", seen)
	// Round robin: with both known, consecutive calls alternate.
	first, _ := s.Call("", "who", "Who", nil)
	second, _ := s.Call("", "who", "Who", nil)
	if first == second {
		t.Fatalf("two calls in a row went to %v", first)
	}
	res, errs := s.Broadcast("", "Who", nil)
	if len(res) != 1 || len(errs) != 0 {
		t.Fatalf("broadcast: %v %v", res, errs)
	}
	a.p.Stop()
	if err := a.wait(t); err != nil {
		t.Fatal(err)
	}
	checkFor(t, func() bool {
		out, err := s.Call("", "who", "Who", nil)
		return err == nil && out == "b"
	}, "calls answered by b alone")
	b.p.Stop()
	b.wait(t)
	for _, want := range []string{"connect who", "disconnect who true"} {
		if got := recv(t, events); got != want {
			t.Fatalf("event %q, want %q", got, want)
		}
	}
	select {
	case e := <-events:
		t.Fatalf("unexpected event %q", e)
	default:
	}
}

// Async values reach every host, in the order the instance sent them.
func TestNATSAsyncReachesEveryHost(t *testing.T) {
	ns := startNATS(t, nil)
	h1 := natsHost(t, ns.ClientURL())
	h2 := natsHost(t, ns.ClientURL())
	const n = 2000
	var got [2]chan any
	for i, h := range []*socket.Socket{h1, h2} {
		ch := make(chan any, n)
		got[i] = ch
		defer h.Subscribe(socket.Handlers{Async: func(a socket.AsyncData) { ch <- a.Payload }})()
	}
	serveNATS(t, ns.ClientURL(), "svc", newSvc())
	for _, h := range []*socket.Socket{h1, h2} {
		if !h.WaitFor("svc", deadline) {
			t.Fatal("not found")
		}
	}
	if _, err := h1.Call("", "svc", "Emit", n); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		for j := range n {
			if v := recv(t, got[i]); v != float64(j) {
				t.Fatalf("host %d: value %d is %v", i+1, j, v)
			}
		}
	}
}

var chaosBin struct {
	once sync.Once
	path string
	err  error
}

// chaosPlugin builds the chaos example plugin once per test run.
func chaosPlugin(t *testing.T) string {
	t.Helper()
	chaosBin.once.Do(func() {
		dir, err := os.MkdirTemp("", "switchboard-nats-")
		if err != nil {
			chaosBin.err = err
			return
		}
		chaosBin.path = filepath.Join(dir, "chaos")
		out, err := exec.Command("go", "build", "-o", chaosBin.path, "../examples/plugins/chaos").CombinedOutput()
		if err != nil {
			chaosBin.err = fmt.Errorf("building chaos: %w\n%s", err, out)
		}
	})
	if chaosBin.err != nil {
		t.Fatal(chaosBin.err)
	}
	return chaosBin.path
}

// startChaos starts the chaos plugin as a child process served over NATS
// at url; the test's cleanup kills it.
func startChaos(t *testing.T, url string) *exec.Cmd {
	t.Helper()
	return runChaos(t, exec.Command(chaosPlugin(t)), url)
}

// runChaos starts cmd, which runs the chaos plugin, served over NATS at
// url; the test's cleanup kills it.
func runChaos(t *testing.T, cmd *exec.Cmd, url string) *exec.Cmd {
	t.Helper()
	cmd.Env = append(os.Environ(), plugin.EnvAddr+"="+url)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

// An instance killed with SIGKILL is noticed within the liveness bound:
// the calls in flight on it fail with ErrDisconnected naming the plugin,
// those on the other instance go on, and the plugin stays connected.
func TestNATSKilledInstance(t *testing.T) {
	ns := startNATS(t, nil)
	s := newSocket(t)
	if err := s.AttachNATS(dialNATS(t, ns.ClientURL())); err != nil { // the default bounds
		t.Fatal(err)
	}
	victim := startChaos(t, ns.ClientURL())
	if !s.WaitFor("chaos", deadline) {
		t.Fatal("chaos not found")
	}
	startChaos(t, ns.ClientURL())
	checkFor(t, func() bool {
		_, err := s.Call("", "chaos", "Hang", map[string]int{"ms": 1})
		return err == nil && instances(s) == 2
	}, "two instances")
	nc := dialNATS(t, ns.ClientURL())
	ids := s.PluginInfo("chaos").Instances
	before := map[string]int{}
	for _, in := range ids {
		before[in.ID] = hangRequests(t, nc, in.ID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := s.CallContext(ctx, "", "chaos", "Hang", map[string]int{"ms": 0})
			errc <- err
		}()
	}
	// The four calls are spread two and two; wait until both instances
	// hold theirs (their stats count the requests they have taken).
	checkFor(t, func() bool {
		for _, in := range ids {
			if hangRequests(t, nc, in.ID) < before[in.ID]+2 {
				return false
			}
		}
		return true
	}, "two calls on each instance")
	killed := time.Now()
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		err := recv(t, errc)
		// The liveness check with its default bound failed it.
		if !errors.Is(err, socket.ErrDisconnected) || !strings.HasPrefix(err.Error(), "chaos.Hang: ") ||
			!strings.Contains(err.Error(), "no answer to pings for 2s") {
			t.Fatalf("a call on the killed instance: %v", err)
		}
	}
	t.Logf("calls on the killed instance failed %v after SIGKILL", time.Since(killed))
	if !s.WaitFor("chaos", 0) {
		t.Fatal("chaos disconnected with an instance left")
	}
	select {
	case err := <-errc:
		t.Fatalf("a call on the living instance ended: %v", err)
	default:
	}
	cancel()
	for range 2 {
		if err := recv(t, errc); !errors.Is(err, context.Canceled) {
			t.Fatalf("a canceled call: %v", err)
		}
	}
}

// hangRequests returns how many requests for Hang the chaos instance id
// has taken, from its micro stats.
func hangRequests(t *testing.T, nc *nats.Conn, id string) int {
	t.Helper()
	m, err := nc.Request("$SRV.STATS.chaos."+id, nil, deadline)
	if err != nil {
		t.Fatal(err)
	}
	var st micro.Stats
	if err := json.Unmarshal(m.Data, &st); err != nil {
		t.Fatal(err)
	}
	for _, e := range st.Endpoints {
		if e.Name == "Hang" {
			return e.NumRequests
		}
	}
	return 0
}

// instances returns how many instances the host knows for chaos.
func instances(s *socket.Socket) int {
	info := s.PluginInfo("chaos")
	if info == nil {
		return 0
	}
	return len(info.Instances)
}

// Unplug from one host stops every instance, whichever host found it; the
// other host sees the plugin go gracefully. Shutdown of a host detaches it
// and leaves the instances serving the others.
func TestNATSUnplugFromAnyHostShutdownDetaches(t *testing.T) {
	ns := startNATS(t, nil)
	h1 := natsHost(t, ns.ClientURL())
	h2 := natsHost(t, ns.ClientURL())
	gone := make(chan bool, 4)
	defer h2.Subscribe(socket.Handlers{Disconnect: func(_ *plugin.Info, graceful bool) { gone <- graceful }})()
	a := serveNATS(t, ns.ClientURL(), "who", who{"a"})
	b := serveNATS(t, ns.ClientURL(), "who", who{"b"})
	count := func(h *socket.Socket) int {
		if info := h.PluginInfo("who"); info != nil {
			return len(info.Instances)
		}
		return 0
	}
	for _, h := range []*socket.Socket{h1, h2} {
		checkFor(t, func() bool { return count(h) == 2 }, "two instances")
	}
	// h1 goes: the instances serve h2 on.
	if err := h1.Shutdown(""); err != nil {
		t.Fatal(err)
	}
	if out, err := h2.Call("", "who", "Who", nil); err != nil || (out != "a" && out != "b") {
		t.Fatalf("a call after the other host went: %v, %v", out, err)
	}
	h3 := natsHost(t, ns.ClientURL())
	checkFor(t, func() bool { return count(h3) == 2 }, "h3 finding both")
	h3.Unplug("", "who")
	for _, np := range []*natsPlugin{a, b} {
		if err := np.wait(t); err != nil {
			t.Fatalf("an unplugged instance: %v", err)
		}
	}
	if !recv(t, gone) {
		t.Fatal("the other host saw the plugin go ungracefully")
	}
	if h2.PluginInfo("who") != nil {
		t.Fatal("the other host still has the plugin")
	}
}
