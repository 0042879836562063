//go:build unix

package cli

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestInterruptDuringLongCall runs the binary on a script that hangs in a
// call, interrupts it, and checks that it stops gracefully with status 1 and
// that the plugin it spawned is gone.
func TestInterruptDuringLongCall(t *testing.T) {
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "hang.js")
	os.WriteFile(script, []byte(`
const p = spawn(args[0]);
if (!waitFor("chaos", "10s")) throw new Error("chaos did not connect");
console.log("pid " + p.pid);
call("chaos", "Hang", {ms: 0});
console.log("not reached");
`), 0o600)
	cmd := exec.Command(bin, "run", "-log-level", "info", script, filepath.Join(pluginDir, "chaos"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		cmd.Wait()
		t.Fatalf("no pid line; stderr:\n%s", stderr.String())
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(lines.Text(), "pid "))
	if err != nil {
		t.Fatalf("bad first line %q", lines.Text())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() {
		t.Errorf("unexpected output %q", lines.Text())
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("exit = %v, want status %d; stderr:\n%s", err, exitFailed, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
	}
	// The plugin stopped on request (status 0), it was not killed.
	if !regexp.MustCompile(`plugin process exited.*plugin=chaos.*status=0`).MatchString(stderr.String()) {
		t.Errorf("the plugin did not stop gracefully; stderr:\n%s", stderr.String())
	}
	// The plugin was a child of the host, which waited for it: it is gone.
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("plugin process %d still running after the host ended", pid)
		}
		time.Sleep(10 * time.Millisecond) // polling a process table, not synchronising
	}
}
