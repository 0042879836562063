package scripting_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/spawn"
)

// A command that does not start says why, naming it once: a directory
// that is neither a Go package nor an executable, a file that is not
// executable, a name not on $PATH, a path that does not exist.
func TestSpawnFailureSaysWhy(t *testing.T) {
	env := scripttest.NewEnv(t, scripttest.Socket(t), scripting.Config{})
	dir := t.TempDir()
	plain := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(plain, []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ cmd, want string }{
		{dir, dir + " is a directory that is neither a Go package (it has no .go files) nor an executable"},
		{plain, plain + " is not executable"},
		{"no-such-program-xyz", "no-such-program-xyz not found in $PATH"},
		{filepath.Join(dir, "gone"), filepath.Join(dir, "gone") + " does not exist"},
	} {
		_, err := env.RT.Spawn(c.cmd, nil, spawn.Options{})
		if err == nil {
			t.Errorf("Spawn(%q) started", c.cmd)
			continue
		}
		msg := scripting.NewError(c.cmd, "", err).Error()
		if msg != c.want {
			t.Errorf("Spawn(%q): %q, want %q", c.cmd, msg, c.want)
		}
		if n := strings.Count(msg, c.cmd); n != 1 {
			t.Errorf("Spawn(%q): the command is %d times in %q", c.cmd, n, msg)
		}
		var pe *os.PathError
		if c.cmd != "no-such-program-xyz" && !errors.As(err, &pe) {
			t.Errorf("Spawn(%q): %v is no longer an *os.PathError", c.cmd, err)
		}
	}
}
