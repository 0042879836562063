package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// hostileText is what a hostile plugin puts wherever it can: it would set
// the terminal's title, ring the bell, clear the screen (with ESC and with
// the C1 CSI) and forge a line of the REPL's.
const hostileText = "\x1b]0;pwned\x07\x1b[2J\n[disconnect] kv stopped\u009b2J"

// escapedHostile is hostileText as the REPL and the host print it.
const escapedHostile = `\x1b]0;pwned\a\x1b[2J\n[disconnect] kv stopped\u009b2J`

// marker stands for hostileText in what the hostile plugin sends, until
// its connection writes hostileText in its place, byte for byte.
var marker = strings.Repeat("M", len(hostileText))

// hostilePlugin is the program "hostile" of the tests: a plugin named by
// its first argument ("evil" by default), whose version is hostileText,
// which prints hostileText on stdout and stderr when it starts. Shout sends
// an async value whose bytes are hostileText in quotes (not JSON: the SDK
// would escape it, a raw peer need not), then fails with hostileText as
// its message; Greet returns hostileText. The plugin named "methods" also
// has a method named hostileMethod.
func hostilePlugin() {
	if len(hostileMethod) != len(methodMarker) || len(marker) != len(hostileText) {
		panic("hostile: a marker and its replacement differ in length")
	}
	name := "evil"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}
	var v any = hostile{}
	if name == "methods" {
		v = hostileMethods{}
	}
	fmt.Println(hostileText)
	fmt.Fprintln(os.Stderr, hostileText)
	conn, err := net.Dial("tcp", os.Getenv(plugin.EnvAddr))
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(1)
	}
	err = new(plugin.Plugin).Start(v, &plugin.Info{Name: name, Version: hostileText}, rewriter{conn}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
	}
	os.Exit(0)
}

type hostile struct{}

// Shout sends the marker as an async value, then fails.
func (hostile) Shout(ctx context.Context, _ struct{}) (struct{}, error) {
	if err := plugin.Notify(ctx, marker); err != nil {
		return struct{}{}, err
	}
	return struct{}{}, errors.New(hostileText)
}

// Greet returns hostileText.
func (hostile) Greet(context.Context, struct{}) (string, error) { return hostileText, nil }

// hostileMethod is a method name a plugin built with the SDK cannot have
// (it would clear the screen and set the title), and methodMarker the
// method of hostileMethods that stands for it, of the same length.
const (
	hostileMethod = "X\x1b]0;pwned\x07\x1b[2J"
	methodMarker  = "Mmmmmmmmmmmmmmm"
)

// hostileMethods is the hostile plugin with a method that is renamed
// hostileMethod on the wire.
type hostileMethods struct{ hostile }

// Mmmmmmmmmmmmmmm does nothing; its name is methodMarker.
func (hostileMethods) Mmmmmmmmmmmmmmm(context.Context, struct{}) (struct{}, error) {
	return struct{}{}, nil
}

// rewriter writes hostileText where the plugin wrote the marker, and
// hostileMethod where it wrote methodMarker.
type rewriter struct{ net.Conn }

func (w rewriter) Write(b []byte) (int, error) {
	b = bytes.ReplaceAll(b, []byte(marker), []byte(hostileText))
	b = bytes.ReplaceAll(b, []byte(methodMarker), []byte(hostileMethod))
	if _, err := w.Conn.Write(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// TestHostileTextIsEscaped drives the real REPL (stdin a pipe) and the real
// run command against the hostile plugin over real connections: its
// version (on connecting and in .plugins and .info), its async value, its
// result, its error message and its output relayed to the log all reach
// the operator escaped, and nothing it sent starts a line.
func TestHostileTextIsEscaped(t *testing.T) {
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	input := `spawn("hostile", ["late"]); waitFor("late", 10000)
call("evil", "Shout", {})
.plugins
.info -raw evil
call("evil", "Greet", {})
"done"
`
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "repl", "-log-level", "info", "-spawn", "hostile", "-wait", "evil")
	cmd.Stdin = strings.NewReader(input)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Error("the REPL succeeded although a statement failed")
	}
	out, log := stdout.String(), stderr.String()
	for _, want := range []string{
		"[connect] late " + escapedHostile + "\n",
		"[async evil] \"" + escapedHostile + "\"\n",
		"evil " + escapedHostile + "\n",
		`"version": "\u001b]0;pwned\u0007\u001b[2J\n[disconnect] kv stopped\u009b2J"`,
		`'\x1b]0;pwned\x07\x1b[2J\n[disconnect] kv stopped\u009b2J'`,
		"'done'\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(log, `\x1b]0;pwned\a\x1b[2J | [disconnect] kv stopped\u009b2J`) {
		t.Errorf("the error is not escaped on one line:\n%s", log)
	}
	if !strings.Contains(log, `msg="hostile: \x1b]0;pwned\a\x1b[2J"`) {
		t.Errorf("the plugin's output is not in the log, quoted:\n%s", log)
	}
	checkClean(t, "repl stdout", out)
	checkClean(t, "repl stderr", log)

	script := filepath.Join(t.TempDir(), "shout.js")
	if err := os.WriteFile(script, []byte(`call("evil", "Shout", {});`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	cmd = exec.Command(bin, "run", "-spawn", "hostile", "-wait", "evil", script)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Error("run succeeded although the script failed")
	}
	if !strings.Contains(stderr.String(), `\x1b]0;pwned\a\x1b[2J`) {
		t.Errorf("run's error is not escaped:\n%s", stderr.String())
	}
	checkClean(t, "run stderr", strings.ReplaceAll(stderr.String(), "\n[disconnect] kv stopped", ""))
}

// checkClean fails when s holds a control character other than a line
// break, or a line that text from the plugin starts.
func checkClean(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if r != '\n' && (r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)) {
			t.Errorf("%s holds %U:\n%q", what, r, s)
			return
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(line, "[disconnect] kv") {
			t.Errorf("%s has a forged line:\n%s", what, s)
		}
	}
}
