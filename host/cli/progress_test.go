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
