package js_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// Errors suggest the name meant, refuse payload fields the method does
// not describe (unless told not to), and say a timeout's limit.
func TestErrorsThatHelp(t *testing.T) {
	expect(t, `
function show(f) {
  try { console.log(JSON.stringify(f())) } catch (e) { console.log(e.code, e.message) }
}
show(() => call("echo", "add", {a: 1, b: 2}))
show(() => call("ecoh", "Add", {a: 1, b: 2}))
show(() => call("echo", "Frobnicate"))
show(() => call("zzzzzz", "Add"))
show(() => call("echo", "Add", {a: 1, bb: 2}))
show(() => call("echo", "Add", {A: 1, b: 2}))
show(() => call("echo", "Add", {a: 1, b: 2, zzz: 3}, {checkFields: false}))
show(() => call("echo", "Echo", {anything: 1}))
show(() => call("echo", "Hang", null, {timeout: 25}))
show(() => broadcast("Hang", null, {timeout: 25}))
show(() => call("echo", "Add", 1, {timeuot: 5}))
show(() => call(1, "Add"))
show(() => call("echo", 2.5))
`, `method_not_found echo.add: method not found; did you mean Add?
not_connected ecoh.Add: plugin not connected; did you mean echo?
method_not_found echo.Frobnicate: method not found
not_connected zzzzzz.Add: plugin not connected
bad_argument echo.Add: unknown field "bb" (did you mean "b"?)
3
3
{"anything":1}
timeout echo.Hang: timed out after 25ms
timeout Hang: timed out after 25ms
bad_argument echo.Add: bad argument: options: unknown field "timeuot" (did you mean "timeout"?)
bad_argument bad argument: plugin must be a string, not number
bad_argument bad argument: method must be a string, not number
`)
}

// What a script's author reads has no Go in it: no native frames, no
// program counters, no Go type names; require() names the module missing.
func TestNoGoInternals(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "function f() { return call('echo', 'Fail', 'oops') }\nf()\n")
	se := asScriptError(t, err)
	if strings.Contains(se.Stack, "native") || strings.Contains(se.Stack, "github.com") || !strings.Contains(se.Stack, "    at f (") {
		t.Errorf("stack of a failed call:\n%s", se.Stack)
	}
	if _, err := run(t, env, `
try { call("echo", "Fail", "x") } catch (e) { console.log(e) }
function g() { null.x }
try { g() } catch (e) { console.log(e) }
try { [1].map(() => { throw new Error("in map") }) } catch (e) { console.log(e) }
try { require("./nosuch") } catch (e) { console.log(e.message, e.code) }
`); err != nil {
		t.Fatal(err)
	}
	out := env.Stdout.String()
	for _, bad := range []string{"native", "github.com", ")(", "GoError", "Invalid module"} {
		if strings.Contains(out, bad) {
			t.Errorf("output has %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "Cannot find module './nosuch' MODULE_NOT_FOUND") || !strings.Contains(out, "    at g (") {
		t.Errorf("require of a missing module:\n%s", out)
	}
	_, err = run(t, env, "require('./gone.js')\n")
	if se := asScriptError(t, err); se.Message != "Uncaught Error: Cannot find module './gone.js'" {
		t.Errorf("uncaught: %q", se.Message)
	}
}

// Cancelling an entry (Ctrl-C) reads "canceled", not Go's "context
// canceled", and is still context.Canceled.
func TestCancelSaysCanceled(t *testing.T) {
	e, _ := newREPL(t)
	for _, src := range []string{"while (true) {}", `call("echo", "Hang")`, `try { call("echo", "Hang") } catch (e) { console.log(e.message); throw e }`} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := e.Eval(ctx, src)
		cancel()
		if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "context canceled") || !strings.Contains(err.Error(), "canceled") {
			t.Errorf("Eval(%q) cancelled = %v", src, err)
		}
	}
}

// A module that does not compile is a SyntaxError naming its file and
// line, not a GoError.
func TestRequireSyntaxError(t *testing.T) {
	env := setup(t, scripting.Config{})
	mod := scripttest.WriteFile(t, t.TempDir(), "bad.js", "const ok = 1;\nlet = ;\n")
	_, err := run(t, env, "require("+strconv.Quote(mod)+")\n")
	se := asScriptError(t, err)
	if want := "Uncaught SyntaxError: " + mod + ":2: Unexpected token ;"; se.Message != want {
		t.Errorf("got %q, want %q", se.Message, want)
	}
}
