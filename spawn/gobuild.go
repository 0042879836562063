package spawn

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Builder turns a Go package directory into a program to spawn: the first
// time a directory is asked for, it runs `go build` into a temporary
// directory of its own and says so; later requests get the same binary.
// Anything that is not a directory holding .go files is returned unchanged.
// This is how `switchboard run examples/scripts/quickstart.js` works on a
// fresh clone: the script spawns "examples/plugins/echo". Its Resolve is
// made for Config.Resolve.
//
// The zero value is ready to use, announcing nothing, with the go command
// in an empty environment. A Builder is safe for concurrent use; Close
// removes what it built.
type Builder struct {
	// Announce, when set, is called with the directory as given before
	// each build (the host says "switchboard: building DIR (go build)
	// ...").
	Announce func(dir string)
	// Built, when set, is called after each build that Announce
	// announced, with the build's error (nil when it succeeded), so that
	// a host can say how long it took.
	Built func(dir string, err error)
	// Env is the environment of the go command.
	Env []string

	mu    sync.Mutex
	dir   string            // made at the first build
	built map[string]string // absolute package dir → binary
}

// Resolve returns the program to execute for cmd, building it first when
// cmd is a Go package directory. It blocks for the build; ctx ends it.
func (b *Builder) Resolve(ctx context.Context, cmd string) (string, error) {
	if !isGoPackageDir(cmd) {
		return cmd, nil
	}
	abs, err := filepath.Abs(cmd)
	if err != nil {
		return "", fmt.Errorf("building %s: %w", cmd, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if bin, ok := b.built[abs]; ok {
		return bin, nil
	}
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "switchboard-build-")
		if err != nil {
			return "", fmt.Errorf("building %s: %w", cmd, err)
		}
		b.dir, b.built = dir, map[string]string{}
	}
	bin := filepath.Join(b.dir, fmt.Sprintf("%s-%d", filepath.Base(abs), len(b.built)))
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	if b.Announce != nil {
		b.Announce(cmd)
	}
	gocmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	gocmd.Dir = abs
	gocmd.Env = b.Env
	if out, err := gocmd.CombinedOutput(); err != nil {
		err = fmt.Errorf("building %s: %w\n%s", cmd, err, strings.TrimSpace(string(out)))
		if b.Built != nil {
			b.Built(cmd, err)
		}
		return "", err
	}
	if b.Built != nil {
		b.Built(cmd, nil)
	}
	b.built[abs] = bin
	return bin, nil
}

// Close removes the binaries built; a later Resolve builds again. Safe to
// call twice.
func (b *Builder) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dir == "" {
		return nil
	}
	err := os.RemoveAll(b.dir)
	b.dir, b.built = "", nil
	return err
}

// isGoPackageDir reports whether path is a directory with a .go file in it.
func isGoPackageDir(path string) bool {
	fi, err := os.Stat(path)
	if err != nil || !fi.IsDir() {
		return false
	}
	matches, _ := filepath.Glob(filepath.Join(path, "*.go"))
	return len(matches) > 0
}
