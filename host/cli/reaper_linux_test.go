package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
)

// Plugin programs that leave a sleeping grandchild behind and write its pid
// to the file named by their first argument: one that stays, one that
// exits 0 at once, and one whose grandchild leaves for a session (and
// process group) of its own, which no group signal reaches.
const (
	staysWithChild  = `sleep 300 & echo $! > "$0"; wait`
	exitsLeavingOne = `trap '' TERM; sleep 300 & echo $! > "$0"; exit 0`
	childEscapes    = `setsid sleep 300 & echo $! > "$0"; wait`
)

// startHost starts the real host binary running a script that spawns each
// program (as sh -c) with a pid file in dir, then idles. It returns the
// host and the pid files.
func startHost(t *testing.T, dir string, programs ...string) (*exec.Cmd, *syncbuf.Buffer, []string) {
	t.Helper()
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	var files []string
	for i, prog := range programs {
		f := filepath.Join(dir, fmt.Sprintf("grandchild%d", i))
		files = append(files, f)
		fmt.Fprintf(&src, "spawn(\"sh\", [\"-c\", %q, %q]);\n", prog, f)
	}
	src.WriteString("setTimeout(function () {}, 600000);\n")
	script := filepath.Join(dir, "idle.js")
	if err := os.WriteFile(script, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out syncbuf.Buffer
	host := exec.Command(bin, "run", "-log-level", "info", script)
	host.Stdout, host.Stderr = &out, &out
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = host.Process.Kill()
		_ = host.Wait()
	})
	return host, &out, files
}

// TestHostKilledEndsEveryDescendant: SIGKILL of the real host ends every
// process its plugins started: the grandchild of a plugin still running,
// the grandchild of one that exited already, and a grandchild that left
// for a process group of its own.
func TestHostKilledEndsEveryDescendant(t *testing.T) {
	dir := t.TempDir()
	host, out, files := startHost(t, dir, staysWithChild, exitsLeavingOne, childEscapes)
	var pids []int
	for _, f := range files {
		pids = append(pids, waitPidFile(t, f, out))
	}
	if proctest.Gone(pids[0]) || proctest.Gone(pids[2]) {
		t.Fatal("a grandchild ended before the host was killed: the test proves nothing")
	}
	if err := host.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = host.Wait()
	for _, pid := range pids {
		proctest.WaitGone(t, pid)
	}
}

// TestHostEndsDescendantsOfExitedPlugin: when a plugin exits (0, with its
// child still holding its stdout), what it started ends with it, the exit
// is reported as status 0 and on-failure does not restart it.
func TestHostEndsDescendantsOfExitedPlugin(t *testing.T) {
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "grandchild")
	script := filepath.Join(dir, "linger.js")
	src := fmt.Sprintf("var p = spawn(\"sh\", [\"-c\", %q, %q], {restart: \"on-failure\"});\n"+
		"console.log(\"status\", p.wait());\n", exitsLeavingOne, pidFile)
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	host := exec.Command(bin, "run", "-log-level", "info", script)
	host.Stdout, host.Stderr = &stdout, &stderr
	if err := host.Run(); err != nil {
		t.Fatalf("host: %v\n%s", err, stderr.String())
	}
	if got := strings.TrimSpace(stdout.String()); got != "status 0" {
		t.Errorf("stdout %q, want \"status 0\"; log:\n%s", got, stderr.String())
	}
	if strings.Contains(stderr.String(), "restart") {
		t.Errorf("restarted:\n%s", stderr.String())
	}
	proctest.WaitGone(t, proctest.ReadPid(t, pidFile))
}

// waitPidFile waits, with a deadline, for a plugin to write its
// grandchild's pid.
func waitPidFile(t *testing.T, path string, log *syncbuf.Buffer) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(path); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			return proctest.ReadPid(t, path)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no pid in %s; host output:\n%s", path, log.String())
		}
		time.Sleep(5 * time.Millisecond) // polling a file, not synchronising
	}
}

// TestKillEndsDescendantsThatLeftTheGroup: kill() of a plugin ends the
// grandchild that moved to a session of its own, while the host goes on.
func TestKillEndsDescendantsThatLeftTheGroup(t *testing.T) {
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(t.TempDir(), "grandchild")
	var out syncbuf.Buffer
	host := exec.Command(bin, "repl")
	stdin, err := host.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	host.Stdout, host.Stderr = &out, &out
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		stdin.Close()
		if err := host.Wait(); err != nil {
			t.Errorf("repl: %v\n%s", err, out.String())
		}
	}()
	fmt.Fprintf(stdin, "var p = spawn(\"sh\", [\"-c\", %q, %q])\n", childEscapes, pidFile)
	grandchild := waitPidFile(t, pidFile, &out)
	fmt.Fprintf(stdin, "p.kill(); p.wait()\n")
	proctest.WaitGone(t, grandchild)
}
