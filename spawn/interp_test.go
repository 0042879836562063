package spawn_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/spawn"
)

// runScript starts file (in dir) with args and returns its exit code and
// last output line.
func runScript(t *testing.T, dir, file string, args ...string) (int, string) {
	t.Helper()
	sp := spawn.New(spawn.Config{Addr: "127.0.0.1:1"})
	defer sp.Close()
	p, err := sp.Start(file, args, spawn.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	code, err := p.Wait(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	out := p.Output()
	if len(out) == 0 {
		return code, ""
	}
	return code, out[len(out)-1]
}

func need(t *testing.T, interp string) {
	t.Helper()
	if _, err := exec.LookPath(interp); err != nil {
		t.Skipf("%s is not installed: %v", interp, err)
	}
}

// A .py file runs with python3 and a .js or .mjs file with node, with the
// socket's address in the environment; the plugin is named after the file.
func TestSpawnPicksTheInterpreter(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("p.py", "import os, sys\nprint('py', os.environ['SWITCHBOARD_ADDR'], sys.argv[1])\n", 0o644)
	write("p.js", "console.log('js', process.env.SWITCHBOARD_ADDR, process.argv[2])\n", 0o644)
	write("p.mjs", "import process from 'node:process'\nconsole.log('mjs', process.env.SWITCHBOARD_ADDR, process.argv[2])\n", 0o644)
	// Executable with a shebang: runs as itself, not with python3.
	write("self.py", "#!/bin/sh\necho shell \"$1\"\n", 0o755)
	for _, c := range []struct{ interp, file, want string }{
		{"python3", "p.py", "py 127.0.0.1:1 arg"},
		{"node", "p.js", "js 127.0.0.1:1 arg"},
		{"node", "p.mjs", "mjs 127.0.0.1:1 arg"},
		{"sh", "./self.py", "shell arg"},
	} {
		t.Run(c.file, func(t *testing.T) {
			need(t, c.interp)
			if code, out := runScript(t, dir, c.file, "arg"); code != 0 || !strings.HasSuffix(out, c.want) {
				t.Fatalf("exit %d, output %q; want %q", code, out, c.want)
			}
		})
	}
	if err := os.Chmod(filepath.Join(dir, "p.py"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Run("executable without shebang", func(t *testing.T) {
		need(t, "python3")
		if code, out := runScript(t, dir, "p.py", "x"); code != 0 || !strings.HasSuffix(out, "py 127.0.0.1:1 x") {
			t.Fatalf("exit %d, output %q", code, out)
		}
	})
}

// Without the interpreter in PATH, the error says which one is missing.
func TestSpawnSaysWhichInterpreterIsMissing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	sp := spawn.New(spawn.Config{Addr: "127.0.0.1:1"})
	defer sp.Close()
	for file, interp := range map[string]string{"plugin.py": "python3", "plugin.js": "node", "x/plugin.mjs": "node"} {
		_, err := sp.Start(file, nil, spawn.Options{})
		if err == nil || !strings.Contains(err.Error(), file+" needs "+interp) || !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("%s: %v", file, err)
		}
	}
}
