package js_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/js"
)

func newREPL(t *testing.T) (*js.Engine, *scripttest.Env) {
	t.Helper()
	env := setup(t, scripting.Config{})
	e, err := js.New(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, env
}

func TestEval(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, c := range []struct{ src, want string }{
		{"1 + 2", "3"},
		{"({a: [1, null], b: 'x'})", "{ a: [ 1, null ], b: 'x' }"},
		{"undefined", ""},
		{"let x = 5", ""},
		{"x * 2", "10"},
		{`call("echo", "Add", {a: 1, b: 2})`, "3"},
		{`callAsync("echo", "Echo", "later")`, `'later'`},
		{"(function named() {})", "[Function: named]"},
	} {
		got, err := e.Eval(ctx, c.src)
		if err != nil || got != c.want {
			t.Errorf("Eval(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, src := range []string{`call("echo", "Fail", "oops")`, `callAsync("echo", "Fail", "oops")`, "let = ;", "null.x"} {
		_, err := e.Eval(ctx, src)
		se := asScriptError(t, err)
		if strings.Contains(err.Error(), "\n") || se.Stack != "" {
			t.Errorf("Eval(%q): error on more than one line: %q", src, err)
		}
	}
	if got, err := e.Eval(ctx, "'still alive'"); err != nil || got != `'still alive'` {
		t.Errorf("after errors: %q, %v", got, err)
	}
}

func TestEvalCancel(t *testing.T) {
	e, _ := newREPL(t)
	for _, src := range []string{"while (true) {}", "serve()", `call("echo", "Hang")`} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		_, err := e.Eval(ctx, src)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Eval(%q) = %v, want DeadlineExceeded", src, err)
		}
		if got, err := e.Eval(scripttest.Context(t, 5*time.Second), "1"); err != nil || got != "1" {
			t.Errorf("after %q was cancelled: %q, %v", src, got, err)
		}
	}
}

func TestIncomplete(t *testing.T) {
	e, _ := newREPL(t)
	for src, want := range map[string]bool{
		"function f() {": true, "if (x) {\n  y()": true, "call(\"echo\",": true, "1 +": true, "`abc": true,
		"1 + 1": false, "let x = 'abc": false, "": false, "}": false,
	} {
		if got := e.Incomplete(src); got != want {
			t.Errorf("Incomplete(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestGlobals(t *testing.T) {
	e, _ := newREPL(t)
	g := e.Globals()
	for _, name := range []string{"call", "callAsync", "broadcast", "broadcastAsync", "onAsync", "onConnect",
		"onDisconnect", "waitFor", "connected", "info", "unplug", "spawn", "sleep", "serve", "exit",
		"console", "require", "setTimeout", "setInterval", "args"} {
		if !slices.Contains(g, name) {
			t.Errorf("Globals() lacks %q", name)
		}
		if v, err := e.Eval(scripttest.Context(t, 5*time.Second), "typeof "+name); err != nil || v == `"undefined"` {
			t.Errorf("global %s: %s %v", name, v, err)
		}
	}
	if e.Lang() != "js" {
		t.Errorf("Lang() = %q", e.Lang())
	}
}

func TestDrain(t *testing.T) {
	e, env := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	if _, err := e.Eval(ctx, `onAsync((n, v) => console.log("async", n, v)); call("echo", "Emit", 2)`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(env.Stdout.String(), "async") {
		t.Fatal("event delivered outside Eval/Drain")
	}
	scripttest.WaitFor(t, 5*time.Second, func() error {
		e.Drain()
		if got := env.Stdout.String(); got != "async echo 1\nasync echo 2\n" {
			return fmt.Errorf("stdout %q", got)
		}
		return nil
	})
	// An error in a callback is printed; exit() in one ends the session.
	if _, err := e.Eval(ctx, `setTimeout(() => null.x, 0); setTimeout(() => exit(4), 0)`); err != nil {
		t.Fatal(err)
	}
	e.Drain()
	if !strings.Contains(env.Stderr.String(), "TypeError") {
		t.Errorf("stderr %q", env.Stderr.String())
	}
	e.Drain()
	_, err := e.Eval(ctx, "1")
	var exit *scripting.ExitError
	if !errors.As(err, &exit) || exit.Code != 4 {
		t.Errorf("Eval after exit in Drain: %v", err)
	}
}
