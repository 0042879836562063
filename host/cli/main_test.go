package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"
)

// pluginDir holds the example plugins, built once per test run.
var pluginDir string

// goEnv holds the go command's settings that scripts building Go code need
// (testscript starts them with a bare environment).
var goEnv = map[string]string{}

// TestMain makes the test binary act as switchboard when testscript (or a
// test) runs it under that name, and otherwise builds the example plugins,
// runs the tests and checks for leaked goroutines.
func TestMain(m *testing.M) {
	testscript.Main(leakChecked{m}, map[string]func(){
		programName: func() { os.Exit(Main()) },
		"hostile":   hostilePlugin,
		"flood":     floodPlugin,
	})
}

type leakChecked struct{ m *testing.M }

func (l leakChecked) Run() int {
	dir, err := os.MkdirTemp("", "switchboard-plugins-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := buildPlugins(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pluginDir = dir
	for _, key := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOFLAGS", "GOPROXY", "GOTOOLCHAIN"} {
		out, err := exec.Command("go", "env", key).Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "go env:", err)
			return 1
		}
		goEnv[key] = strings.TrimSpace(string(out))
	}
	code := l.m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			return 1
		}
	}
	return code
}

// buildPlugins builds the example plugins into dir.
func buildPlugins(dir string) error {
	cmd := exec.Command("go", "build", "-o", dir+string(filepath.Separator), "./examples/plugins/...")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the example plugins: %w\n%s", err, out)
	}
	return nil
}
