package scripting_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

func TestParseSpawnRestartOptions(t *testing.T) {
	o, err := scripting.ParseSpawnOptions([]byte(`{"restart": "on-failure", "maxRestarts": 3}`))
	if err != nil || o.Restart != spawn.RestartOnFailure || o.MaxRestarts != 3 {
		t.Errorf("got %+v, %v", o, err)
	}
	for _, in := range []string{`{"restart": "always"}`, `{"restart": "on-failure", "maxRestarts": -1}`,
		`{"maxRestarts": 2}`, `{"restart": "never", "maxRestarts": 1}`, `{"restart": 1}`} {
		if _, err := scripting.ParseSpawnOptions([]byte(in)); !errors.Is(err, scripting.ErrBadArgument) {
			t.Errorf("ParseSpawnOptions(%s): %v, want ErrBadArgument", in, err)
		}
	}
}

// crashingChild returns spawn options that make the test binary crash
// (status 3) the first n times it starts, then serve a plugin called name.
func crashingChild(t *testing.T, name string, n int) spawn.Options {
	return spawn.Options{
		Name: name,
		Env: map[string]string{
			envPlugin:  name,
			envCrashes: fmt.Sprintf("%s:%d", filepath.Join(t.TempDir(), "starts"), n),
		},
	}
}

// TestRestartOnFailure: a plugin that crashes twice is restarted, with a
// growing back-off, each exit logged with its status; the third child
// connects and serves.
func TestRestartOnFailure(t *testing.T) {
	s := scripttest.Socket(t)
	addr := scripttest.Listen(t, s)
	env := scripttest.NewEnv(t, s, scripting.Config{Addr: addr})
	opts := crashingChild(t, "phoenix", 2)
	opts.Restart, opts.MaxRestarts = spawn.RestartOnFailure, 5
	start := time.Now()
	p, err := env.RT.Spawn(proctest.Executable(t), []string{"-test.run=^$"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("phoenix", 20*time.Second) {
		t.Fatalf("plugin did not come up; log:\n%s", env.Log)
	}
	took := time.Since(start)
	if n := p.Restarts(); n != 2 {
		t.Errorf("Restarts = %d, want 2", n)
	}
	if _, done := p.ExitStatus(); done {
		t.Error("the process is reported done while its restarted child serves")
	}
	log := env.Log.String()
	restarts := regexp.MustCompile(`level=WARN msg="plugin process exited; restarting".*plugin=phoenix.*status=3.*restart_in=(\S+)`).
		FindAllStringSubmatch(log, -1)
	if len(restarts) != 2 || restarts[0][1] != "100ms" || restarts[1][1] != "200ms" {
		t.Errorf("restarts logged %q, want two, after 100ms then 200ms; log:\n%s", restarts, log)
	}
	if took < 300*time.Millisecond {
		t.Errorf("came up after %v, before the back-off had passed", took)
	}
	if out, err := s.CallJSON(ctx(t), "", "phoenix", "Add", []byte(`{"a":2,"b":2}`)); err != nil || string(out) != "4" {
		t.Fatalf("call: %s, %v", out, err)
	}
}

// TestKillDuringCall is fault injection with a real process: a plugin
// killed with SIGKILL in the middle of a call. The call fails at once with
// an error naming the plugin, the disconnection is not graceful, and no
// goroutine is left behind.
func TestKillDuringCall(t *testing.T) {
	before := runtime.NumGoroutine()
	s := scripttest.Socket(t)
	addr := scripttest.Listen(t, s)
	env := scripttest.NewEnv(t, s, scripting.Config{Addr: addr})
	p, err := env.RT.Spawn(proctest.Executable(t), []string{"-test.run=^$"}, spawn.Options{
		Name: "victim", Env: map[string]string{envPlugin: "victim"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !s.WaitFor("victim", 20*time.Second) {
		t.Fatalf("plugin did not connect; log:\n%s", env.Log)
	}
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(info *plugin.Info, graceful bool) { gone <- graceful })()

	type result struct {
		err error
		at  time.Time
	}
	res := make(chan result, 1)
	go func() {
		c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_, err := s.CallJSON(c, "", "victim", "Hang", nil)
		res <- result{err, time.Now()}
	}()
	scripttest.WaitFor(t, 10*time.Second, func() error {
		if !strings.Contains(env.Log.String(), "victim: hang started") {
			return errors.New("the call has not reached the plugin")
		}
		return nil
	})
	killed := time.Now()
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-res:
	case <-time.After(2 * time.Second):
		t.Fatal("the call did not fail within 2s of the kill")
	}
	latency := r.at.Sub(killed)
	t.Logf("call failed %v after SIGKILL: %v", latency, r.err)
	var ce *socket.CallError
	if !errors.Is(r.err, socket.ErrDisconnected) || !errors.As(r.err, &ce) || ce.Plugin != "victim" ||
		!strings.Contains(r.err.Error(), "victim.Hang") {
		t.Fatalf("call ended with %v; want ErrDisconnected naming victim.Hang", r.err)
	}
	// The kernel closes the socket as the process dies: far below 100ms
	// even under -race on two cores.
	if latency > 100*time.Millisecond {
		t.Errorf("the call took %v to fail after the kill, want < 100ms", latency)
	}
	select {
	case graceful := <-gone:
		if graceful {
			t.Error("a killed plugin was reported as leaving gracefully")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no disconnect event")
	}
	if code, err := p.Wait(ctx(t)); err != nil || code != -1 {
		t.Errorf("Wait = %d, %v; want -1 (killed)", code, err)
	}
	if err := env.RT.Close(); err != nil {
		t.Fatal(err)
	}
	// Everything the call and the connection started has ended (the socket
	// itself is shut down at cleanup; goleak checks the rest after the run).
	scripttest.WaitFor(t, 5*time.Second, func() error {
		if n := runtime.NumGoroutine(); n > before+socketGoroutines {
			return fmt.Errorf("%d goroutines, %d before the test", n, before)
		}
		return nil
	})
}

// socketGoroutines is how many goroutines a serving socket with one
// listener may keep (the accept loop and a subscription).
const socketGoroutines = 3
