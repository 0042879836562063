//go:build unix

package cli

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/internal/testcert"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// runHost runs the switchboard binary with args and returns its stdout,
// stderr and error, failing the test if it runs longer than limit.
func runHost(t *testing.T, limit time.Duration, args ...string) (string, string, error) {
	t.Helper()
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("switchboard %v ran longer than %v; stderr:\n%s", args, limit, stderr.String())
	}
	return stdout.String(), stderr.String(), err
}

// TestTLSSpawnedPluginEndToEnd: with -tls-cert the host listens with TLS and
// hands its spawned plugins a tls:// address and the certificate to trust;
// the plugin (plugin.Serve) dials, verifies and serves. A certificate valid
// for a name only (not for 127.0.0.1) works too: the host passes the name.
func TestTLSSpawnedPluginEndToEnd(t *testing.T) {
	script := filepath.Join(t.TempDir(), "tls.js")
	os.WriteFile(script, []byte(`
console.log(Object.keys(connected()).join(","));
console.log(call("echo", "Upper", {text: "over tls"}).text);
`), 0o600)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		t.Run(host, func(t *testing.T) {
			f := testcert.Write(t, host)
			stdout, stderr, err := runHost(t, 60*time.Second, "run", "-log-level", "info",
				"-tls-cert", f.Cert, "-tls-key", f.Key,
				"-spawn", filepath.Join(pluginDir, "echo"), "-wait", "echo", "-wait-timeout", "20s", script)
			if err != nil {
				t.Fatalf("run: %v; stderr:\n%s", err, stderr)
			}
			if stdout != "echo\nOVER TLS\n" {
				t.Errorf("stdout %q; stderr:\n%s", stdout, stderr)
			}
		})
	}
	t.Run("plaintext plugin refused", func(t *testing.T) {
		// A plugin that does not speak TLS never gets in.
		f := testcert.Write(t, "127.0.0.1")
		other := filepath.Join(t.TempDir(), "plain.js")
		os.WriteFile(other, []byte(`
const p = spawn(args[0], [], {env: {SWITCHBOARD_ADDR: args[1]}});
console.log("exit", p.wait());
console.log(Object.keys(connected()).length);
`), 0o600)
		// The spawned plugin is told to dial the TLS port in plain TCP:
		// the script finds the port from the -listen it chose.
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := lis.Addr().String()
		lis.Close()
		stdout, stderr, err := runHost(t, 60*time.Second, "run", "-listen", addr,
			"-tls-cert", f.Cert, "-tls-key", f.Key, other, filepath.Join(pluginDir, "echo"), addr)
		if err != nil {
			t.Fatalf("run: %v; stderr:\n%s", err, stderr)
		}
		if stdout != "exit 1\n0\n" {
			t.Errorf("stdout %q, want the plugin to fail and nothing connected; stderr:\n%s", stdout, stderr)
		}
	})
}

// TestTokenRejectedEndToEnd: a plugin with a wrong token is refused by the
// host before it is announced, and says why; the right one gets in.
func TestTokenRejectedEndToEnd(t *testing.T) {
	script := filepath.Join(t.TempDir(), "token.js")
	os.WriteFile(script, []byte(`
let announced = [];
onConnect(info => announced.push(info.name));
const bad = spawn(args[0], [], {env: {SWITCHBOARD_TOKEN: "wrong"}});
console.log("wrong token: exit", bad.wait());
const good = spawn(args[0]);
if (!waitFor("echo", "20s")) throw new Error("echo did not connect");
// Events arrive in order: had the rejected plugin been announced, it would
// be in the list before echo.
while (!announced.includes("echo")) sleep(5);
console.log("announced:", announced.join(","));
`), 0o600)
	stdout, stderr, err := runHost(t, 60*time.Second, "run", "-token", "s3cret", "-log-level", "info",
		script, filepath.Join(pluginDir, "echo"))
	if err != nil {
		t.Fatalf("run: %v; stderr:\n%s", err, stderr)
	}
	if stdout != "wrong token: exit 1\nannounced: echo\n" {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, "authentication failed") {
		t.Errorf("the rejected plugin does not say why; stderr:\n%s", stderr)
	}
}

// hangPlugin serves Hang, which returns only when its call is cancelled,
// counting the calls that started and ended.
type hangPlugin struct {
	started, ended atomic.Int32
	all            chan struct{} // closed when want calls have started
	want           int32
	once           sync.Once
}

// Hang waits until the call's context ends.
func (h *hangPlugin) Hang(ctx context.Context, _ int) (int, error) {
	if h.started.Add(1) == h.want {
		h.once.Do(func() { close(h.all) })
	}
	defer h.ended.Add(1)
	<-ctx.Done()
	return 0, ctx.Err()
}

// TestSIGTERMDuringInFlightCalls: SIGTERM reaches the host while a script
// has 100 calls in flight on a plugin. Every call ends (the host cancels
// them; the plugin sees each cancelled), the host exits promptly with
// status 143 (128 + SIGTERM), the plugin is stopped gracefully, and the
// Unix socket the host listened on is removed.
func TestSIGTERMDuringInFlightCalls(t *testing.T) {
	const calls = 100
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(shortTempDir(t), "sb.sock")
	script := filepath.Join(t.TempDir(), "inflight.js")
	os.WriteFile(script, []byte(`
if (!waitFor("hang", "20s")) throw new Error("no plugin");
for (let i = 0; i < 100; i++) callAsync("hang", "Hang", i).then(() => {}, () => {});
serve();
`), 0o600)
	cmd := exec.Command(bin, "run", "-listen", "unix:"+sock, "-log-level", "info", script)
	var stderr syncbuf.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		exited <- cmd.Wait()
	}()
	defer func() {
		cmd.Process.Kill()
		<-waited
	}()

	// The test is the plugin: it dials the host's Unix socket once it exists.
	var conn net.Conn
	waitUntil(t, 20*time.Second, func() bool {
		conn, err = net.Dial("unix", sock)
		return err == nil
	}, "the host's socket")
	hp := &hangPlugin{all: make(chan struct{}), want: calls}
	p := new(plugin.Plugin)
	served := make(chan error, 1)
	go func() { served <- p.Start(hp, &plugin.Info{Name: "hang"}, conn, nil) }()
	select {
	case <-hp.all:
	case err := <-exited:
		t.Fatalf("host exited early: %v; stderr:\n%s", err, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("%d of %d calls arrived; stderr:\n%s", hp.started.Load(), calls, stderr.String())
	}

	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err = <-exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("host still running 10s after SIGTERM; stderr:\n%s", stderr.String())
	}
	t.Logf("host exited %v after SIGTERM", time.Since(signalled))
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 || !strings.Contains(stderr.String(), "terminated: stopping") {
		t.Fatalf("exit = %v, want status 143, terminated; stderr:\n%s", err, stderr.String())
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("plugin Start = %v, want a graceful stop", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the plugin was not stopped")
	}
	if s, e := hp.started.Load(), hp.ended.Load(); s != calls || e != calls {
		t.Errorf("%d calls started, %d ended; want %d of each", s, e, calls)
	}
	if strings.Contains(stderr.String(), "cutting plugin connection") {
		t.Errorf("the host had to cut the plugin's connection; stderr:\n%s", stderr.String())
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Unix socket left behind after shutdown: %v", err)
	}
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, cond func() bool, what string) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestListenRefusesTLSOverUnixSocket(t *testing.T) {
	f := testcert.Write(t, "127.0.0.1")
	path := filepath.Join(shortTempDir(t), "sb.sock")
	_, err := listen(&options{listen: "unix:" + path, tlsCert: f.Cert, tlsKey: f.Key})
	if err == nil || !strings.Contains(err.Error(), "-tls-cert needs a TCP -listen address") {
		t.Fatalf("listen = %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a socket file was made: %v", err)
	}
}

// TestMaxPluginsFlag: -max-plugins reaches the socket: past it a plugin is
// refused and says why.
func TestMaxPluginsFlag(t *testing.T) {
	script := filepath.Join(t.TempDir(), "full.js")
	os.WriteFile(script, []byte(`
spawn(args[0]);
if (!waitFor("echo", "20s")) throw new Error("echo did not connect");
console.log("second: exit", spawn(args[0], ["-name", "echo2"]).wait());
console.log(Object.keys(connected()).join(","));
`), 0o600)
	stdout, stderr, err := runHost(t, 60*time.Second, "run", "-max-plugins", "1", "-log-level", "info",
		script, filepath.Join(pluginDir, "echo"))
	if err != nil {
		t.Fatalf("run: %v; stderr:\n%s", err, stderr)
	}
	if stdout != "second: exit 1\necho\n" {
		t.Errorf("stdout %q", stdout)
	}
	if !strings.Contains(stderr, "too many plugins connected (the socket's limit is 1)") {
		t.Errorf("the refused plugin does not say why; stderr:\n%s", stderr)
	}
}

// TestListenTLSServerNameForPlugins: plugins dial the loopback address, so
// a certificate not valid for it makes the host name what to check instead.
func TestListenTLSServerNameForPlugins(t *testing.T) {
	for _, tt := range []struct {
		hosts []string
		want  string
	}{
		{[]string{"127.0.0.1"}, ""},
		{[]string{"localhost", "127.0.0.1"}, ""},
		{[]string{"switchboard.internal", "10.1.2.3"}, "switchboard.internal"},
		{[]string{"10.1.2.3"}, "10.1.2.3"},
	} {
		f := testcert.Write(t, tt.hosts...)
		l, err := listen(&options{listen: "0.0.0.0:0", tlsCert: f.Cert, tlsKey: f.Key})
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		if !strings.HasPrefix(l.addr, "tls://127.0.0.1:") || l.env[plugin.EnvCA] != f.Cert ||
			l.env[plugin.EnvTLSServerName] != tt.want {
			t.Errorf("certificate for %v: plugins dial %s with %v; want server name %q", tt.hosts, l.addr, l.env, tt.want)
		}
	}
}
