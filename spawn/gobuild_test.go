package spawn_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/spawn"
)

func TestBuilderLeavesProgramsAlone(t *testing.T) {
	b := &spawn.Builder{}
	defer b.Close()
	for _, cmd := range []string{"echo", "/bin/sh", t.TempDir()} { // the last a directory without Go files
		got, err := b.Resolve(context.Background(), cmd)
		if err != nil || got != cmd {
			t.Errorf("resolve(%q) = %q, %v; want it unchanged", cmd, got, err)
		}
	}
}

func TestBuilderBuildsGoPackageOnce(t *testing.T) {
	var out strings.Builder
	var built []string
	b := &spawn.Builder{Announce: announceTo(&out), Env: os.Environ(),
		Built: func(dir string, err error) { built = append(built, fmt.Sprint(dir, " ", err)) }}
	bin, err := b.Resolve(context.Background(), "../examples/plugins/echo")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(bin); err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("built %s: %v", bin, err)
	}
	if !strings.Contains(out.String(), "building ../examples/plugins/echo (go build)") {
		t.Errorf("the build was not announced: %q", out.String())
	}
	again, err := b.Resolve(context.Background(), "../examples/plugins/echo")
	if err != nil || again != bin {
		t.Errorf("second resolve = %q, %v; want the same binary", again, err)
	}
	if n := strings.Count(out.String(), "building"); n != 1 {
		t.Errorf("built %d times", n)
	}
	if len(built) != 1 || built[0] != "../examples/plugins/echo <nil>" {
		t.Errorf("Built called with %q, want once for the directory, without an error", built)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Errorf("binary left after close: %v", err)
	}
}

func TestBuilderReportsBuildErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(dir+"/main.go", []byte("package main\nfunc main() { nope }\n"), 0o600)
	os.WriteFile(dir+"/go.mod", []byte("module broken\n"), 0o600)
	b := &spawn.Builder{Env: os.Environ()}
	defer b.Close()
	_, err := b.Resolve(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "undefined: nope") {
		t.Errorf("resolve of a broken package = %v", err)
	}
}

// announceTo returns a Builder.Announce that writes what the host says to w.
func announceTo(w *strings.Builder) func(string) {
	return func(dir string) { fmt.Fprintf(w, "switchboard: building %s (go build) ...\n", dir) }
}
