package spawn_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/spawn"
)

// TestExitKeepsLastOutput: a child that dies at start is described by its
// status and its last lines of stderr (long ones cut), and the warning
// about its exit, at the default level, has them.
func TestExitKeepsLastOutput(t *testing.T) {
	var logs syncbuf.Buffer
	sp := spawn.New(spawn.Config{Logger: newTextLogger(&logs)})
	defer sp.Close()
	script := fmt.Sprintf(`for i in 1 2 3 4 5 6; do echo "line $i"; done; printf '%%0%dd\n' 0 >&2; echo 'FATAL: config file missing' >&2; exit 4`, spawn.MaxTailLineBytes+10)
	p, err := sp.Start("sh", []string{"-c", script}, spawn.Options{Name: "dies"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	ex := p.Exit()
	if ex == nil {
		t.Fatal("Exit() = nil after Wait")
	}
	long := strings.Repeat("0", spawn.MaxTailLineBytes) + "..."
	want := []string{long, "FATAL: config file missing"}
	if fmt.Sprint(ex.Output) != fmt.Sprint(want) || ex.Status != 4 || ex.Name != "dies" || ex.Pid != p.Pid || ex.Signal != "" {
		t.Fatalf("Exit() = %+v", ex)
	}
	if !errors.Is(ex, spawn.ErrExited) {
		t.Error("ExitError is not ErrExited")
	}
	re := regexp.MustCompile(`^dies exited 4 at \d\d:\d\d:\d\d: "0+\.\.\.\\nFATAL: config file missing"$`)
	if !re.MatchString(ex.Error()) {
		t.Errorf("Error() = %q", ex.Error())
	}
	warn := regexp.MustCompile(`level=WARN msg="plugin process exited" plugin=dies pid=\d+ status=4 .*output="0+\.\.\.\\nFATAL: config file missing"`)
	if !warn.MatchString(logs.String()) {
		t.Errorf("no warning with the output:\n%s", logs.String())
	}
}

// TestExitOutputOfStdout: without stderr, the last lines of stdout (the
// older ones dropped).
func TestExitOutputOfStdout(t *testing.T) {
	sp := spawn.New(spawn.Config{})
	defer sp.Close()
	p, err := sp.Start("sh", []string{"-c", "for i in 1 2 3 4 5 6 7; do echo line $i; done; exit 1"}, spawn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	want := []string{"line 3", "line 4", "line 5", "line 6", "line 7"}
	if ex := p.Exit(); ex == nil || fmt.Sprint(ex.Output) != fmt.Sprint(want) {
		t.Fatalf("Exit() = %+v, want output %q", ex, want)
	}
}

// TestExitBySignal: a child killed says by which signal; one that printed
// nothing has no output.
func TestExitBySignal(t *testing.T) {
	sp := spawn.New(spawn.Config{})
	defer sp.Close()
	p, err := sp.Start("sh", []string{"-c", "kill -TERM $$"}, spawn.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Wait(ctx(t)); err != nil {
		t.Fatal(err)
	}
	ex := p.Exit()
	if ex == nil || ex.Status != -1 || ex.Signal != "terminated" || len(ex.Output) != 0 {
		t.Fatalf("Exit() = %+v", ex)
	}
	if !regexp.MustCompile(`^sh ended by signal terminated at \d\d:\d\d:\d\d$`).MatchString(ex.Error()) {
		t.Errorf("Error() = %q", ex.Error())
	}
}
