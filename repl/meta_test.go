package repl

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
)

func TestUnknownMetaCommand(t *testing.T) {
	s := newSession(t, ".bogus\n.exi\n.5 + 1\n")
	if err := s.r.Run(context.Background()); !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	want := "error: .bogus: unknown command (try .help)\nerror: .exi: unknown command (try .help)\n"
	if got := s.err.String(); got != want {
		t.Errorf("err = %q, want %q", got, want)
	}
	if got := s.out.String(); got != "\"js:.5 + 1\"\n" {
		t.Errorf("out = %q: .5 + 1 is not a command", got)
	}
}

func TestBreakDropsTheUnfinishedEntry(t *testing.T) {
	s := newSession(t, "f {\n.break\ng {\n  .clear\nafter\n")
	if err := s.r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.engines["js"].evals; !equal(got, []string{"after"}) {
		t.Errorf("evaluated %q, want only after", got)
	}
}

func TestEditorEvaluatesAtEndOfInput(t *testing.T) {
	s := newSession(t, "before\n.editor\na {\nb\n")
	if err := s.r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The editor's lines are one entry, incomplete or not.
	if got := s.engines["js"].evals; !equal(got, []string{"before", "a {\nb\n"}) {
		t.Errorf("evaluated %q", got)
	}
	if s.r.prompt() != "js> " {
		t.Errorf("prompt after the editor = %q", s.r.prompt())
	}
}

func TestSaveWritesTheEntriesThatWorked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session.js")
	s := newSession(t, "one\nfail\nf {\n}\n.lang lua\nthree\n.lang js\n.plugins\n.save "+path+"\n")
	if err := s.r.Run(context.Background()); !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := "one\nf {\n}\n"; string(b) != want {
		t.Errorf("saved %q, want %q", b, want)
	}
	if !strings.Contains(s.out.String(), "saved "+path) {
		t.Errorf("out = %q", s.out.String())
	}
}

func TestLoadRefusesOtherExtensions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, ".load "+path+"\n")
	if err := s.r.Run(context.Background()); !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	if !strings.Contains(s.err.String(), `cannot run a ".txt" file (.js, .ts, .mjs, .mts or .lua)`) {
		t.Errorf("err = %q", s.err.String())
	}
	if len(s.engines["js"].evals) != 0 {
		t.Errorf("evaluated %q", s.engines["js"].evals)
	}
}

func TestInfoPrintsSignatures(t *testing.T) {
	s := newSession(t, ".info echo\n")
	text := func(mandatory bool) plugin.Entity {
		return plugin.Entity{Name: "text", Type: "string", Mandatory: mandatory}
	}
	s.hub.plugins["echo"] = &plugin.Info{Name: "echo", Version: "1.0.0", Functions: map[string]plugin.Function{
		"Upper": {Name: "Upper", Input: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{text(true)}},
			Output: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{text(true)}}},
		"Ping": {Name: "Ping"},
		"List": {Name: "List", Input: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{
			{Name: "limit", Type: "int"},
			{Name: "tags", Type: "[]Tag", Mandatory: true, Fields: []plugin.Entity{text(true)}}}},
			Output: &plugin.Entity{Type: "[]string"}},
	}}
	if err := s.r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := `echo 1.0.0
  List({limit?: int, tags: []{text: string}}) -> []string
  Ping()
  Upper({text: string}) -> {text: string}
`
	if got := s.out.String(); got != want {
		t.Errorf("out =\n%s\nwant\n%s", got, want)
	}
}

// TestLoadErrorsPointAtTheFile: an error in a loaded file names the file
// and its line, in both languages, syntax errors too.
func TestLoadErrorsPointAtTheFile(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"run.js":     "var a = 1;\n\nthrow new Error(\"bad\");\n",
		"syntax.js":  "var a = 1;\nvar = ;\n",
		"run.lua":    "local a = 1\nerror(\"bad\")\n",
		"syntax.lua": "x = 1\nlocal = 2\n",
	}
	want := map[string]string{"run.js": ":3", "syntax.js": ":2", "run.lua": ":2", "syntax.lua": ":2"}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name := range files {
		t.Run(name, func(t *testing.T) {
			s := newLiveSession(t, "js", plugintest.NewSocket(t))
			path := filepath.Join(dir, name)
			s.send(".load " + path)
			if err := s.end(); !errors.Is(err, ErrFailed) {
				t.Fatalf("Run = %v, want ErrFailed", err)
			}
			got := s.err.String()
			if !strings.Contains(got, path) || !strings.Contains(got, want[name]) || strings.Contains(got, "<repl>") {
				t.Errorf("error = %q, want %s and %s", got, path, want[name])
			}
		})
	}
}
