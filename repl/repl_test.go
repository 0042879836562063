package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/peterh/liner"
	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// errExit stands for a script's exit() request.
type errExit struct{ code int }

func (e *errExit) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(err error) (int, bool) {
	var e *errExit
	if errors.As(err, &e) {
		return e.code, true
	}
	return 0, false
}

// fakeEngine evaluates a toy language: a statement is incomplete while it
// has more "{" than "}"; "fail" fails with a two-line error; "exit N" asks to
// exit; "block" waits for its context; anything else evaluates to itself
// quoted. onEval, when set, runs at the start of every Eval.
type fakeEngine struct {
	lang    string
	mu      sync.Mutex
	evals   []string
	drains  int
	closed  bool
	onEval  func(src string)
	started chan struct{} // receives when "block" starts waiting
}

func (e *fakeEngine) Lang() string { return e.lang }

func (e *fakeEngine) Eval(ctx context.Context, src string) (string, error) {
	e.mu.Lock()
	e.evals = append(e.evals, src)
	e.mu.Unlock()
	if e.onEval != nil {
		e.onEval(src)
	}
	switch {
	case src == "fail":
		return "", errors.New("script:1: it failed\n  at somewhere")
	case strings.HasPrefix(src, "exit "):
		var code int
		fmt.Sscan(strings.TrimPrefix(src, "exit "), &code)
		return "", &errExit{code}
	case src == "block":
		e.started <- struct{}{}
		<-ctx.Done()
		return "", fmt.Errorf("call canceled: %w", ctx.Err())
	case src == "undefined":
		return "", nil
	}
	return fmt.Sprintf("%q", e.lang+":"+src), nil
}

func (e *fakeEngine) Incomplete(src string) bool {
	return strings.Count(src, "{") > strings.Count(src, "}")
}

func (e *fakeEngine) Globals() []string { return []string{"call", "callAsync", "connected", "console"} }

func (e *fakeEngine) Drain() {
	e.mu.Lock()
	e.drains++
	e.mu.Unlock()
}

func (e *fakeEngine) Idle(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

func (e *fakeEngine) Close() error {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	return nil
}

// fakeHub has a fixed set of plugins and hands events to the last
// subscriber when the test says so.
type fakeHub struct {
	plugins map[string]*plugin.Info
	mu      sync.Mutex
	h       socket.Handlers
	subbed  bool
}

func newFakeHub() *fakeHub {
	return &fakeHub{plugins: map[string]*plugin.Info{
		"echo": {Name: "echo", Version: "1.0.0", Functions: map[string]plugin.Function{
			"Echo": {Name: "Echo"}, "Upper": {Name: "Upper", Input: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{{Name: "text", Type: "string", Mandatory: true}}}}, "Reverse": {Name: "Reverse"}}},
		"kv": {Name: "kv", Version: "1.0.0", Functions: map[string]plugin.Function{
			"Get": {Name: "Get"}, "Set": {Name: "Set"}}},
	}}
}

func (h *fakeHub) Connected(full bool) map[string]*plugin.Info {
	out := map[string]*plugin.Info{}
	for k, v := range h.plugins {
		out[k] = v.DeepCopy(full)
	}
	return out
}

func (h *fakeHub) PluginInfo(name string) *plugin.Info {
	return h.plugins[name].DeepCopy(true)
}

func (h *fakeHub) Subscribe(hs socket.Handlers) func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.h, h.subbed = hs, true
	return func() {
		h.mu.Lock()
		h.subbed = false
		h.mu.Unlock()
	}
}

func (h *fakeHub) handlers() socket.Handlers {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.h
}

// session is a REPL over fakes, fed from a string.
type session struct {
	r        *REPL
	hub      *fakeHub
	engines  map[string]*fakeEngine
	out, err strings.Builder
}

func newSession(t *testing.T, input string) *session {
	t.Helper()
	s := &session{hub: newFakeHub(), engines: map[string]*fakeEngine{}}
	r, err := New(Config{
		Hub: s.hub,
		NewEngine: func(lang string, _, _ io.Writer) (Engine, error) {
			e := &fakeEngine{lang: lang, started: make(chan struct{}, 1)}
			s.engines[lang] = e
			return e, nil
		},
		In:       strings.NewReader(input),
		Out:      &s.out,
		Err:      &s.err,
		ExitCode: exitCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.r = r
	t.Cleanup(func() { r.Close() })
	return s
}

func TestPlainPrintsResultsAndErrors(t *testing.T) {
	s := newSession(t, "1+2\n\nundefined\nfail\nlast")
	err := s.r.Run(context.Background())
	if !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	if got, want := s.out.String(), "\"js:1+2\"\n\"js:last\"\n"; got != want {
		t.Errorf("out = %q, want %q", got, want)
	}
	if got, want := s.err.String(), "error: script:1: it failed | at somewhere\n"; got != want {
		t.Errorf("err = %q, want %q (one line)", got, want)
	}
}

func TestPlainSucceedsWithoutFailures(t *testing.T) {
	s := newSession(t, "a\nb\n")
	if err := s.r.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestMultiLineEntry(t *testing.T) {
	s := newSession(t, "f {\n  x\n}\nafter\n")
	if err := s.r.Run(context.Background()); err != nil {
		t.Fatalf("Run = %v", err)
	}
	e := s.engines["js"]
	if want := []string{"f {\n  x\n}", "after"}; !equal(e.evals, want) {
		t.Errorf("evaluated %q, want %q", e.evals, want)
	}
}

func TestIncompleteAtEndOfInputIsEvaluated(t *testing.T) {
	s := newSession(t, "f {\n")
	s.r.Run(context.Background())
	if want := []string{"f {\n"}; !equal(s.engines["js"].evals, want) {
		t.Errorf("evaluated %q, want %q", s.engines["js"].evals, want)
	}
}

func TestPromptShowsContinuation(t *testing.T) {
	s := newSession(t, "")
	if got := s.r.prompt(); got != "js> " {
		t.Errorf("prompt = %q", got)
	}
	s.r.feed(context.Background(), "f {")
	if got := s.r.prompt(); got != "... " {
		t.Errorf("prompt while incomplete = %q, want %q", got, "... ")
	}
}

func TestMetaCommands(t *testing.T) {
	s := newSession(t, ".plugins\n.info -raw kv\n.info nope\n.lang lua\nx\n.lang\n.lang js\ny\n.exit\nnot read\n")
	// .info nope fails; .exit ends the session before the end of input.
	if err := s.r.Run(context.Background()); !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	out := s.out.String()
	for _, want := range []string{
		"echo 1.0.0\nkv 1.0.0\n",
		`"name": "kv"`, `"Get"`,
		"\"lua:x\"\nlua\n\"js:y\"\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not read") {
		t.Error(".exit did not end the session")
	}
	if !strings.Contains(s.err.String(), `no plugin "nope" is connected`) {
		t.Errorf("err = %q", s.err.String())
	}
}

func TestLoadUsesTheFilesLanguage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lib.lua")
	if err := os.WriteFile(path, []byte("loaded"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSession(t, ".load "+path+"\n.load /does/not/exist.js\n")
	if err := s.r.Run(context.Background()); !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed for the missing file", err)
	}
	if !strings.Contains(s.out.String(), `"lua:loaded"`) {
		t.Errorf("out = %q", s.out.String())
	}
	if s.r.lang != "js" {
		t.Errorf(".load switched the language to %s", s.r.lang)
	}
}

func TestExitEndsTheSession(t *testing.T) {
	s := newSession(t, "a\nexit 7\nb\n")
	err := s.r.Run(context.Background())
	if code, ok := exitCode(err); !ok || code != 7 {
		t.Fatalf("Run = %v, want exit 7", err)
	}
	if strings.Contains(s.out.String(), "js:b") {
		t.Error("evaluated past exit")
	}
}

func TestEventsPrintedBetweenStatements(t *testing.T) {
	s := newSession(t, "one\ntwo\n")
	// Events arrive while "one" is being evaluated.
	s.engines["js"].onEval = func(src string) {
		if src != "one" {
			return
		}
		h := s.hub.handlers()
		h.Connect(&plugin.Info{Name: "progress", Version: "1.0.0"})
		h.Async(socket.AsyncData{Name: "progress", Raw: []byte(`{"step":1}`)})
		h.Disconnect(&plugin.Info{Name: "chaos"}, false)
		h.Disconnect(&plugin.Info{Name: "kv"}, true)
	}
	if err := s.r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := `"js:one"
[connect] progress 1.0.0
[async progress] {"step":1}
[disconnect] chaos lost (crash or cut connection)
[disconnect] kv stopped
"js:two"
`
	if got := s.out.String(); got != want {
		t.Errorf("out =\n%s\nwant\n%s", got, want)
	}
	if s.engines["js"].drains < 3 {
		t.Errorf("Drain called %d times, want before every prompt", s.engines["js"].drains)
	}
}

func TestEventBufferDropsOldest(t *testing.T) {
	b := newEventBuffer(2 * eventOverhead)
	for i := range 5 {
		b.add(event{line: func() string { return fmt.Sprint(i) }})
	}
	want := []string{"[events] 3 older events dropped", "3", "4"}
	if got := b.take(); !equal(got, want) {
		t.Errorf("take = %q, want %q", got, want)
	}
	if got := b.take(); len(got) != 0 {
		t.Errorf("second take = %q", got)
	}
}

func TestAsyncLineWithoutRaw(t *testing.T) {
	got := asyncLine(socket.AsyncData{Name: "p", Payload: map[string]any{"a": 1.0}})
	if want := `[async p] {"a":1}`; got != want {
		t.Errorf("asyncLine = %q, want %q", got, want)
	}
}

func TestInterruptCancelsTheEntryInFlight(t *testing.T) {
	pr, pw := io.Pipe()
	s := newSession(t, "")
	s.r.cfg.In = pr
	done := make(chan error, 1)
	go func() { done <- s.r.Run(context.Background()) }()
	if s.r.Interrupt() {
		t.Error("Interrupt with nothing in flight reported true")
	}
	go func() { fmt.Fprintln(pw, "block") }()
	<-s.engines["js"].started
	if !s.r.Interrupt() {
		t.Fatal("Interrupt during an evaluation reported false")
	}
	// The session goes on: the next line is evaluated.
	fmt.Fprintln(pw, "next")
	pw.Close()
	if err := <-done; !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	if !strings.Contains(s.err.String(), "context canceled") || !strings.Contains(s.out.String(), "js:next") {
		t.Errorf("out %q err %q", s.out.String(), s.err.String())
	}
}

func TestContextEndsSessionWaitingForInput(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	s := newSession(t, "")
	s.r.cfg.In = pr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.r.Run(ctx) }()
	fmt.Fprintln(pw, "a") // the session is reading
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestCloseClosesEnginesAndUnsubscribes(t *testing.T) {
	s := newSession(t, ".lang lua\n")
	s.r.Run(context.Background())
	if err := s.r.Close(); err != nil {
		t.Fatal(err)
	}
	if !s.engines["js"].closed || !s.engines["lua"].closed {
		t.Error("engines not closed")
	}
	if s.hub.subbed {
		t.Error("still subscribed")
	}
	if err := s.r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestHistoryRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "switchboard", "history")
	ln := liner.NewLiner()
	h := &history{path: path, log: discardLogger()}
	h.load(ln) // no file yet
	h.add(ln, `call("echo", "Upper", {text: "hi"})`)
	h.add(ln, "1+2")
	h.add(ln, "1+2") // a repeat is not kept, in liner or in the file
	ln.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("history mode %v, want 0600", fi.Mode().Perm())
	}
	ln2 := liner.NewLiner()
	defer ln2.Close()
	h2 := &history{path: path, log: discardLogger()}
	h2.load(ln2)
	h2.add(ln2, "1+2") // the last line of the file is not repeated either
	h2.add(ln2, "3")
	var b strings.Builder
	ln2.WriteHistory(&b)
	want := "call(\"echo\", \"Upper\", {text: \"hi\"})\n1+2\n3\n"
	if b.String() != want {
		t.Errorf("history read back = %q, want %q", b.String(), want)
	}
	if got, _ := os.ReadFile(path); string(got) != want {
		t.Errorf("history file = %q, want %q", got, want)
	}
}

// TestHistoryNeverTruncated: a file past liner's limit is left as it is;
// liner offers its last lines.
func TestHistoryNeverTruncated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	var b strings.Builder
	for i := range liner.HistoryLimit + 10 {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ln := liner.NewLiner()
	defer ln.Close()
	h := &history{path: path, log: discardLogger()}
	h.load(ln)
	h.add(ln, "one more")
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := b.String() + "one more\n"; string(got) != want {
		t.Errorf("history file has %d bytes, want %d: truncated", len(got), len(want))
	}
	var mem strings.Builder
	ln.WriteHistory(&mem)
	lines := strings.Split(strings.TrimSuffix(mem.String(), "\n"), "\n")
	if len(lines) != liner.HistoryLimit || lines[0] != "line 11" {
		t.Errorf("liner holds %d lines from %q, want %d from \"line 11\"", len(lines), lines[0], liner.HistoryLimit)
	}
}

// TestHistoryReadsTheTail: only the end of a large file is read, from a
// whole line on.
func TestHistoryReadsTheTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(path, []byte("first line\nsecond\nthird\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readTail(path, 10)
	if err != nil || string(got) != "third\n" {
		t.Errorf("readTail = %q, %v; want %q", got, err, "third\n")
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
