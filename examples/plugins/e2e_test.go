package plugins_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const deadline = 20 * time.Second

// The JSON-RPC examples, each run by its real interpreter: the Python one
// (standard library only, lines) and the Node one (vscode-jsonrpc,
// Content-Length headers).
var jsonrpcExamples = []struct{ name, file, interp, needs string }{
	{"python", "python/plugin.py", "python3", ""},
	{"node", "node/plugin.js", "node", "node/node_modules/vscode-jsonrpc"},
}

// host is a socket on loopback TCP with a spawner pointed at it, for one
// test; a direct subscriber records the async values.
type host struct {
	s  *socket.Socket
	sp *spawn.Spawner

	mu    sync.Mutex
	async []string
	gone  chan bool
}

func newHost(t *testing.T) *host {
	t.Helper()
	h := &host{gone: make(chan bool, 4)}
	h.s = plugintest.NewSocket(t, socket.WithToken("e2e-token"), socket.WithStopTimeout(5*time.Second))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.s.Serve(lis)
	t.Cleanup(h.s.Subscribe(socket.Handlers{Direct: true,
		Async: func(a socket.AsyncData) {
			h.mu.Lock()
			h.async = append(h.async, a.Name+":"+string(a.Raw))
			h.mu.Unlock()
		},
		Disconnect: func(_ *plugin.Info, graceful bool) { h.gone <- graceful },
	}))
	h.sp = spawn.New(spawn.Config{Addr: lis.Addr().String(), Token: "e2e-token"})
	t.Cleanup(func() { h.sp.Close() })
	return h
}

func (h *host) asyncValues() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.async...)
}

// start spawns the example and waits for it to register.
func (h *host) start(t *testing.T, name, file string) *spawn.Process {
	t.Helper()
	p, err := h.sp.Start(file, nil, spawn.Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	if !h.s.WaitFor(name, deadline) {
		t.Fatalf("%s did not register; its output: %q", name, p.Output())
	}
	return p
}

func skipWithout(t *testing.T, interp, needs string) {
	t.Helper()
	if _, err := exec.LookPath(interp); err != nil {
		t.Skipf("%s is not installed, so its example cannot run: %v", interp, err)
	}
	if needs != "" {
		if _, err := os.Stat(needs); err != nil {
			installNodeDeps(t, filepath.Dir(filepath.Dir(needs)))
		}
	}
}

// npmOnce installs the Node example's dependencies at most once per test
// binary; npmErr is what that install said when it failed.
var (
	npmOnce sync.Once
	npmErr  error
)

// installNodeDeps runs `npm ci` in dir (from its lock file), as .ci/run
// does, so that `go test ./...` on a fresh clone runs the Node example too.
// The test is skipped without npm; it fails if npm cannot install.
func installNodeDeps(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skipf("npm is not installed, so the dependencies in %s cannot be installed: %v", dir, err)
	}
	npmOnce.Do(func() {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			npmErr = fmt.Errorf("npm ci in %s: %w\n%s", dir, err, out)
		}
	})
	if npmErr != nil {
		t.Fatal(npmErr)
	}
}

func TestJSONRPCExamples(t *testing.T) {
	for _, ex := range jsonrpcExamples {
		t.Run(ex.name, func(t *testing.T) {
			skipWithout(t, ex.interp, ex.needs)
			h := newHost(t)
			h.start(t, ex.name, ex.file)
			info := h.s.PluginInfo(ex.name)
			if info.Version != "1.0" || info.Functions["upper"].Input.Fields[0].Name != "text" {
				t.Fatalf("description %+v", info)
			}

			// Every kind of JSON value travels unchanged.
			for _, in := range []any{nil, "text", "", 0.0, -2.5, true, false, []any{}, []any{1.0, "a", nil},
				map[string]any{}, map[string]any{"a": map[string]any{"b": []any{1.0}}}} {
				out, err := h.s.Call("trace-1", ex.name, "echo", in)
				if err != nil || !reflect.DeepEqual(out, in) {
					t.Fatalf("echo(%#v) = %#v, %v", in, out, err)
				}
			}
			if out, err := h.s.Call("", ex.name, "upper", map[string]any{"text": "héllo"}); err != nil ||
				out.(map[string]any)["text"] != "HÉLLO" {
				t.Fatalf("upper: %v, %v", out, err)
			}

			// Errors keep their kind.
			if _, err := h.s.Call("", ex.name, "fail", "on purpose"); err == nil || errors.Is(err, socket.ErrPanic) ||
				!strings.Contains(err.Error(), ex.name+".fail: on purpose") {
				t.Fatalf("fail: %v", err)
			}
			if _, err := h.s.Call("", ex.name, "boom", "bug"); !errors.Is(err, socket.ErrPanic) || !strings.Contains(err.Error(), "bug") {
				t.Fatalf("boom: %v", err)
			}
			if _, err := h.s.Call("", ex.name, "nope", nil); !errors.Is(err, socket.ErrMethodNotFound) {
				t.Fatalf("unknown method: %v", err)
			}

			// Async values arrive before the answer that follows them.
			if out, err := h.s.Call("", ex.name, "count", 3); err != nil || out != 3.0 {
				t.Fatalf("count: %v, %v", out, err)
			}
			want := []string{ex.name + `:{"step":1,"of":3}`, ex.name + `:{"step":2,"of":3}`, ex.name + `:{"step":3,"of":3}`}
			if got := h.asyncValues(); !reflect.DeepEqual(got, want) {
				t.Fatalf("async values %q, want %q", got, want)
			}

			// A cancelled call reaches the plugin as $/cancelRequest.
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() {
				_, err := h.s.CallContext(ctx, "", ex.name, "slow", map[string]any{"ms": 60000})
				done <- err
			}()
			waitAsync(t, h, 4) // {"started":"slow"}: the request is there
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("slow: %v", err)
			}
			waitAsync(t, h, 5)
			if got := h.asyncValues()[3:5]; !reflect.DeepEqual(got, []string{ex.name + `:{"started":"slow"}`, ex.name + `:{"cancelled":"slow"}`}) {
				t.Fatalf("around the cancel: %q", got)
			}

			// Unplug: the call in flight finishes, then the plugin goes.
			go func() {
				out, err := h.s.Call("", ex.name, "slow", map[string]any{"ms": 200})
				if err == nil && out != "done" {
					err = fmt.Errorf("slow answered %v", out)
				}
				done <- err
			}()
			waitAsync(t, h, 6)
			h.s.Unplug("", ex.name)
			if err := <-done; err != nil {
				t.Fatalf("call in flight during Unplug: %v", err)
			}
			if graceful := <-h.gone; !graceful {
				t.Fatal("unplug was not graceful")
			}
		})
	}
}

// A plugin killed mid-call fails the call at once, naming it.
func TestJSONRPCExamplesKilledMidCall(t *testing.T) {
	for _, ex := range jsonrpcExamples {
		t.Run(ex.name, func(t *testing.T) {
			skipWithout(t, ex.interp, ex.needs)
			h := newHost(t)
			p := h.start(t, ex.name, ex.file)
			done := make(chan error, 1)
			go func() {
				_, err := h.s.Call("", ex.name, "slow", map[string]any{"ms": 60000})
				done <- err
			}()
			waitAsync(t, h, 1)
			if err := p.Kill(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if !errors.Is(err, socket.ErrDisconnected) || !strings.Contains(err.Error(), ex.name+".slow") {
					t.Fatalf("got %v", err)
				}
			case <-time.After(deadline):
				t.Fatal("the call did not fail")
			}
		})
	}
}

// waitAsync waits until h has seen n async values.
func waitAsync(t *testing.T, h *host, n int) {
	t.Helper()
	end := time.Now().Add(deadline)
	for len(h.asyncValues()) < n {
		if time.Now().After(end) {
			t.Fatalf("%d async values, want %d: %q", len(h.asyncValues()), n, h.asyncValues())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
