package repl

import (
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugintest"

	"github.com/switchboard-rpc/switchboard/plugin"
)

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestComplete(t *testing.T) {
	hub := newFakeHub()
	globals := func(word string) []string {
		if strings.Contains(word, ".") {
			return nil
		}
		return []string{"call", "callAsync", "connected", "console", "broadcast"}
	}
	tests := []struct {
		line       string // the cursor is at |, or at the end
		head, tail string
		want       []string
	}{
		{line: "ca", head: "", want: []string{"call", "callAsync"}},
		{line: "x = con", head: "x = ", want: []string{"connected", "console"}},
		{line: `call("`, head: `call("`, want: []string{"echo", "kv"}},
		{line: `call('e`, head: `call('`, want: []string{"echo'"}},
		{line: `callAsync( "k`, head: `callAsync( "`, want: []string{`kv"`}},
		{line: `call("echo", "`, head: `call("echo", "`, want: []string{"Echo", "Reverse", "Upper"}},
		{line: `call("echo", "U|", {})`, head: `call("echo", "`, tail: `", {})`, want: []string{"Upper"}},
		{line: `call("echo", "U`, head: `call("echo", "`, want: []string{`Upper"`}},
		{line: `call("echo","Upper",{`, head: `call("echo","Upper",{`, want: []string{"text: "}},
		{line: `call("echo", "Upper", {te`, head: `call("echo", "Upper", {`, want: []string{"text: "}},
		{line: `call("echo", "Upper", {text: "a", te`, head: `call("echo", "Upper", {text: "a", `, want: []string{"text: "}},
		{line: `call("echo", "Upper", {x`, head: `call("echo", "Upper", {`, want: nil},
		{line: ".info ", head: ".info ", want: []string{"echo", "kv"}},
		{line: ".info -raw k", head: ".info -raw ", want: []string{"kv"}},
		{line: `call("nope", "`, head: `call("nope", "`, want: nil},
		{line: `info("`, head: `info("`, want: []string{"echo", "kv"}},
		{line: `broadcast("`, head: `broadcast("`, want: []string{"Echo", "Get", "Reverse", "Set", "Upper"}},
		{line: ".p", head: "", want: []string{".plugins"}},
		{line: ".l", head: "", want: []string{".lang", ".load"}},
		{line: "console.lo", head: "", want: nil},
		{line: "x = 1 + ", head: "x = 1 + ", want: nil},
	}
	for _, tt := range tests {
		line, pos := tt.line, len(tt.line)
		if i := strings.Index(line, "|"); i >= 0 {
			line, pos = line[:i]+line[i+1:], i
		}
		head, got, tail := complete(line, pos, hub, globals, "js")
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
	_, got, _ := complete(`call("e`, 7, hub, nil, "js")
	if want := []string{`e\x1b]0;pwned\a`, "echo"}; !equal(got, want) {
		t.Errorf("plugin names %q, want %q", got, want)
	}
	_, got, _ = complete(`broadcast("Cl`, 13, hub, nil, "js")
	if want := []string{`Clear\x1b[2J"`}; !equal(got, want) {
		t.Errorf("method names %q, want %q", got, want)
	}
}

func TestCompleteLuaFieldsAndFiles(t *testing.T) {
	hub := newFakeHub()
	if _, got, _ := complete(`call("echo", "Upper", {`, 23, hub, nil, "lua"); !equal(got, []string{"text = "}) {
		t.Errorf("lua fields = %q", got)
	}
	dir := t.TempDir()
	for _, name := range []string{"lib.js", "lib.lua", "other.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "libs"), 0o700); err != nil {
		t.Fatal(err)
	}
	line := ".load " + filepath.Join(dir, "li")
	head, got, _ := complete(line, len(line), hub, nil, "js")
	want := []string{filepath.Join(dir, "lib.js"), filepath.Join(dir, "lib.lua"), filepath.Join(dir, "libs") + "/"}
	if head != ".load " || !equal(got, want) {
		t.Errorf("files = %q %q, want %q", head, got, want)
	}
}

// TestCompleteMembersOfTheRealEngines: members after a dot and names the
// user defined, in both languages.
func TestCompleteMembersOfTheRealEngines(t *testing.T) {
	for _, tc := range []struct {
		lang, define string
		words        map[string]string // word: a completion it must offer
	}{
		{"js", "var myValue = {deep: {answer: 42}}; let myLet = 1; const myConst = 2", map[string]string{
			"JSON.str": "JSON.stringify", "console.l": "console.log", "myV": "myValue",
			"myL": "myLet", "myC": "myConst",
			"myValue.deep.an": "myValue.deep.answer", "[1].ma": "",
		}},
		{"lua", "myValue = {deep = {answer = 42}}", map[string]string{
			"string.fo": "string.format", "json.e": "json.encode", "myV": "myValue",
			"myValue.deep.an": "myValue.deep.answer",
		}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			s := newLiveSession(t, tc.lang, plugintest.NewSocket(t))
			s.send(tc.define)
			s.send(`4242`) // a marker both languages print alike
			waitOutput(t, &s.out, "4242\n")
			for word, want := range tc.words {
				_, got, _ := s.r.complete(word, len(word))
				if want == "" {
					continue
				}
				if !slices.Contains(got, want) {
					t.Errorf("complete(%q) = %q, lacks %q", word, got, want)
				}
			}
		})
	}
}
