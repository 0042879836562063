package socket_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// startCluster starts n embedded NATS servers routed into one cluster and
// waits until each has a route to every other.
func startCluster(t *testing.T, n int) []*server.Server {
	t.Helper()
	var out []*server.Server
	var seed *url.URL
	for i := range n {
		o := natsOpts()
		o.ServerName = fmt.Sprintf("n%d", i+1)
		o.Cluster = server.ClusterOpts{Name: "test", Host: "127.0.0.1", Port: -1}
		if seed != nil {
			o.Routes = []*url.URL{seed}
		}
		ns := startNATS(t, o)
		if seed == nil {
			seed = &url.URL{Scheme: "nats", Host: ns.ClusterAddr().String()}
		}
		out = append(out, ns)
	}
	checkFor(t, func() bool {
		for _, ns := range out {
			if len(routedTo(ns)) < n-1 {
				return false
			}
		}
		return true
	}, "a full mesh of %d servers", n)
	return out
}

// routedTo returns the names of the servers ns has a route to.
func routedTo(ns *server.Server) map[string]bool {
	rz, err := ns.Routez(nil)
	if err != nil {
		return nil
	}
	names := map[string]bool{}
	for _, r := range rz.Routes {
		names[r.RemoteName] = true
	}
	return names
}

// startChaosOn starts the chaos plugin as a child connected to url, and
// returns it with its instance id once host has registered it.
func startChaosOn(t *testing.T, host *socket.Socket, url string) (*exec.Cmd, string) {
	t.Helper()
	known := map[string]bool{}
	if info := host.PluginInfo("chaos"); info != nil {
		for _, in := range info.Instances {
			known[in.ID] = true
		}
	}
	cmd := startChaos(t, url)
	var id string
	checkFor(t, func() bool {
		info := host.PluginInfo("chaos")
		if info == nil {
			return false
		}
		for _, in := range info.Instances {
			if !known[in.ID] && strings.HasSuffix(in.Where, fmt.Sprintf(":%d", cmd.Process.Pid)) {
				id = in.ID
				return true
			}
		}
		return false
	}, "the instance of pid %d", cmd.Process.Pid)
	return cmd, id
}

// A 3-node cluster, 2 hosts on different nodes, 3 instances of one plugin
// on the 3 nodes, load from both hosts; one instance is killed with
// SIGKILL and one server stopped mid-load. Every call is answered or fails
// with a clear error (disconnected, or not connected while a host lost
// every instance); none waits until its own timeout; both hosts serve
// calls again afterwards; no goroutine is left (TestMain's goleak).
func TestNATSClusterResilience(t *testing.T) {
	nodes := startCluster(t, 3)
	var hosts []*socket.Socket
	for _, ns := range nodes[:2] {
		s := newSocket(t)
		nc := dialNATS(t, ns.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
		if err := s.AttachNATS(nc, fastLiveness); err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, s)
	}
	var cmds []*exec.Cmd
	for _, ns := range nodes {
		cmd, _ := startChaosOn(t, hosts[0], ns.ClientURL())
		cmds = append(cmds, cmd)
	}
	checkFor(t, func() bool { return instances(hosts[1]) == 3 }, "three instances seen from host 2")

	const callTimeout = 20 * time.Second // past it a call counts as hung
	var (
		mu       sync.Mutex
		outcomes = map[string]int{}
		bad      []error
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range hosts {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
					_, err := s.CallContext(ctx, "", "chaos", "Hang", map[string]int{"ms": 2})
					cancel()
					mu.Lock()
					switch {
					case err == nil:
						outcomes["ok"]++
					case errors.Is(err, socket.ErrDisconnected):
						outcomes["disconnected"]++
					case errors.Is(err, socket.ErrPluginNotFound):
						outcomes["not connected"]++
					default:
						bad = append(bad, fmt.Errorf("host %d: %w", i+1, err))
					}
					mu.Unlock()
				}
			}()
		}
	}
	answered := func(n int) func() bool {
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			return outcomes["ok"] >= n
		}
	}
	checkFor(t, answered(200), "calls answered under load")
	if err := cmds[0].Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, s := range hosts {
		checkFor(t, func() bool { return instances(s) == 2 }, "the killed instance lost")
	}
	mu.Lock()
	base := outcomes["ok"]
	mu.Unlock()
	checkFor(t, answered(base+200), "calls answered after the kill")
	nodes[1].Shutdown() // host 2's server, and the second instance's
	nodes[1].WaitForShutdown()
	mu.Lock()
	base = outcomes["ok"]
	mu.Unlock()
	checkFor(t, answered(base+200), "calls answered after a server stopped")
	// Both hosts reach both remaining instances again.
	for i, s := range hosts {
		checkFor(t, func() bool { return instances(s) == 2 }, "host %d with two instances", i+1)
	}
	close(stop)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(callTimeout + deadline):
		t.Fatal("callers still waiting: a call hung")
	}
	mu.Lock()
	defer mu.Unlock()
	t.Logf("outcomes: %v", outcomes)
	for _, err := range bad {
		t.Errorf("a call failed without a clear cause: %v", err)
	}
}

// When a NATS server goes, the calls in flight through it fail at once
// with disconnected, whichever side it served: the host's (its connection
// is cut) or the instance's (it says so once it has reconnected); both
// reconnect to the other server and serve again.
func TestNATSServerGoes(t *testing.T) {
	for _, side := range []string{"host", "instance"} {
		t.Run(side, func(t *testing.T) {
			nodes := startCluster(t, 2)
			hostNode, pluginNode := nodes[1], nodes[0]
			if side == "host" {
				hostNode, pluginNode = nodes[0], nodes[1]
			}
			s := newSocket(t)
			nc := dialNATS(t, hostNode.ClientURL(), nats.ReconnectWait(50*time.Millisecond))
			if err := s.AttachNATS(nc); err != nil {
				t.Fatal(err)
			}
			v := newSvc()
			pc := dialNATS(t, pluginNode.ClientURL(), nats.ReconnectWait(50*time.Millisecond))
			p, err := plugin.New(plugin.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- p.StartNATS(v, &plugin.Info{Name: "svc"}, pc) }()
			t.Cleanup(func() { p.Stop(); <-done })
			if !s.WaitFor("svc", deadline) {
				t.Fatal("not found")
			}
			errc := make(chan error, 1)
			go func() {
				_, err := s.CallContext(context.Background(), "", "svc", "Block", "x")
				errc <- err
			}()
			recv(t, v.started)
			nodes[0].Shutdown()
			want := "the host's NATS connection was cut"
			if side == "instance" {
				want = "the instance's NATS connection was cut"
			}
			if err := recv(t, errc); !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), want) {
				t.Fatalf("the call in flight: %v", err)
			}
			checkFor(t, func() bool {
				out, err := s.Call("", "svc", "Upper", "again")
				return err == nil && out == "AGAIN"
			}, "calls served again")
			close(v.release)
		})
	}
}
