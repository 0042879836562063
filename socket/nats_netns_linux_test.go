package socket_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"golang.org/x/sys/unix"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// testNet is a small network of Linux network namespaces: machines, each
// a namespace whose veth pair ends on a bridge in the test's own namespace.
// The bridge has no address: the test's own namespace is not on the
// network, and every machine reaches another through two veth pairs.
type testNet struct {
	bridge   string
	machines []machine
}

// machine is one namespace: its name, the test's end of its veth pair
// (down is a partition), and its address.
type machine struct {
	name, veth, ip string
}

// ipCmd runs ip with args and returns its error with its output.
func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// newTestNet makes n machines, or skips the test where namespaces cannot
// be made (not root, no iproute2, no namespaces). Names and the 10.x.y.0/24
// addresses come from the process id, so that runs side by side do not
// collide; the cleanup deletes the namespaces (and with them the pairs) and
// the bridge. Traffic goes only to those addresses.
func newTestNet(t *testing.T, n int) *testNet {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: network namespaces need iproute2's ip command")
	}
	pid := os.Getpid()
	subnet := fmt.Sprintf("10.%d.%d.", 100+pid/250%100, pid%250)
	tn := &testNet{bridge: fmt.Sprintf("sbbr%d", pid%10000000)}
	if err := ipCmd("link", "add", tn.bridge, "type", "bridge"); err != nil {
		t.Skipf("skipping: cannot make a bridge for network namespaces: %v", err)
	}
	t.Cleanup(func() {
		if err := ipCmd("link", "del", tn.bridge); err != nil {
			t.Error(err)
		}
	})
	must := func(args ...string) {
		t.Helper()
		if err := ipCmd(args...); err != nil {
			t.Fatal(err)
		}
	}
	must("link", "set", tn.bridge, "up")
	for i := range n {
		m := machine{
			name: fmt.Sprintf("sbnats%d-%d", pid, i),
			veth: fmt.Sprintf("sbv%d%da", pid%1000000, i),
			ip:   fmt.Sprintf("%s%d", subnet, 2+i),
		}
		if err := ipCmd("netns", "add", m.name); err != nil {
			t.Skipf("skipping: cannot make a network namespace: %v", err)
		}
		t.Cleanup(func() {
			if err := ipCmd("netns", "del", m.name); err != nil {
				t.Error(err)
			}
		})
		peer := strings.TrimSuffix(m.veth, "a") + "b"
		must("link", "add", m.veth, "type", "veth", "peer", "name", peer)
		// Deleting a namespace frees its devices later, in the kernel's own
		// time: the pair is deleted here, at once.
		t.Cleanup(func() { _ = ipCmd("link", "del", m.veth) })
		must("link", "set", m.veth, "master", tn.bridge)
		must("link", "set", m.veth, "up")
		must("link", "set", peer, "netns", m.name)
		must("-n", m.name, "addr", "add", m.ip+"/24", "dev", peer)
		must("-n", m.name, "link", "set", peer, "up")
		must("-n", m.name, "link", "set", "lo", "up")
		tn.machines = append(tn.machines, m)
	}
	return tn
}

// inNetns runs fn on an OS thread of its own moved into the namespace of
// machine name, and waits for it. The sockets fn makes (listening or
// dialling) belong to that namespace for their whole life, whichever
// thread uses them later; goroutines fn starts run outside it. The thread
// is locked and never unlocked, so that the Go runtime ends it with the
// goroutine instead of running other goroutines in the namespace.
func inNetns(name string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		f, err := os.Open("/var/run/netns/" + name)
		if err != nil {
			errc <- err
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns %s: %w", name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// netnsDialer dials NATS from inside a machine's namespace, reconnections
// included.
type netnsDialer struct{ name string }

// Dial dials address from inside the namespace; it blocks until connected.
func (d netnsDialer) Dial(network, address string) (net.Conn, error) {
	var c net.Conn
	err := inNetns(d.name, func() (err error) {
		c, err = (&net.Dialer{Timeout: deadline}).Dial(network, address)
		return err
	})
	return c, err
}

// startNATSIn starts an embedded NATS server listening on machine m's
// address, in m's namespace; it stops when the test ends.
func startNATSIn(t *testing.T, m machine) *server.Server {
	t.Helper()
	o := natsOpts()
	o.Host = m.ip
	ns, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	// Start makes the client listener before it returns, on this thread.
	if err := inNetns(m.name, func() error { ns.Start(); return nil }); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	if !ns.ReadyForConnections(deadline) {
		t.Fatalf("NATS server in %s did not start", m.name)
	}
	return ns
}

// startChaosIn starts the chaos plugin inside machine m, served over NATS
// at url; the test's cleanup kills it.
func startChaosIn(t *testing.T, m machine, url string) *exec.Cmd {
	t.Helper()
	return runChaos(t, exec.Command("ip", "netns", "exec", m.name, chaosPlugin(t)), url) // ip execs the plugin: same pid
}

// envChildHost, set, makes TestNATSChildHost a host on another machine:
// its value is the NATS URL.
const envChildHost = "SWITCHBOARD_TEST_NATS_HOST"

// TestNATSChildHost is the second host of TestNATSPartitionAndHeal, run by
// it as a child process in a namespace of its own; otherwise it skips. It
// calls chaos once and prints where the instance that answered runs.
func TestNATSChildHost(t *testing.T) {
	url := os.Getenv(envChildHost)
	if url == "" {
		t.Skip("skipping: run by TestNATSPartitionAndHeal as the host of another machine")
	}
	s := natsHost(t, url)
	if !s.WaitFor("chaos", deadline) {
		t.Fatal("chaos not found from the other machine")
	}
	checkFor(t, func() bool { return instances(s) == 2 }, "both instances, from the other machine")
	for range 2 { // one on each instance
		if _, err := s.Call("", "chaos", "Hang", map[string]int{"ms": 1}); err != nil {
			t.Fatal(err)
		}
	}
	fmt.Printf("called chaos from %s, %d instances\n", os.Getenv("SWITCHBOARD_TEST_MACHINE"), instances(s))
}

// Four machines (network namespaces on a bridge that the test's own
// namespace has no address on, so every hop between two processes, or
// between a host and a server that is not its own, crosses two veth
// pairs): this host and its NATS server on the first, two instances of a
// plugin on the next two, a second host (the test binary run again) on the
// last. The other machine's host calls the plugin. One plugin machine's
// link goes down: the call in flight on it fails within the liveness bound
// with disconnected, the call on the other machine goes on, the plugin
// stays connected and is served by the other instance; once the link is up
// again, both serve again.
func TestNATSPartitionAndHeal(t *testing.T) {
	tn := newTestNet(t, 4)
	here, plugins, other := tn.machines[0], tn.machines[1:3], tn.machines[3]
	ns := startNATSIn(t, here)
	inHere := nats.SetCustomDialer(netnsDialer{here.name})
	s := newSocket(t)
	if err := s.AttachNATS(dialNATS(t, ns.ClientURL(), inHere), fastLiveness); err != nil {
		t.Fatal(err)
	}
	disconnected := make(chan bool, 4)
	defer s.Subscribe(socket.Handlers{Disconnect: func(_ *plugin.Info, graceful bool) { disconnected <- graceful }})()

	ids := map[int]string{} // instance id by machine
	for i, m := range plugins {
		cmd := startChaosIn(t, m, ns.ClientURL())
		checkFor(t, func() bool {
			info := s.PluginInfo("chaos")
			if info == nil {
				return false
			}
			for _, in := range info.Instances {
				if strings.HasSuffix(in.Where, fmt.Sprintf(":%d", cmd.Process.Pid)) {
					ids[i] = in.ID
					return true
				}
			}
			return false
		}, "the instance in %s", m.name)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("ip", "netns", "exec", other.name, exe, "-test.run=^TestNATSChildHost$", "-test.v")
	child.Env = append(os.Environ(), envChildHost+"="+ns.ClientURL(), "SWITCHBOARD_TEST_MACHINE="+other.name)
	out, err := child.CombinedOutput()
	if want := "called chaos from " + other.name + ", 2 instances"; err != nil || !strings.Contains(string(out), want) {
		t.Fatalf("the host on %s: %v\n%s", other.name, err, out)
	}

	nc := dialNATS(t, ns.ClientURL(), inHere)
	before := map[int]int{0: hangRequests(t, nc, ids[0]), 1: hangRequests(t, nc, ids[1])}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 2)
	for range 2 { // round robin: one on each machine
		go func() {
			_, err := s.CallContext(ctx, "", "chaos", "Hang", map[string]int{"ms": 0})
			errc <- err
		}()
	}
	checkFor(t, func() bool {
		return hangRequests(t, nc, ids[0]) > before[0] && hangRequests(t, nc, ids[1]) > before[1]
	}, "a call in flight on each machine")

	if err := ipCmd("link", "set", plugins[0].veth, "down"); err != nil { // the partition
		t.Fatal(err)
	}
	if err := recv(t, errc); !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), "no answer to pings") ||
		!strings.Contains(err.Error(), ids[0]) {
		t.Fatalf("the call in flight across the partition: %v", err)
	}
	if info := s.PluginInfo("chaos"); info == nil || len(info.Instances) != 1 || info.Instances[0].ID != ids[1] {
		t.Fatalf("during the partition: %+v", info)
	}
	if _, err := s.Call("", "chaos", "Hang", map[string]int{"ms": 1}); err != nil {
		t.Fatalf("a call during the partition: %v", err)
	}

	if err := ipCmd("link", "set", plugins[0].veth, "up"); err != nil { // healed
		t.Fatal(err)
	}
	checkFor(t, func() bool {
		info := s.PluginInfo("chaos")
		return info != nil && len(info.Instances) == 2
	}, "both instances after the partition healed")
	select {
	case err := <-errc:
		t.Fatalf("the call on the other machine ended: %v", err)
	case g := <-disconnected:
		t.Fatalf("the plugin disconnected (graceful %v) with an instance left", g)
	default:
	}
	cancel()
	if err := recv(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("the call on the other machine, canceled: %v", err)
	}
}
