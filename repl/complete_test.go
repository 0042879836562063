package repl

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestComplete(t *testing.T) {
	hub := newFakeHub()
	globals := func() []string { return []string{"call", "callAsync", "connected", "console", "broadcast"} }
	tests := []struct {
		line       string // the cursor is at |, or at the end
		head, tail string
		want       []string
	}{
		{line: "ca", head: "", want: []string{"call", "callAsync"}},
		{line: "x = con", head: "x = ", want: []string{"connected", "console"}},
		{line: `call("`, head: `call("`, want: []string{"echo", "kv"}},
		{line: `call('e`, head: `call('`, want: []string{"echo"}},
		{line: `callAsync( "k`, head: `callAsync( "`, want: []string{"kv"}},
		{line: `call("echo", "`, head: `call("echo", "`, want: []string{"Echo", "Reverse", "Upper"}},
		{line: `call("echo", "U|", {})`, head: `call("echo", "`, tail: `", {})`, want: []string{"Upper"}},
		{line: `call("nope", "`, head: `call("nope", "`, want: nil},
		{line: `info("`, head: `info("`, want: []string{"echo", "kv"}},
		{line: `broadcast("`, head: `broadcast("`, want: []string{"Echo", "Get", "Reverse", "Set", "Upper"}},
		{line: ".p", head: "", want: []string{".plugins"}},
		{line: ".l", head: "", want: []string{".lang", ".load"}},
		{line: "console.lo", head: "console.lo", want: nil},
		{line: "x = 1 + ", head: "x = 1 + ", want: nil},
	}
	for _, tt := range tests {
		line, pos := tt.line, len(tt.line)
		if i := strings.Index(line, "|"); i >= 0 {
			line, pos = line[:i]+line[i+1:], i
		}
		head, got, tail := complete(line, pos, hub, globals)
		if head != tt.head || tail != tt.tail || !equal(got, tt.want) {
			t.Errorf("complete(%q) = %q, %q, %q; want %q, %q, %q", tt.line, head, got, tail, tt.head, tt.want, tt.tail)
		}
	}
}

func TestCompleteUsesTheCurrentEngine(t *testing.T) {
	s := newSession(t, "")
	head, got, _ := s.r.complete("con", 3)
	if head != "" || !equal(got, []string{"connected", "console"}) {
		t.Errorf("complete = %q %q", head, got)
	}
}

// TestCompleteEscapesCandidates: names a plugin chose reach liner, which
// prints them as they are, escaped.
func TestCompleteEscapesCandidates(t *testing.T) {
	hub := newFakeHub()
	hub.plugins["e\x1b]0;pwned\x07"] = &plugin.Info{Name: "e\x1b]0;pwned\x07",
		Functions: map[string]plugin.Function{"Clear\x1b[2J": {Name: "Clear\x1b[2J"}}}
	_, got, _ := complete(`call("e`, 7, hub, nil)
	if want := []string{`e\x1b]0;pwned\a`, "echo"}; !equal(got, want) {
		t.Errorf("plugin names %q, want %q", got, want)
	}
	_, got, _ = complete(`broadcast("Cl`, 13, hub, nil)
	if want := []string{`Clear\x1b[2J`}; !equal(got, want) {
		t.Errorf("method names %q, want %q", got, want)
	}
}
