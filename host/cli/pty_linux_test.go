package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// startOnTerminal starts the program with args on a new pseudo-terminal,
// as its controlling terminal, and returns it with the terminal's master
// side and a reader of it. The test is skipped where there is no
// pseudo-terminal; the program is killed and the master closed when the test
// ends.
func startOnTerminal(t *testing.T, args ...string) (*exec.Cmd, *os.File, *terminal) {
	t.Helper()
	return startOnTerminalStderr(t, nil, args...)
}

// startOnTerminalStderr is startOnTerminal with stderr on the file stderr
// instead of the terminal, when not nil.
func startOnTerminalStderr(t *testing.T, stderr *os.File, args ...string) (*exec.Cmd, *os.File, *terminal) {
	t.Helper()
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	master, tty, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	if stderr != nil {
		cmd.Stderr = stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	t.Cleanup(func() { cmd.Process.Kill() })
	return cmd, master, newTerminal(t, master)
}

// endSession ends the REPL on the terminal with Ctrl-D, fails the test if
// it does not exit 0, and waits until the terminal's output has been read
// whole.
func (term *terminal) endSession(cmd *exec.Cmd) {
	term.t.Helper()
	term.send("\x04")
	if err := cmd.Wait(); err != nil {
		term.t.Fatalf("repl ended with %v; output:\n%q", err, term.out.String())
	}
	term.master.Close()
	<-term.done
}

// openPTY opens a pseudo-terminal pair of 24x100 characters. The master
// stays non-blocking, so reads honour deadlines.
func openPTY() (master, tty *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	var (
		n        uint32
		ioctlErr error
	)
	rc, err := master.SyscallConn()
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	err = rc.Control(func(fd uintptr) {
		var unlock int32
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
			ioctlErr = fmt.Errorf("unlocking the pty: %w", e)
			return
		}
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
			ioctlErr = fmt.Errorf("naming the pty: %w", e)
		}
	})
	if err == nil {
		err = ioctlErr
	}
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	ws := [4]uint16{24, 100, 0, 0} // rows, columns
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, tty.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); e != 0 {
		master.Close()
		tty.Close()
		return nil, nil, fmt.Errorf("sizing the pty: %w", e)
	}
	return master, tty, nil
}

// terminal collects what a program writes to the pty and waits for text.
type terminal struct {
	t      *testing.T
	master *os.File
	mu     sync.Mutex
	out    bytes.Buffer
	seen   int // offset up to which expect has matched
	done   chan struct{}
}

func newTerminal(t *testing.T, master *os.File) *terminal {
	term := &terminal{t: t, master: master, done: make(chan struct{})}
	go func() {
		defer close(term.done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return term
}

// expect waits until the output after the last match contains want.
func (term *terminal) expect(want string) {
	term.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		term.mu.Lock()
		rest := term.out.String()[term.seen:]
		i := strings.Index(rest, want)
		if i >= 0 {
			term.seen += i + len(want)
		}
		term.mu.Unlock()
		if i >= 0 {
			return
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("terminal output lacks %q; after the last match it is:\n%q", want, rest)
		}
		time.Sleep(5 * time.Millisecond) // polling the collected output, not synchronising
	}
}

// expectNumber waits until the output after the last match contains
// prefix followed by a number and something else, and returns the number.
func (term *terminal) expectNumber(prefix string) int {
	term.t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([0-9]+)[^0-9]`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		term.mu.Lock()
		rest := term.out.String()[term.seen:]
		m := re.FindStringSubmatchIndex(rest)
		if m != nil {
			term.seen += m[1]
		}
		term.mu.Unlock()
		if m != nil {
			n, err := strconv.Atoi(rest[m[2]:m[3]])
			if err != nil {
				term.t.Fatal(err)
			}
			return n
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("terminal output lacks %q and a number; after the last match it is:\n%q", prefix, rest)
		}
		time.Sleep(5 * time.Millisecond) // polling the collected output, not synchronising
	}
}

func (term *terminal) send(s string) {
	term.t.Helper()
	if _, err := term.master.Write([]byte(s)); err != nil {
		term.t.Fatal(err)
	}
}

// TestREPLOnTerminal drives the interactive REPL through a pseudo-terminal:
// completion, a call, multi-line entry, Ctrl-C on a line and on a call in
// flight, Ctrl-D, and the history file.
func TestREPLOnTerminal(t *testing.T) {
	history := filepath.Join(t.TempDir(), "state", "history")
	cmd, _, term := startOnTerminal(t, "repl", "-history", history,
		"-spawn", filepath.Join(pluginDir, "echo"), "-spawn", filepath.Join(pluginDir, "chaos"),
		"-wait", "echo", "-wait", "chaos")

	term.expect("js> ")
	// Tab completes the method name from the plugin's description, with
	// its closing quote, then the field of its input.
	term.send(`call("echo", "Up` + "\t")
	term.expect(`"Upper"`)
	term.send(`, {` + "\t")
	term.expect(`{text: `)
	term.send(`"on a tty"})` + "\r")
	term.expect(`{ text: 'ON A TTY' }`)
	term.expect("js> ")

	// An unfinished statement continues on a "..." prompt.
	term.send("function f() {\r")
	term.expect("... ")
	term.send("return 41 + 1 }\r")
	term.expect("js> ")
	term.send("f()\r")
	term.expect("42")
	term.expect("js> ")

	// Ctrl-C drops the line being typed.
	term.send("this is not javascript\x03")
	term.expect("js> ")

	// Ctrl-C cancels a call in flight; the session goes on.
	term.send(`console.log("hang" + "ing now"); call("chaos", "Hang", {})` + "\r")
	term.expect("hanging now")
	term.send("\x03")
	term.expect("error: ")
	term.expect("js> ")
	term.send("20 + 3\r")
	term.expect("23")
	term.expect("js> ")

	// Ctrl-D ends the session.
	term.endSession(cmd)
	b, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "f()\n") {
		t.Errorf("history lacks f():\n%s", b)
	}
}

// TestREPLOnTerminalEscapesPluginText: on a real terminal, a connecting
// plugin's version comes out escaped, and so does the reason a plugin whose
// method name carries escape sequences is refused (the socket refuses such
// names; the REPL's completion escapes candidates too, see repl's
// TestCompleteEscapesCandidates); the sequences never reach the terminal.
func TestREPLOnTerminalEscapesPluginText(t *testing.T) {
	cmd, _, term := startOnTerminal(t, "repl", "-history", "off")

	term.expect("js> ")
	term.send(`spawn("hostile", ["late"]); waitFor("late", 10000)` + "\r")
	term.expect(`[connect] late ` + escapedHostile)
	term.expect("js> ")
	// The plugin "methods" is refused; once it has exited, its connection
	// was handled, and the host logs the refusal before it ends.
	term.send(`spawn("hostile", ["methods"]).wait()` + "\r")
	term.expect("js> ")
	term.endSession(cmd)
	out := term.out.String()
	// The refusal was logged before the host ended: it is in the output.
	if want := `holds the control character U+001B`; !strings.Contains(out, want) {
		t.Errorf("the terminal lacks the refusal of the plugin %q:\n%q", want, out)
	}
	for _, raw := range []string{"\x1b]0;pwned", "\u009b", "\n[disconnect] kv"} {
		if strings.Contains(out, raw) {
			t.Errorf("the terminal got %q raw:\n%q", raw, out)
		}
	}
}

// TestREPLHistorySurvivesHangup: each line entered is appended to the
// history file at once, and a SIGHUP (the terminal closed) leaves the 100
// lines of an earlier history in it; the host exits with 129.
func TestREPLHistorySurvivesHangup(t *testing.T) {
	history := filepath.Join(t.TempDir(), "history")
	var old strings.Builder
	for i := range 100 {
		fmt.Fprintf(&old, "%d + 1\n", i)
	}
	if err := os.WriteFile(history, []byte(old.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd, master, term := startOnTerminal(t, "repl", "-history", history)
	term.expect("js> ")
	term.send("40 + 2\r")
	term.expect("42")
	term.expect("js> ")
	want := old.String() + "40 + 2\n"
	if b, _ := os.ReadFile(history); string(b) != want {
		t.Errorf("history while the session runs:\n%s\nwant the old 100 lines and 40 + 2", b)
	}
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 129 {
		t.Errorf("repl ended with %v, want status 129; output:\n%s", err, term.out.String())
	}
	master.Close()
	<-term.done
	if b, _ := os.ReadFile(history); string(b) != want {
		t.Errorf("history after SIGHUP:\n%s\nwant the old 100 lines and 40 + 2", b)
	}
}

// TestREPLPrintsAboveTheLineBeingTyped: a timer's output comes while a
// line is half typed; it is printed above the prompt, the prompt and the
// half line are drawn again under it, and finishing the line evaluates all
// of it. Ctrl-D on a "..." line drops the unfinished entry.
func TestREPLPrintsAboveTheLineBeingTyped(t *testing.T) {
	cmd, _, term := startOnTerminal(t, "repl", "-history", "off")

	term.expect("js> ")
	term.send(`const iv = setInterval(() => console.log("beat"), 20)` + "\r")
	term.expect("js> ")
	term.send("20 +")
	term.expect("20 +")
	term.expect("beat\r\n") // after the half line was shown
	term.expect("js> 20 +") // drawn again under it
	term.send(" 3\r")
	term.expect("23")
	term.send("clearInterval(iv)\r")
	term.expect("js> ")

	term.send("function g() {\r")
	term.expect("... ")
	term.send("\x04")
	term.expect("js> ")
	term.send(`typeof g === "undefined"` + "\r")
	term.expect("true")
	term.expect("js> ")

	term.endSession(cmd)
}

// killEchoWhileTyping spawns the echo plugin from the REPL on term (and
// runs also, JavaScript statements, after it is up), types half a line
// ("20 +") and kills the plugin's process group, so that the host logs
// its exit while the line is being typed.
func killEchoWhileTyping(t *testing.T, term *terminal, also string) {
	t.Helper()
	term.expect("js> ")
	term.send(`const p = spawn("` + filepath.Join(pluginDir, "echo") + `"); waitFor("echo", 10000); ` + also + `"pid " + p.pid + "."` + "\r")
	pid := term.expectNumber("pid ")
	term.expect("js> ")
	term.send("20 +")
	term.expect("20 +")
	if err := syscall.Kill(-pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
}

// TestREPLLogsAboveTheLineBeingTyped: a record of the host's log that
// comes while a line is half typed (the WARN that a plugin spawned in the
// session died: the test kills it) is printed above the prompt, the
// prompt line erased first, and the prompt and the half line are drawn
// again under it; finishing the line evaluates all of it.
func TestREPLLogsAboveTheLineBeingTyped(t *testing.T) {
	cmd, _, term := startOnTerminal(t, "repl", "-history", "off")

	killEchoWhileTyping(t, term, "")
	term.expect("\r\x1b[K" + `level=WARN msg="plugin process exited"`)
	term.expect("js> 20 +") // drawn again under it
	term.send(" 3\r")
	term.expect("23")
	term.expect("js> ")

	// So is the host's message on a signal that ends the session.
	term.send("40 +")
	term.expect("40 +")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	term.expect("\r\x1b[K" + "switchboard: terminated: stopping (again to exit at once)\r\n")
	var ee *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("repl ended with %v, want status 143", err)
	}
	term.master.Close()
	<-term.done
}

// TestREPLBuildsAboveTheLineBeingTyped: a Go plugin directory that a
// callback spawns while a line is half typed is built with its progress
// above the prompt, a line when it begins and one when it ends, not drawn
// in place over the prompt.
func TestREPLBuildsAboveTheLineBeingTyped(t *testing.T) {
	echoDir, err := filepath.Abs("../../examples/plugins/echo")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _, term := startOnTerminal(t, "repl", "-history", "off")

	killEchoWhileTyping(t, term, `onDisconnect(() => spawn("`+echoDir+`")); `)
	building := "switchboard: building " + echoDir + " (go build) ..."
	term.expect("\r\x1b[K" + building + "\r\n")
	term.expect("\r\x1b[K" + building + " built in ")
	term.expect("js> 20 +")
	term.send(" 3\r")
	term.expect("23")
	term.endSession(cmd)
	if drawn := regexp.MustCompile(regexp.QuoteMeta(building) + ` [0-9.]+s`); drawn.MatchString(term.out.String()) {
		t.Errorf("the build was drawn in place:\n%q", term.out.String())
	}
}

// TestREPLLogsToAFile: with stderr not a terminal (stdin and stdout are),
// the host's log goes to it as it is, whatever the prompt.
func TestREPLLogsToAFile(t *testing.T) {
	errFile := filepath.Join(t.TempDir(), "stderr")
	f, err := os.Create(errFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmd, _, term := startOnTerminalStderr(t, f, "repl", "-history", "off")

	killEchoWhileTyping(t, term, "")
	term.expect("[disconnect] echo lost")
	const want = `level=WARN msg="plugin process exited"`
	var got []byte
	for deadline := time.Now().Add(10 * time.Second); !bytes.Contains(got, []byte(want)); {
		if time.Now().After(deadline) {
			t.Fatalf("stderr lacks %q:\n%q", want, got)
		}
		time.Sleep(5 * time.Millisecond) // polling the file, not synchronising
		got, _ = os.ReadFile(errFile)
	}
	if bytes.ContainsAny(got, "\r\x1b") {
		t.Errorf("stderr is not the log as it is:\n%q", got)
	}
	term.send(" 3\r")
	term.expect("23")
	term.expect("js> ")
	term.endSession(cmd)
	if out := term.out.String(); strings.Contains(out, "level=") {
		t.Errorf("the log reached the terminal:\n%q", out)
	}
}

// TestREPLHistoryPerLanguage: without -history, each language's lines go
// to its own file under $XDG_STATE_HOME/switchboard, and after .lang the
// history offered (Up) is the other language's.
func TestREPLHistoryPerLanguage(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	cmd, _, term := startOnTerminal(t, "repl")

	term.expect("js> ")
	term.send("6 * 7\r")
	term.expect("42")
	term.expect("js> ")
	term.send(".lang lua\r")
	term.expect("lua> ")
	term.send("=5 + 6\r")
	term.expect("11")
	term.expect("lua> ")
	term.send(".lang js\r")
	term.expect("js> ")
	term.send("\x1b[A\x1b[A") // Up twice: .lang lua, then 6 * 7
	term.expect("6 * 7")
	term.send("\r")
	term.expect("42")
	term.expect("js> ")
	term.endSession(cmd)
	for lang, want := range map[string]string{
		"js":  "6 * 7\n.lang lua\n6 * 7\n",
		"lua": "=5 + 6\n.lang js\n",
	} {
		b, err := os.ReadFile(filepath.Join(state, "switchboard", "history."+lang))
		if err != nil || string(b) != want {
			t.Errorf("history.%s = %q, %v; want %q", lang, b, err, want)
		}
	}
}
