package spawn_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/spawn"
)

func TestSpawnWaitAndKill(t *testing.T) {
	sp := spawn.New(spawn.Config{Addr: "127.0.0.1:1"})
	defer sp.Close()
	p, err := sp.Start("sh", []string{"-c", "exit 3"}, spawn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(ctx(t)); err != nil || code != 3 {
		t.Errorf("Wait = %d, %v; want 3", code, err)
	}
	p, err = sp.Start("sh", []string{"-c", "sleep 60"}, spawn.Options{})
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
	if _, err := sp.Start("", nil, spawn.Options{}); !errors.Is(err, spawn.ErrBadArgument) {
		t.Errorf("empty command: %v", err)
	}
	if _, err := sp.Start("/no/such/program", nil, spawn.Options{}); err == nil {
		t.Error("missing program started")
	}
}

// TestStartAfterClose: Start fails with ErrClosed once the Spawner is
// closed.
func TestStartAfterClose(t *testing.T) {
	sp := spawn.New(spawn.Config{})
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sp.Start("sh", nil, spawn.Options{}); !errors.Is(err, spawn.ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}

// TestCloseKillsStubbornChildren: a child that ignores SIGTERM, and its
// own child, are killed after the grace period.
func TestCloseKillsStubbornChildren(t *testing.T) {
	sp := spawn.New(spawn.Config{KillGrace: 50 * time.Millisecond})
	p, err := sp.Start("sh", []string{"-c", "trap '' TERM; sleep 60 & wait"}, spawn.Options{})
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

// TestStartContextResolves: StartContext passes the command through
// Config.Resolve and names the process after the command it was given.
func TestStartContextResolves(t *testing.T) {
	var asked string
	sp := spawn.New(spawn.Config{Resolve: func(_ context.Context, cmd string) (string, error) {
		asked = cmd
		if cmd == "bad" {
			return "", errors.New("cannot build")
		}
		return "sh", nil
	}})
	defer sp.Close()
	p, err := sp.StartContext(ctx(t), "examples/plugins/thing", []string{"-c", "exit 0"}, spawn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if asked != "examples/plugins/thing" || p.Name != "thing" {
		t.Errorf("asked %q, name %q", asked, p.Name)
	}
	if code, err := p.Wait(ctx(t)); code != 0 || err != nil {
		t.Errorf("Wait = %d, %v", code, err)
	}
	if _, err := sp.StartContext(ctx(t), "bad", nil, spawn.Options{}); err == nil || !strings.Contains(err.Error(), "cannot build") {
		t.Errorf("resolve failure: %v", err)
	}
}

func TestStartRefusesBadRestartOptions(t *testing.T) {
	sp := spawn.New(spawn.Config{})
	defer sp.Close()
	if _, err := sp.Start("sh", nil, spawn.Options{Restart: "sometimes"}); !errors.Is(err, spawn.ErrBadArgument) {
		t.Errorf("Start with a bad policy: %v", err)
	}
	for _, o := range []spawn.Options{{Restart: "always"}, {Restart: spawn.RestartOnFailure, MaxRestarts: -1},
		{MaxRestarts: 2}, {Restart: spawn.RestartNever, MaxRestarts: 1}} {
		if err := o.Validate(); !errors.Is(err, spawn.ErrBadArgument) {
			t.Errorf("Validate(%+v): %v, want ErrBadArgument", o, err)
		}
	}
}

// crashingChild returns options that make the test binary crash (status 3)
// the first n times it starts.
func crashingChild(t *testing.T, name string, n int) spawn.Options {
	return spawn.Options{
		Name: name,
		Env:  map[string]string{envCrashes: fmt.Sprintf("%s:%d", filepath.Join(t.TempDir(), "starts"), n)},
	}
}

// TestRestartGivesUp: maxRestarts bounds the restarts; then the process is
// done with the last child's status, and the log says so.
func TestRestartGivesUp(t *testing.T) {
	logs := &syncbuf.Buffer{}
	restarted := make(chan string, 10)
	sp := spawn.New(spawn.Config{Logger: newTextLogger(logs), Addr: "127.0.0.1:1",
		OnRestart: func(name string) { restarted <- name }})
	defer sp.Close()
	opts := crashingChild(t, "doomed", 1000)
	opts.Restart, opts.MaxRestarts = spawn.RestartOnFailure, 2
	p, err := sp.Start(proctest.Executable(t), []string{"-test.run=^$"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	code, err := p.Wait(ctx(t))
	if err != nil || code != crashStatus {
		t.Fatalf("Wait = %d, %v; want %d", code, err, crashStatus)
	}
	if n := p.Restarts(); n != 2 {
		t.Errorf("Restarts = %d, want 2", n)
	}
	if n := len(restarted); n != 2 || <-restarted != "doomed" {
		t.Errorf("OnRestart called %d times, want 2 with the name doomed", n)
	}
	if !regexp.MustCompile(`level=WARN msg="plugin process exited".*plugin=doomed.*status=3.*restarts=2`).MatchString(logs.String()) {
		t.Errorf("the final failure is not logged as a warning with its status; log:\n%s", logs)
	}
}

// TestNoRestartAfterKillOrClose: a process killed on purpose, or one
// waiting for its restart when the spawner closes, is not started again.
func TestNoRestartAfterKillOrClose(t *testing.T) {
	t.Run("kill", func(t *testing.T) {
		sp := spawn.New(spawn.Config{})
		defer sp.Close()
		p, err := sp.Start("sh", []string{"-c", "sleep 60"}, spawn.Options{Restart: spawn.RestartOnFailure})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Kill(); err != nil {
			t.Fatal(err)
		}
		if code, err := p.Wait(ctx(t)); err != nil || code != -1 || p.Restarts() != 0 {
			t.Fatalf("Wait = %d, %v, restarts %d; want -1 and no restart", code, err, p.Restarts())
		}
	})
	t.Run("close during back-off", func(t *testing.T) {
		logs := &syncbuf.Buffer{}
		sp := spawn.New(spawn.Config{Logger: newTextLogger(logs)})
		p, err := sp.Start("sh", []string{"-c", "exit 7"}, spawn.Options{Restart: spawn.RestartOnFailure})
		if err != nil {
			t.Fatal(err)
		}
		// Poll until the supervisor waits to restart it (after 2 exits the
		// back-off is at least 200ms).
		proctest.WaitFor(t, 10*time.Second, func() error {
			if strings.Count(logs.String(), "restarting") < 2 {
				return errors.New("not restarting yet")
			}
			return nil
		})
		start := time.Now()
		if err := sp.Close(); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Close took %v: it waited for the back-off", d)
		}
		if code, ok := p.ExitStatus(); !ok || code != 7 {
			t.Errorf("ExitStatus = %d, %v; want the last status, 7", code, ok)
		}
	})
}
