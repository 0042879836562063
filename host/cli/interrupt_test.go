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

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
)

// running is the binary running a script, its stdout read line by line.
type running struct {
	t      *testing.T
	cmd    *exec.Cmd
	lines  chan string
	stderr *syncbuf.Buffer
}

// runScript writes src to a file named name and runs the binary on it with
// flags (before the script) and args (after it), in env added to the
// test's environment. The process is killed when the test ends.
func runScript(t *testing.T, name, src string, env, flags []string, args ...string) *running {
	t.Helper()
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	argv := append(append(append([]string{"run"}, flags...), script), args...)
	cmd := exec.Command(bin, argv...)
	cmd.Env = append(os.Environ(), env...)
	r := &running{t: t, cmd: cmd, lines: make(chan string, 100), stderr: &syncbuf.Buffer{}}
	cmd.Stderr = r.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		defer close(r.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
	}()
	return r
}

// expect waits for the next line of output and checks it is want.
func (r *running) expect(want string) string {
	r.t.Helper()
	select {
	case line, ok := <-r.lines:
		if !ok {
			r.t.Fatalf("output ended before %q; stderr:\n%s", want, r.stderr.String())
		}
		if !strings.HasPrefix(line, want) {
			r.t.Fatalf("output line %q, want %q; stderr:\n%s", line, want, r.stderr.String())
		}
		return line
	case <-time.After(20 * time.Second):
		r.t.Fatalf("no output line %q within 20s; stderr:\n%s", want, r.stderr.String())
	}
	return ""
}

// stderrHas waits, for up to 10 s, until the host's stderr contains want.
func (r *running) stderrHas(want string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(r.stderr.String(), want) {
		if time.Now().After(deadline) {
			r.t.Fatalf("stderr has no %q within 10s:\n%s", want, r.stderr.String())
		}
		time.Sleep(5 * time.Millisecond) // polling collected output, not synchronising
	}
}

func (r *running) signal(sig os.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

// exits waits for the end of the output and of the process and checks its
// exit status.
func (r *running) exits(code int) {
	r.t.Helper()
	for line := range r.lines {
		r.t.Errorf("unexpected output %q", line)
	}
	err := r.cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != code {
		r.t.Fatalf("exit = %v, want status %d; stderr:\n%s", err, code, r.stderr.String())
	}
}

// gone waits until no process pid is left.
func gone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("plugin process %d still running after the host ended", pid)
		}
		time.Sleep(10 * time.Millisecond) // polling a process table, not synchronising
	}
}

const hangJS = `
const p = spawn(args[0]);
if (!waitFor("chaos", "20s")) throw new Error("chaos did not connect");
console.log("pid " + p.pid);
try {
	call("chaos", "Hang", {ms: 0});
	console.log("not reached");
} catch (e) {
	console.log("caught " + e.code);
} finally {
	console.log("finally");
}
try {
	call("chaos", "Hang", {ms: 0});
} catch (e) {
	console.log("later " + e.code);
}
`

// TestInterruptRunsCleanup: SIGINT during a call makes it fail with code
// canceled, the script's catch and finally run, a later call fails the same
// way, the host exits with 130, and the plugin it spawned stopped on
// request and is gone.
func TestInterruptRunsCleanup(t *testing.T) {
	r := runScript(t, "hang.js", hangJS, nil, []string{"-log-level", "info"}, filepath.Join(pluginDir, "chaos"))
	pid, err := strconv.Atoi(strings.TrimPrefix(r.expect("pid "), "pid "))
	if err != nil {
		t.Fatal(err)
	}
	r.signal(os.Interrupt)
	r.expect("caught canceled")
	r.expect("finally")
	r.expect("later canceled")
	r.exits(130)
	if !strings.Contains(r.stderr.String(), "interrupt: stopping") {
		t.Errorf("stderr does not say it was interrupted:\n%s", r.stderr.String())
	}
	// The plugin stopped on request (status 0), it was not killed.
	if !regexp.MustCompile(`plugin process exited.*plugin=chaos.*status=0`).MatchString(r.stderr.String()) {
		t.Errorf("the plugin did not stop gracefully; stderr:\n%s", r.stderr.String())
	}
	gone(t, pid)
}

// TestTerminateRunsLuaPcall: SIGTERM during a call in Lua's pcall makes it
// return false with an error whose code is canceled; the host exits 143
// although the script then ended normally.
func TestTerminateRunsLuaPcall(t *testing.T) {
	r := runScript(t, "hang.lua", `
spawn(arg[1])
assert(waitFor("chaos", "20s"), "chaos did not connect")
print("ready")
local ok, err = pcall(call, "chaos", "Hang", {ms = 0})
print("pcall", ok, err.code)
`, nil, nil, filepath.Join(pluginDir, "chaos"))
	r.expect("ready")
	r.signal(syscall.SIGTERM)
	r.expect("pcall\tfalse\tcanceled")
	r.exits(143)
}

// TestAsyncCleanupAfterInterrupt: the catch and finally of an awaited
// callAsync run after the interrupt too, on the loop.
func TestAsyncCleanupAfterInterrupt(t *testing.T) {
	r := runScript(t, "async.js", `
spawn(args[0]);
if (!waitFor("chaos", "20s")) throw new Error("chaos did not connect");
(async () => {
	try {
		const p = callAsync("chaos", "Hang", {ms: 0});
		console.log("ready");
		await p;
	} catch (e) {
		console.log("caught " + e.code);
	} finally {
		console.log("finally");
	}
})();
serve();
`, nil, nil, filepath.Join(pluginDir, "chaos"))
	r.expect("ready")
	r.signal(os.Interrupt)
	r.expect("caught canceled")
	r.expect("finally")
	r.exits(130)
}

// buildDirs returns the build directories a host left in dir.
func buildDirs(t *testing.T, dir string) []string {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(dir, "switchboard-build-*"))
	if err != nil {
		t.Fatal(err)
	}
	return left
}

// TestHangupRemovesBuild: SIGHUP (the terminal closed) is handled like
// SIGTERM: the script's cleanup runs, the host exits 129, and the directory
// the plugin was built in is gone.
func TestHangupRemovesBuild(t *testing.T) {
	tmp := t.TempDir()
	r := runScript(t, "hang.js", hangJS, []string{"TMPDIR=" + tmp}, nil, "../../examples/plugins/chaos")
	r.expect("pid ")
	if len(buildDirs(t, tmp)) != 1 {
		t.Fatalf("the plugin was not built in %s: %v", tmp, buildDirs(t, tmp))
	}
	r.signal(syscall.SIGHUP)
	r.expect("caught canceled")
	r.expect("finally")
	r.expect("later canceled")
	r.exits(129)
	if left := buildDirs(t, tmp); len(left) > 0 {
		t.Errorf("build directories left behind: %v", left)
	}
}

// busyJS ignores cancellation: it never calls anything again.
const busyJS = `
spawn(args[0]);
if (!waitFor("chaos", "20s")) throw new Error("chaos did not connect");
console.log("busy");
for (;;) {}
`

// TestSecondSignalStopsAtOnce: a script that ignores the first signal,
// with a grace period longer than the test, is stopped by the second; the
// status is the first signal's, the build directory and the Unix socket
// file are removed.
func TestSecondSignalStopsAtOnce(t *testing.T) {
	tmp := t.TempDir()
	sock := filepath.Join(shortTempDir(t), "sb.sock")
	r := runScript(t, "busy.js", busyJS, []string{"TMPDIR=" + tmp},
		[]string{"-grace", "1h", "-listen", "unix:" + sock}, "../../examples/plugins/chaos")
	r.expect("busy")
	r.signal(os.Interrupt)
	r.stderrHas("interrupt: stopping")
	r.signal(syscall.SIGTERM)
	r.exits(130)
	if !strings.Contains(r.stderr.String(), "exiting at once") {
		t.Errorf("stderr does not say it exits at once:\n%s", r.stderr.String())
	}
	if left := buildDirs(t, tmp); len(left) > 0 {
		t.Errorf("build directories left behind: %v", left)
	}
	if _, err := os.Stat(sock); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the Unix socket file is left behind: %v", err)
	}
}

// TestGraceExpiryStopsScript: a script that ignores cancellation is
// stopped when -grace is over; the host exits 130.
func TestGraceExpiryStopsScript(t *testing.T) {
	r := runScript(t, "busy.js", busyJS, nil, []string{"-grace", "100ms"}, filepath.Join(pluginDir, "chaos"))
	r.expect("busy")
	r.signal(os.Interrupt)
	r.exits(130)
	if strings.Contains(r.stderr.String(), "exiting at once") {
		t.Errorf("the script was not stopped by the grace period:\n%s", r.stderr.String())
	}
}

// TestSecondSignalFlushesCalls: the -calls file holds the calls made
// before a second signal ended the process at once.
func TestSecondSignalFlushesCalls(t *testing.T) {
	calls := filepath.Join(t.TempDir(), "calls.jsonl")
	const src = `
spawn(args[0]);
if (!waitFor("chaos", "20s")) throw new Error("chaos did not connect");
try { call("chaos", "Fail", {message: "no"}); } catch (e) {}
console.log("busy");
for (;;) {}
`
	r := runScript(t, "busycalls.js", src, nil, []string{"-grace", "1h", "-calls", calls}, filepath.Join(pluginDir, "chaos"))
	r.expect("busy")
	r.signal(os.Interrupt)
	r.stderrHas("interrupt: stopping")
	r.signal(syscall.SIGTERM)
	r.exits(130)
	b, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"method":"Fail"`) {
		t.Errorf("the calls file lacks the call made before the signals: %q", b)
	}
}
