package repl

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/js"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
	"github.com/switchboard-rpc/switchboard/socket"
)

// The engines and the socket are what the REPL runs on.
var (
	_ Engine = (*js.Engine)(nil)
	_ Engine = (*lua.Engine)(nil)
	_ Hub    = (*socket.Socket)(nil)
)

type upper struct{}

type Text struct {
	Text string `json:"text"`
}

func (upper) Upper(_ context.Context, in Text) (Text, error) {
	return Text{Text: strings.ToUpper(in.Text)}, nil
}

// realEngines is a Config.NewEngine of the real JavaScript and Lua engines
// over hub, each on a Runtime of its own that is closed when the test ends
// (after the cleanups registered later, such as the REPL's).
func realEngines(t *testing.T, hub *socket.Socket) func(lang string, stdout, stderr io.Writer) (Engine, error) {
	var runtimes []*scripting.Runtime
	t.Cleanup(func() {
		for _, rt := range runtimes {
			rt.Close()
		}
	})
	return func(lang string, stdout, stderr io.Writer) (Engine, error) {
		rt := scripting.New(hub, scripting.Config{Stdout: stdout, Stderr: stderr, Logger: discardLogger()})
		runtimes = append(runtimes, rt)
		if lang == "lua" {
			return lua.New(rt)
		}
		return js.New(rt)
	}
}

// scriptExitCode is the Config.ExitCode the host gives the REPL: a
// script's exit(code).
func scriptExitCode(err error) (int, bool) {
	var e *scripting.ExitError
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// TestRealEngines runs a plain session over the real engines and a socket
// with a plugin attached in-process.
func TestRealEngines(t *testing.T) {
	sock := plugintest.NewSocket(t)
	plugintest.Connect(t, sock, upper{}, &plugin.Info{Name: "up", Version: "2.0"})
	var out, errb strings.Builder
	r, err := New(Config{
		Hub:       sock,
		NewEngine: realEngines(t, sock),
		In: strings.NewReader(`call("up", "Upper", {text: "js"}).text
function twice(s) {
  return s + s;
}
twice("ab")
.lang lua
call("up", "Upper", {text = "lua"}).text
call("nobody", "x")
`),
		Out:      &out,
		Err:      &errb,
		ExitCode: scriptExitCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Run(context.Background()); !errors.Is(err, ErrFailed) {
		t.Fatalf("Run = %v, want ErrFailed", err)
	}
	if want := "'JS'\n'abab'\n\"LUA\"\n"; out.String() != want {
		t.Errorf("out = %q, want %q", out.String(), want)
	}
	if got := errb.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "nobody") {
		t.Errorf("err = %q, want one line about nobody", got)
	}
	// Completion sees the real plugin and the engine's globals.
	if _, got, _ := r.complete(`call("up", "U`, 13); !equal(got, []string{`Upper"`}) {
		t.Errorf("method completion = %q", got)
	}
	if _, got, _ := r.complete("waitF", 5); !equal(got, []string{"waitFor"}) {
		t.Errorf("global completion = %q", got)
	}
}
