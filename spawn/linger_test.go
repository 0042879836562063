//go:build unix

package spawn_test

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/spawn"
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
	sp := spawn.New(spawn.Config{Logger: slog.New(slog.NewTextHandler(&out, nil)), KillGrace: 100 * time.Millisecond})
	defer sp.Close()
	pidFile := filepath.Join(t.TempDir(), "grandchild")
	p, err := sp.Start("sh", []string{"-c", lingering, pidFile},
		spawn.Options{Restart: spawn.RestartOnFailure})
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
	grandchild := proctest.ReadPid(t, pidFile)
	if proctest.Gone(grandchild) {
		t.Fatal("the grandchild is gone already: the test proves nothing")
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	proctest.WaitGone(t, grandchild)
}

// TestKillEndsWhatAnExitedChildLeft: Kill of a process that has exited
// kills what is left in its process group.
func TestKillEndsWhatAnExitedChildLeft(t *testing.T) {
	sp := spawn.New(spawn.Config{Logger: slog.New(slog.DiscardHandler)})
	defer sp.Close()
	pidFile := filepath.Join(t.TempDir(), "grandchild")
	p, err := sp.Start("sh", []string{"-c", lingering, pidFile}, spawn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if code, err := p.Wait(ctx(t)); code != 0 || err != nil {
		t.Fatalf("Wait = %d, %v", code, err)
	}
	grandchild := proctest.ReadPid(t, pidFile)
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	proctest.WaitGone(t, grandchild)
}
