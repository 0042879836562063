package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressKeepsLogAboveTheLine: on a terminal, what the log writes
// while a step is shown goes above the step's line, which is drawn again
// under it; the step ends with its outcome on a line of its own.
func TestProgressKeepsLogAboveTheLine(t *testing.T) {
	var out bytes.Buffer
	p := &progress{w: &out, terminal: true, tick: time.Hour} // no redraw but the first
	end := p.begin("waiting for plugin \"kv\"", time.Hour, false)
	if _, err := p.Write([]byte("level=INFO msg=hello\n")); err != nil {
		t.Fatal(err)
	}
	end("connected")
	got := out.String()
	line := `switchboard: waiting for plugin "kv" ... 0s of 1h0m0s`
	want := "\r\x1b[K" + line + "\r\x1b[Klevel=INFO msg=hello\n" + line
	if !strings.HasPrefix(got, want) {
		t.Fatalf("output %q, want it to begin with %q", got, want)
	}
	if !strings.Contains(got[len(want):], "\r\x1b[K"+`switchboard: waiting for plugin "kv" ... connected in `) ||
		!strings.HasSuffix(got, "\n") {
		t.Errorf("output %q does not end with the outcome", got)
	}
	out.Reset()
	if _, err := p.Write([]byte("after\n")); err != nil || out.String() != "after\n" {
		t.Errorf("after the step, a write gives %q, %v", out.String(), err)
	}
}

// TestProgressOffTerminal: without a terminal a build is one line, a wait
// none, and nothing is redrawn.
func TestProgressOffTerminal(t *testing.T) {
	var out bytes.Buffer
	p := &progress{w: &out}
	p.begin("building x (go build)", 0, true)("built")
	p.begin(`waiting for plugin "kv"`, time.Minute, false)("connected")
	if got := out.String(); got != "switchboard: building x (go build) ...\n" {
		t.Errorf("output %q", got)
	}
}

// TestProgressAbovePrompt: while the REPL's prompt waits on the terminal
// (it holds the bottom line), a step that begins is a line when it begins
// and one when it ends, and a step already drawn is not drawn again: the
// log's records and the step's end go to the REPL's screen as they are.
func TestProgressAbovePrompt(t *testing.T) {
	var out bytes.Buffer
	prompt := true
	p := &progress{w: &out, terminal: true, tick: time.Hour}
	p.toScreen(&out, func() bool { return prompt })
	end := p.begin("building x (go build)", 0, true)
	p.Write([]byte("level=INFO msg=hello\n"))
	end("built")
	got := out.String()
	want := "switchboard: building x (go build) ...\nlevel=INFO msg=hello\nswitchboard: building x (go build) ... built in "
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\n") || strings.Count(got, "\n") != 3 {
		t.Errorf("a step begun above the prompt wrote %q, want three lines beginning %q", got, want)
	}

	// A step drawn in place before the prompt came.
	out.Reset()
	prompt = false
	end = p.begin(`waiting for plugin "kv"`, time.Hour, false)
	prompt = true
	p.show(`switchboard: waiting for plugin "kv" ... 9s of 1h0m0s`, "") // a tick
	p.Write([]byte("level=WARN msg=lost\n"))
	end("connected")
	got = out.String()
	want = "\r\x1b[K" + `switchboard: waiting for plugin "kv" ... 0s of 1h0m0s` +
		"level=WARN msg=lost\n" + "\r\x1b[K" + `switchboard: waiting for plugin "kv" ... connected in `
	if !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "\n") {
		t.Errorf("a step drawn before the prompt wrote %q, want %q and the time", got, want)
	}

	// Back on stderr, the progress is as it was.
	p.toScreen(&out, nil)
	out.Reset()
	p.begin("building y (go build)", 0, true)("built")
	if got := out.String(); !strings.HasPrefix(got, "\r\x1b[Kswitchboard: building y (go build) ... 0s") {
		t.Errorf("after the REPL, a step wrote %q", got)
	}
}
