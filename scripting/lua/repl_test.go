package lua_test

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
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

func newREPL(t *testing.T) (*lua.Engine, *scripttest.Env) {
	t.Helper()
	env := setup(t, scripting.Config{})
	e, err := lua.New(env.RT)
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
		{"{a = {1, json.null}, b = 'x'}", `{ a = { 1, json.null }, b = "x" }`},
		{"x = 5", ""},
		{"x * 2", "10"},
		{"nil", "nil"},
		{"nil, 1", "nil\n1"},
		{"1, 'two'", "1\n\"two\""},
		{`call("echo", "Add", {a = 1, b = 2})`, "3"},
		{"print", "<function>"},
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
	for _, src := range []string{`call("echo", "Fail", "oops")`, "local = 1", "error('x')", "nil + 1"} {
		_, err := e.Eval(ctx, src)
		se := asScriptError(t, err)
		if strings.Contains(err.Error(), "\n") || se.Stack != "" {
			t.Errorf("Eval(%q): error on more than one line: %q", src, err)
		}
	}
	if got, err := e.Eval(ctx, "'still alive'"); err != nil || got != `"still alive"` {
		t.Errorf("after errors: %q, %v", got, err)
	}
}

func TestEvalCancel(t *testing.T) {
	e, _ := newREPL(t)
	for _, src := range []string{"while true do end", "serve()", `call("echo", "Hang")`} {
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
		"function f()": true, "if x then\n  y()": true, "call(\"echo\",": true, "x = 1 +": true, "s = [[abc": true,
		"x = 1": false, "x": false, "t.field": false, "f(1) + 2": false, "s = 'abc": false, "end": false, "": false, "local = 1": false,
	} {
		if got := e.Incomplete(src); got != want {
			t.Errorf("Incomplete(%q) = %v, want %v", src, got, want)
		}
	}
}

func TestGlobals(t *testing.T) {
	e, _ := newREPL(t)
	g := e.Globals()
	for _, name := range []string{"call", "broadcast", "onAsync", "onConnect", "onDisconnect", "waitFor",
		"connected", "info", "unplug", "spawn", "sleep", "serve", "exit", "json", "arg", "print"} {
		if !slices.Contains(g, name) {
			t.Errorf("Globals() lacks %q", name)
		}
		if v, err := e.Eval(scripttest.Context(t, 5*time.Second), "type("+name+")"); err != nil || v == `"nil"` {
			t.Errorf("global %s: %s %v", name, v, err)
		}
	}
	if e.Lang() != "lua" {
		t.Errorf("Lang() = %q", e.Lang())
	}
}

func TestDrain(t *testing.T) {
	e, env := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	if _, err := e.Eval(ctx, `onAsync(function(n, v) print("async", n, v) end) call("echo", "Emit", 2)`); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(env.Stdout.String(), "async") {
		t.Fatal("event delivered outside Eval/Drain")
	}
	scripttest.WaitFor(t, 5*time.Second, func() error {
		e.Drain()
		if got := env.Stdout.String(); got != "async\techo\t1\nasync\techo\t2\n" {
			return fmt.Errorf("stdout %q", got)
		}
		return nil
	})
	if _, err := e.Eval(ctx, `onAsync(function() exit(4) end) call("echo", "Emit", 1)`); err != nil {
		t.Fatal(err)
	}
	var exit *scripting.ExitError
	scripttest.WaitFor(t, 5*time.Second, func() error {
		e.Drain()
		if _, err := e.Eval(ctx, "1"); !errors.As(err, &exit) {
			return fmt.Errorf("Eval after exit in Drain: %v", err)
		}
		return nil
	})
	if exit.Code != 4 {
		t.Errorf("exit code %d", exit.Code)
	}
}
