package socket_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// netns is a Linux network namespace joined to this one by a veth pair:
// the test's side of the pair has hostIP, the namespace's side nsIP.
type netns struct {
	name, veth   string // the namespace, and this side of the pair
	hostIP, nsIP string
}

// ipCmd runs ip with args and returns its error with its output.
func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// newNetns makes a namespace for a plugin's machine, or skips the test
// where namespaces cannot be made (not Linux, not root, no iproute2). Its
// names and addresses come from the process id, so that runs side by side
// do not collide; the cleanup deletes it, and with it the pair.
func newNetns(t *testing.T) *netns {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipping: network namespaces need iproute2's ip command")
	}
	pid := os.Getpid()
	n := &netns{
		name:   fmt.Sprintf("sbnats%d", pid),
		veth:   fmt.Sprintf("sbv%da", pid%10000000),
		hostIP: fmt.Sprintf("10.%d.%d.1", 100+pid/250%100, pid%250),
		nsIP:   fmt.Sprintf("10.%d.%d.2", 100+pid/250%100, pid%250),
	}
	if err := ipCmd("netns", "add", n.name); err != nil {
		t.Skipf("skipping: cannot make a network namespace: %v", err)
	}
	t.Cleanup(func() {
		if err := ipCmd("netns", "del", n.name); err != nil {
			t.Error(err)
		}
	})
	peer := strings.TrimSuffix(n.veth, "a") + "b"
	for _, args := range [][]string{
		{"link", "add", n.veth, "type", "veth", "peer", "name", peer},
		{"link", "set", peer, "netns", n.name},
		{"addr", "add", n.hostIP + "/30", "dev", n.veth},
		{"link", "set", n.veth, "up"},
		{"-n", n.name, "addr", "add", n.nsIP + "/30", "dev", peer},
		{"-n", n.name, "link", "set", peer, "up"},
		{"-n", n.name, "link", "set", "lo", "up"},
	} {
		if err := ipCmd(args...); err != nil {
			_ = ipCmd("link", "del", n.veth)
			t.Fatal(err)
		}
	}
	return n
}

// A plugin on another machine (a network namespace, reached through a veth
// pair, so every hop crosses a network interface) is called through the
// NATS server; while the link is down its calls fail within the liveness
// bound, and once the link is up again it is found and served again.
func TestNATSPartitionAndHeal(t *testing.T) {
	n := newNetns(t)
	o := natsOpts()
	o.Host = n.hostIP
	ns := startNATS(t, o)
	s := natsHostWith(t, ns.ClientURL(), []socket.NATSOption{fastLiveness})
	disconnected := make(chan bool, 4)
	defer s.Subscribe(socket.Handlers{Disconnect: func(_ *plugin.Info, graceful bool) { disconnected <- graceful }})()

	cmd := exec.Command("ip", "netns", "exec", n.name, chaosPlugin(t))
	cmd.Env = append(os.Environ(), plugin.EnvAddr+"="+ns.ClientURL())
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	if !s.WaitFor("chaos", deadline) {
		t.Fatal("the plugin in the namespace was not found")
	}
	if info := s.PluginInfo("chaos"); !strings.HasSuffix(info.Instances[0].Where, fmt.Sprintf(":%d", cmd.Process.Pid)) {
		t.Fatalf("the instance is not the namespace's process: %+v", info.Instances)
	}
	if _, err := s.Call("", "chaos", "Hang", map[string]int{"ms": 1}); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := s.CallContext(context.Background(), "", "chaos", "Hang", map[string]int{"ms": 0})
		errc <- err
	}()
	nc, id := dialNATS(t, ns.ClientURL()), s.PluginInfo("chaos").Instances[0].ID
	checkFor(t, func() bool { return hangRequests(t, nc, id) >= 2 }, "the call in flight")

	if err := ipCmd("link", "set", n.veth, "down"); err != nil { // the partition
		t.Fatal(err)
	}
	if err := recv(t, errc); !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), "no answer to pings") {
		t.Fatalf("the call in flight across the partition: %v", err)
	}
	if recv(t, disconnected) {
		t.Fatal("a partitioned plugin went gracefully")
	}
	if _, err := s.Call("", "chaos", "Hang", map[string]int{"ms": 1}); !errors.Is(err, socket.ErrPluginNotFound) {
		t.Fatalf("a call during the partition: %v", err)
	}

	if err := ipCmd("link", "set", n.veth, "up"); err != nil { // healed
		t.Fatal(err)
	}
	if !s.WaitFor("chaos", deadline) {
		t.Fatal("the plugin was not found again after the partition healed")
	}
	if _, err := s.Call("", "chaos", "Hang", map[string]int{"ms": 1}); err != nil {
		t.Fatalf("a call after the partition healed: %v", err)
	}
}
