package scripting_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func executable(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// TestSpawnRealPlugin starts the test binary as a plugin process: it gets
// the address and token, dials in, serves calls, its output is logged with
// its name, and it is stopped when the runtime closes.
func TestSpawnRealPlugin(t *testing.T) {
	s := scripttest.Socket(t, socket.WithToken("s3cret"))
	addr := scripttest.Listen(t, s)
	env := scripttest.NewEnv(t, s, scripting.Config{Addr: addr, Token: "s3cret"})
	p, err := env.RT.Spawn(executable(t), []string{"-test.run=^$"}, scripting.SpawnOptions{
		Name: "kid",
		Env:  map[string]string{envPlugin: "kid", envPrint: "hello"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Pid <= 0 || p.Name != "kid" {
		t.Errorf("process %+v", p)
	}
	if !s.WaitFor("kid", 20*time.Second) {
		t.Fatalf("plugin did not connect; log:\n%s", env.Log)
	}
	out, err := s.CallJSON(ctx(t), "", "kid", "Add", []byte(`{"a":1,"b":2}`))
	if err != nil || string(out) != "3" {
		t.Fatalf("call: %s, %v", out, err)
	}
	scripttest.WaitFor(t, 10*time.Second, func() error {
		log := env.Log.String()
		if !strings.Contains(log, `msg="kid: hello"`) || !strings.Contains(log, `msg="kid: hello (stderr)"`) {
			return fmt.Errorf("output not logged:\n%s", log)
		}
		return nil
	})
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(info *plugin.Info, graceful bool) { gone <- graceful })()
	if err := env.RT.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("child still running after Close")
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("no disconnect after the child was stopped")
	}
	if _, err := env.RT.Spawn(executable(t), nil, scripting.SpawnOptions{}); !errors.Is(err, scripting.ErrClosed) {
		t.Errorf("Spawn after Close: %v", err)
	}
}

func TestSpawnWaitAndKill(t *testing.T) {
	sp := scripting.NewSpawner(nil, "127.0.0.1:1", "")
	defer sp.Close()
	p, err := sp.Start("sh", []string{"-c", "exit 3"}, scripting.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(ctx(t)); err != nil || code != 3 {
		t.Errorf("Wait = %d, %v; want 3", code, err)
	}
	p, err = sp.Start("sh", []string{"-c", "sleep 60"}, scripting.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(ctx(t)); err != nil || code != -1 {
		t.Errorf("Wait after Kill = %d, %v; want -1", code, err)
	}
	if err := p.Kill(); err != nil {
		t.Errorf("second Kill: %v", err)
	}
	if _, err := sp.Start("", nil, scripting.SpawnOptions{}); !errors.Is(err, scripting.ErrBadArgument) {
		t.Errorf("empty command: %v", err)
	}
	if _, err := sp.Start("/no/such/program", nil, scripting.SpawnOptions{}); err == nil {
		t.Error("missing program started")
	}
}

// TestCloseKillsStubbornChildren: a child that ignores SIGTERM, and its
// own child, are killed after the grace period.
func TestCloseKillsStubbornChildren(t *testing.T) {
	sp := scripting.NewSpawner(nil, "", "")
	sp.SetKillGrace(50 * time.Millisecond)
	p, err := sp.Start("sh", []string{"-c", "trap '' TERM; sleep 60 & wait"}, scripting.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := p.Wait(c); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("child ended early: %v", err)
	}
	start := time.Now()
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.ExitStatus(); !ok {
		t.Fatal("child alive after Close")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := sp.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestSpawnContextResolves(t *testing.T) {
	var asked string
	rt := scripting.New(nil, scripting.Config{Resolve: func(_ context.Context, cmd string) (string, error) {
		asked = cmd
		if cmd == "bad" {
			return "", errors.New("cannot build")
		}
		return "sh", nil
	}})
	defer rt.Close()
	p, err := rt.SpawnContext(ctx(t), "examples/plugins/thing", []string{"-c", "exit 0"}, scripting.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if asked != "examples/plugins/thing" || p.Name != "thing" {
		t.Errorf("asked %q, name %q", asked, p.Name)
	}
	if code, err := p.Wait(ctx(t)); code != 0 || err != nil {
		t.Errorf("Wait = %d, %v", code, err)
	}
	if _, err := rt.SpawnContext(ctx(t), "bad", nil, scripting.SpawnOptions{}); err == nil || !strings.Contains(err.Error(), "cannot build") {
		t.Errorf("resolve failure: %v", err)
	}
}
