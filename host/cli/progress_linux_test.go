package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestProgressOnTerminal: with stderr on a terminal, building a Go plugin
// directory and waiting for a -wait plugin each show one line that says
// what is happening and for how long, redrawn in place (carriage return,
// erase line), and end with the outcome and the time taken.
func TestProgressOnTerminal(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "ok.js")
	if err := os.WriteFile(script, []byte(`console.log("ran")`), 0o600); err != nil {
		t.Fatal(err)
	}
	echo, err := filepath.Abs("../../examples/plugins/echo")
	if err != nil {
		t.Fatal(err)
	}
	cmd, _, term := startOnTerminal(t, "run", "-spawn", echo, "-wait", "echo", "-wait-timeout", "1m", script)
	const redraw = "\r\x1b[K"
	term.expect(redraw + "switchboard: building " + echo + " (go build) ... 0s")
	term.expect(redraw + "switchboard: building " + echo + " (go build) ... built in ")
	term.expect(redraw + `switchboard: waiting for plugin "echo" ... 0s of 1m0s`)
	term.expect(redraw + `switchboard: waiting for plugin "echo" ... connected in `)
	term.expect("ran")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run: %v; output:\n%q", err, term.out.String())
	}
}
