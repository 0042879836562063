package repl

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

func waitOutput(t *testing.T, b *syncbuf.Buffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q; it is:\n%s", want, b.String())
		}
		time.Sleep(2 * time.Millisecond) // polling the output, not synchronising
	}
}

// liveSession is a REPL over the real engines and a socket, fed through a
// pipe the test writes to line by line.
type liveSession struct {
	t        *testing.T
	r        *REPL
	in       *io.PipeWriter
	out, err syncbuf.Buffer
	done     chan struct{} // closed when Run has returned runErr
	runErr   error
}

func newLiveSession(t *testing.T, lang string, hub *socket.Socket) *liveSession {
	t.Helper()
	s := &liveSession{t: t, done: make(chan struct{})}
	pr, pw := io.Pipe()
	s.in = pw
	newEngine := realEngines(t, hub)
	r, err := New(Config{
		Hub:       hub,
		Lang:      lang,
		NewEngine: newEngine,
		In:        pr,
		Out:       &s.out,
		Err:       &s.err,
		ExitCode:  scriptExitCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.r = r
	go func() {
		s.runErr = r.Run(context.Background())
		close(s.done)
	}()
	t.Cleanup(func() {
		pw.Close()
		<-s.done
		r.Close()
	})
	return s
}

func (s *liveSession) send(line string) {
	s.t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		s.t.Fatal(err)
	}
}

// end closes the input and returns what Run returned.
func (s *liveSession) end() error {
	s.in.Close()
	<-s.done
	return s.runErr
}

// TestTimersRunWhileWaitingForInput: a timer set in an entry fires while
// the REPL waits for the next line, and setInterval fires again and again
// without any input (Lua has no timers).
func TestTimersRunWhileWaitingForInput(t *testing.T) {
	s := newLiveSession(t, "js", plugintest.NewSocket(t))
	s.send(`setTimeout(() => console.log("tick"), 1)`)
	waitOutput(t, &s.out, "tick\n")
	s.send(`let n = 0; const iv = setInterval(() => console.log("beat " + ++n), 1)`)
	waitOutput(t, &s.out, "beat 3\n")
	s.send(`clearInterval(iv)`)
	if err := s.end(); err != nil {
		t.Fatalf("Run = %v; err:\n%s", err, s.err.String())
	}
}

// TestSubscriptionsRunWhileWaitingForInput: in both languages, an
// onConnect handler runs while the REPL waits for input, when the plugin
// connects.
func TestSubscriptionsRunWhileWaitingForInput(t *testing.T) {
	for lang, src := range map[string]string{
		"js":  `onConnect(info => console.log("hello " + info.name))`,
		"lua": `onConnect(function(info) print("hello " .. info.name) end)`,
	} {
		t.Run(lang, func(t *testing.T) {
			sock := plugintest.NewSocket(t)
			s := newLiveSession(t, lang, sock)
			s.send(src)
			s.send(`4343`) // a marker both languages print alike
			waitOutput(t, &s.out, "4343\n")
			plugintest.Connect(t, sock, upper{}, &plugin.Info{Name: "late", Version: "0.1"})
			waitOutput(t, &s.out, "hello late\n")
			if err := s.end(); err != nil {
				t.Fatalf("Run = %v; err:\n%s", err, s.err.String())
			}
		})
	}
}

// shouter sends what it is given as an async value.
type shouter struct{}

func (shouter) Shout(ctx context.Context, in Text) (Text, error) {
	return in, plugin.Notify(ctx, in)
}

// TestEventsPrintedWhileWaitingForInput: a plugin that connects while the
// REPL waits for input is announced at once, as are the values of an
// onAsync subscription.
func TestEventsPrintedWhileWaitingForInput(t *testing.T) {
	sock := plugintest.NewSocket(t)
	s := newLiveSession(t, "js", sock)
	s.send(`onAsync((name, v) => console.log("got", name, v.text))`)
	s.send(`4343`) // a marker both languages print alike
	waitOutput(t, &s.out, "4343\n")
	plugintest.Connect(t, sock, shouter{}, &plugin.Info{Name: "late", Version: "0.1"})
	waitOutput(t, &s.out, "[connect] late 0.1\n")
	if _, err := sock.Call("", "late", "Shout", Text{Text: "news"}); err != nil {
		t.Fatal(err)
	}
	waitOutput(t, &s.out, "got late news\n")
	if err := s.end(); err != nil {
		t.Fatalf("Run = %v; err:\n%s", err, s.err.String())
	}
}

// TestExitInATimerEndsTheSession: exit() in a timer that fires while the
// REPL waits for input ends the session with the script's code.
func TestExitInATimerEndsTheSession(t *testing.T) {
	s := newLiveSession(t, "js", plugintest.NewSocket(t))
	s.send(`setTimeout(() => exit(3), 1)`)
	<-s.done
	err := s.runErr
	var exit *scripting.ExitError
	if !errors.As(err, &exit) || exit.Code != 3 {
		t.Fatalf("Run = %v, want exit 3", err)
	}
}

// TestCallbackErrorWhileWaiting: an error in a timer while the REPL waits
// is printed, and the timers after it still run.
func TestCallbackErrorWhileWaiting(t *testing.T) {
	s := newLiveSession(t, "js", plugintest.NewSocket(t))
	s.send(`setTimeout(() => { throw new Error("boom") }, 1); setTimeout(() => console.log("after"), 20)`)
	waitOutput(t, &s.err, "boom")
	waitOutput(t, &s.out, "after\n")
	if err := s.end(); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestScreenPrintsAboveThePrompt: while a prompt is shown, what is printed
// erases the prompt line, ends in a newline, and asks for a redraw; at
// other times it passes through as it is.
func TestScreenPrintsAboveThePrompt(t *testing.T) {
	redraws := 0
	sc := &screen{redraw: func() { redraws++ }}
	var b strings.Builder
	w := sc.writer(&b)
	io.WriteString(w, "result\n")
	sc.setPrompting(true)
	io.WriteString(w, "tick\n")
	io.WriteString(w, "partial")
	sc.setPrompting(false)
	io.WriteString(w, "after")
	if want := "result\n" + clearLine + "tick\n" + clearLine + "partial\nafter"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
	if redraws != 2 {
		t.Errorf("%d redraws, want 2", redraws)
	}
}

// TestWriterOffTerminal: without a terminal no prompt is ever shown, also
// while the REPL waits for input: what goes through Writer is written at
// once and unchanged.
func TestWriterOffTerminal(t *testing.T) {
	s := newLiveSession(t, "js", plugintest.NewSocket(t))
	s.send(`setTimeout(() => console.log("waiting"), 1)`)
	waitOutput(t, &s.out, "waiting\n") // printed while Run waits for input
	if s.r.Prompting() {
		t.Error("Prompting is true without a terminal")
	}
	var b strings.Builder
	w := s.r.Writer(&b)
	io.WriteString(w, "level=INFO msg=one\nthe start of a line")
	if want := "level=INFO msg=one\nthe start of a line"; b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
	if err := s.end(); err != nil {
		t.Fatalf("Run = %v", err)
	}
}
