// Package scripttest holds what the tests of the scripting packages share:
// a plugin with methods for every behaviour the bindings must handle, and
// helpers to attach it in-process or run it as a child process.
package scripttest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Plugin is the test plugin.
type Plugin struct{}

// Echo returns its argument.
func (*Plugin) Echo(_ context.Context, in any) (any, error) { return in, nil }

// AddIn is the argument of Add.
type AddIn struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Add returns a+b.
func (*Plugin) Add(_ context.Context, in AddIn) (float64, error) { return in.A + in.B, nil }

// Fail returns an error with the given text.
func (*Plugin) Fail(_ context.Context, msg string) (string, error) { return "", errors.New(msg) }

// Boom panics.
func (*Plugin) Boom(_ context.Context, _ struct{}) (string, error) { panic("kaboom") }

// Hang waits until the call is cancelled.
func (*Plugin) Hang(ctx context.Context, _ struct{}) (string, error) {
	<-ctx.Done()
	return "", ctx.Err()
}

// Emit sends the numbers 1..n as async values, then returns n; the values
// reach the socket before the answer.
func (*Plugin) Emit(ctx context.Context, n int) (int, error) {
	for i := 1; i <= n; i++ {
		if err := plugin.Notify(ctx, i); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Trace returns the trace id of the request.
func (*Plugin) Trace(ctx context.Context, _ struct{}) (string, error) { return plugin.Trace(ctx), nil }

// Nothing returns an empty result.
func (*Plugin) Nothing(_ context.Context, _ struct{}) (*struct{}, error) { return nil, nil }

// Socket returns a socket shut down at the end of the test.
func Socket(t testing.TB, opts ...socket.Option) *socket.Socket {
	return plugintest.NewSocket(t, opts...)
}

// Attach connects a test Plugin named name to s, in-process.
func Attach(t testing.TB, s *socket.Socket, name string) *plugintest.Conn {
	t.Helper()
	return ConnectPlugin(t, s, &Plugin{}, name)
}

// ConnectPlugin connects v as a plugin named name to s, in-process.
func ConnectPlugin(t testing.TB, s *socket.Socket, v any, name string) *plugintest.Conn {
	t.Helper()
	return plugintest.Connect(t, s, v, &plugin.Info{Name: name, Version: "1.0"})
}

// Listen serves s on a loopback TCP port and returns its address.
func Listen(t testing.TB, s *socket.Socket) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(lis)
	return lis.Addr().String()
}

// ServeMain is the main of the test binary when it is re-executed as a
// plugin program: it serves a test Plugin named name from the environment.
func ServeMain(name string) error {
	return plugin.Serve(&Plugin{}, &plugin.Info{Name: name, Version: "1.0"})
}

// Env is a runtime for a test: its output and log are captured.
type Env struct {
	Sock           *socket.Socket
	RT             *scripting.Runtime
	Stdout, Stderr *syncbuf.Buffer
	Log            *syncbuf.Buffer
}

// NewEnv returns a Runtime over s, closed at the end of the test, with its
// output and log captured. cfg's Stdout, Stderr and Logger are replaced.
func NewEnv(t testing.TB, s *socket.Socket, cfg scripting.Config) *Env {
	env := &Env{Sock: s, Stdout: &syncbuf.Buffer{}, Stderr: &syncbuf.Buffer{}, Log: &syncbuf.Buffer{}}
	cfg.Stdout, cfg.Stderr = env.Stdout, env.Stderr
	cfg.Logger = slog.New(slog.NewTextHandler(env.Log, nil))
	env.RT = scripting.New(s, cfg)
	t.Cleanup(func() {
		if err := env.RT.Close(); err != nil {
			t.Errorf("closing runtime: %v", err)
		}
	})
	return env
}

// Context returns a context that ends at the end of the test or after d.
func Context(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// Engine makes an engine over a runtime (js.New or lua.New, adapted).
type Engine func(*scripting.Runtime) (scripting.Engine, error)

// Run writes src to a file named name in a temporary directory, runs it
// with a fresh engine over env.RT for at most 20 seconds, and returns
// RunFile's error. The engine is closed at the end of the test.
func Run(t testing.TB, env *Env, newEngine Engine, name, src string, args ...string) error {
	t.Helper()
	path := WriteFile(t, t.TempDir(), name, src)
	e, err := newEngine(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e.RunFile(Context(t, 20*time.Second), path, args)
}

// WriteFile writes a file under dir and returns its path.
func WriteFile(t testing.TB, dir, name, src string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// WaitFor polls cond every few milliseconds until it returns nil or d
// passes, then fails the test with cond's last error.
func WaitFor(t testing.TB, d time.Duration, cond func() error) {
	t.Helper()
	proctest.WaitFor(t, d, cond)
}

// EnvPlugin, set to a plugin name in a test binary's environment, makes Main
// serve the test plugin under that name instead of running the tests: the
// spawn tests start their own test binary as a child plugin this way.
const EnvPlugin = "SCRIPTTEST_PLUGIN"

// Main is the TestMain of the engines' test packages: it serves the test
// plugin when EnvPlugin is set, and otherwise runs the tests under goleak.
func Main(m *testing.M) {
	if name := os.Getenv(EnvPlugin); name != "" {
		if err := ServeMain(name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
