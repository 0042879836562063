//go:build unix

package scripting_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// lingering is a plugin program that starts a grandchild, which ignores
// SIGTERM and holds the plugin's stdout, writes the grandchild's pid to the
// file named by its first argument and exits 0.
const lingering = `trap '' TERM; sleep 60 & echo $! > "$0"; exit 0`

// TestExitZeroWithLingeringChild: a plugin that exits 0 while its own child
// still holds its stdout has succeeded (status 0, not restarted under
// on-failure), and Close ends the child it left behind, although the
// plugin itself exited long before and the child ignores SIGTERM.
func TestExitZeroWithLingeringChild(t *testing.T) {
	var out syncbuf.Buffer
	sp := scripting.NewSpawner(slog.New(slog.NewTextHandler(&out, nil)), "", "")
	sp.SetKillGrace(100 * time.Millisecond)
	defer sp.Close()
	pidFile := filepath.Join(t.TempDir(), "grandchild")
	p, err := sp.Start("sh", []string{"-c", lingering, pidFile},
		scripting.SpawnOptions{Restart: scripting.RestartOnFailure})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(ctx(t)); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v; want 0; log:\n%s", code, err, out.String())
	}
	if n := p.Restarts(); n != 0 {
		t.Errorf("restarted %d times", n)
	}
	if log := out.String(); !strings.Contains(log, "held its output open") || !strings.Contains(log, "status=0") {
		t.Errorf("log does not say why:\n%s", log)
	}
	grandchild := readPid(t, pidFile)
	if processGone(grandchild) {
		t.Fatal("the grandchild is gone already: the test proves nothing")
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, grandchild)
}

// TestKillEndsWhatAnExitedChildLeft: Kill of a process that has exited
// kills what is left in its process group.
func TestKillEndsWhatAnExitedChildLeft(t *testing.T) {
	sp := scripting.NewSpawner(slog.New(slog.DiscardHandler), "", "")
	defer sp.Close()
	pidFile := filepath.Join(t.TempDir(), "grandchild")
	p, err := sp.Start("sh", []string{"-c", lingering, pidFile}, scripting.SpawnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(ctx(t)); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	grandchild := readPid(t, pidFile)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, grandchild)
}

// readPid reads the pid a child wrote to path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("pid file %q: %v", b, err)
	}
	return pid
}

// processGone reports whether pid has ended: no such process, or (on
// Linux) a zombie nobody has reaped yet (an orphan's new parent may be slow
// to, or never do it).
func processGone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false // no /proc here: kill said it exists
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}

// waitGone waits, with a deadline, until pid has ended.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	scripttest.WaitFor(t, 10*time.Second, func() error {
		if !processGone(pid) {
			return fmt.Errorf("process %d is still running", pid)
		}
		return nil
	})
}
