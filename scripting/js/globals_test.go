package js_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/socket"
)

func TestCall(t *testing.T) {
	expect(t, `
const r = call("echo", "Echo", {s: "x", n: [1, 2.5, null], o: {}, t: true})
console.log(JSON.stringify(r), Array.isArray(r.n), typeof r.o)
console.log(call("echo", "Add", {a: 2, b: 3}))
console.log(call("echo", "Echo", 2 ** 53), call("echo", "Echo", -(2 ** 53) + 1))
console.log(call("echo", "Nothing"))
console.log(call("echo", "Trace", null, {trace: "t-1"}))
console.log(call("echo", "Echo", {f: function() {}, u: undefined, d: new Date(0)}).d)
`, `{"n":[1,2.5,null],"o":{},"s":"x","t":true} true object
5
9007199254740992 -9007199254740991
null
t-1
1970-01-01T00:00:00.000Z`)
}

func TestCallErrors(t *testing.T) {
	expect(t, `
function show(f) {
  try { f(); console.log("no error") }
  catch (e) { console.log(e instanceof Error, e.code, e.plugin, e.method, e.message) }
}
show(() => call("echo", "Fail", "bad thing"))
show(() => call("nope", "Echo", 1))
show(() => call("echo", "Missing"))
show(() => call("echo", "Boom"))
show(() => call("echo", "Hang", null, {timeout: 20}))
show(() => call("echo", "Hang", null, {timeout: "20ms"}))
const cyclic = {}; cyclic.self = cyclic
show(() => call("echo", "Echo", cyclic))
show(() => call("echo", "Echo", 1, {timeout: "soon"}))
show(() => call("echo", "Echo", 1, {timeuot: 5}))
show(() => call(1, "Echo"))
show(() => call("echo", "Echo", () => 1))
show(() => call("echo", "Echo", Symbol("s")))
show(() => call("echo", "Echo", {toJSON() { return undefined }}))
show(() => call("echo", "Echo", {f: () => 1}))
show(() => broadcast("Echo", () => 1))
show(() => call("echo", "Echo", 1, () => 1))
`, `true remote echo Fail echo.Fail: bad thing
true not_connected nope Echo nope.Echo: plugin not connected
true method_not_found echo Missing echo.Missing: method not found
true panic echo Boom echo.Boom: panic: kaboom
true timeout echo Hang echo.Hang: timed out after 20ms
true timeout echo Hang echo.Hang: timed out after 20ms
true bad_argument echo Echo echo.Echo: payload: bad argument: not convertible to JSON: TypeError: Converting circular structure to JSON
true bad_argument echo Echo echo.Echo: bad argument: duration: time: invalid duration "soon"
true bad_argument echo Echo echo.Echo: bad argument: options: unknown field "timeuot" (did you mean "timeout"?)
true bad_argument   bad argument: plugin must be a string, not number
true bad_argument echo Echo echo.Echo: payload: bad argument: cannot convert a function to JSON
true bad_argument echo Echo echo.Echo: payload: bad argument: cannot convert a symbol to JSON
true bad_argument echo Echo echo.Echo: payload: bad argument: cannot convert a value whose toJSON returns undefined to JSON
no error
true bad_argument  Echo Echo: payload: bad argument: cannot convert a function to JSON
true bad_argument echo Echo echo.Echo: options: bad argument: cannot convert a function to JSON`)
}

func TestCallAsync(t *testing.T) {
	expect(t, `
async function main() {
  const [a, b] = await Promise.all([callAsync("echo", "Add", {a: 1, b: 2}), callAsync("echo", "Echo", [1])])
  console.log(a, JSON.stringify(b))
  try { await callAsync("echo", "Fail", "no") } catch (e) { console.log(e.code, e.plugin, e.method) }
}
main().then(() => console.log("done"))
console.log("first")
`, `first
3 [1]
remote echo Fail
done`)
}

func TestBroadcast(t *testing.T) {
	expect(t, `
const r = broadcast("Echo", {v: 1})
console.log(JSON.stringify(r))
const f = broadcast("Fail", "x")
console.log(JSON.stringify(f.results), f.errors.echo, Object.keys(f.errors).sort().join(","))
broadcastAsync("Add", {a: 1, b: 1}).then(r => console.log(JSON.stringify(r.results.echo), JSON.stringify(r.errors)))
`, `{"results":{"echo":{"v":1}},"errors":{"ctl":"method not found"}}
{} x ctl,echo
2 {"ctl":"method not found"}`)
}

func TestOnAsync(t *testing.T) {
	expect(t, `
const got = []
const off = onAsync((name, v) => got.push(name + ":" + v))
console.log(call("echo", "Emit", 3), got.length)
while (got.length < 3) sleep(5)
console.log(got.join(" "))
off()
off()
call("echo", "Emit", 2)
sleep(20)
console.log(got.length)
`, `3 0
echo:1 echo:2 echo:3
3`)
}

func TestConnectAndDisconnect(t *testing.T) {
	expect(t, `
const events = []
onConnect(info => events.push("connect " + info.name + " " + info.version + " " + Object.keys(info.functions).includes("Echo")))
onDisconnect((info, graceful) => events.push("disconnect " + info.name + " " + graceful))
call("ctl", "Attach", "late")
while (events.length < 1) sleep(5)
unplug("late")
while (events.length < 2) sleep(5)
call("ctl", "Attach", "crash")
while (events.length < 3) sleep(5)
call("ctl", "Cut", "crash")
while (events.length < 4) sleep(5)
console.log(events.join("\n"))
`, `connect late 1.0 true
disconnect late true
connect crash 1.0 true
disconnect crash false`)
}

func TestWaitFor(t *testing.T) {
	expect(t, `
console.log(waitFor("echo"), waitFor("never", 30), waitFor("never", "10ms"))
callAsync("ctl", "Attach", "soon")
console.log(waitFor("soon", "10s"))
`, `true false false
true`)
}

func TestConnectedAndInfo(t *testing.T) {
	expect(t, `
const c = connected()
console.log(Object.keys(c).sort().join(","), c.echo.name, c.echo.version, c.echo.functions === undefined)
const full = connected(true)
console.log(Object.keys(full.echo.functions).sort().join(","))
const i = info("echo")
console.log(i.name, i.functions.Add.input.type, i.functions.Add.output.type, info("nope"))
`, `ctl,echo echo 1.0 true
Add,Boom,Echo,Emit,Fail,Hang,Nothing,Trace
echo struct float64 null`)
}

func TestUnplug(t *testing.T) {
	expect(t, `
let gone = null
onDisconnect((info, graceful) => { gone = info.name + " " + graceful })
unplug("echo")
unplug("nope")
while (gone === null) sleep(5)
console.log(gone, info("echo"))
`, `echo true null`)
}

func TestSleepRunsEventsAndTimers(t *testing.T) {
	expect(t, `
const seen = []
setTimeout(() => seen.push("timer"), 5)
onAsync((n, v) => seen.push("async " + v))
call("echo", "Emit", 1)
const t0 = Date.now()
sleep(60)
console.log(seen.sort().join(","), Date.now() - t0 >= 55)
sleep("1ms")
`, `async 1,timer true`)
}

func TestTimers(t *testing.T) {
	expect(t, `
const order = []
setTimeout(() => order.push("b"), 20)
setTimeout((x, y) => order.push("a" + x + y), 0, 1, 2)
setTimeout(() => order.push("a2"), 0)
const dropped = setTimeout(() => order.push("never"), 1)
clearTimeout(dropped)
let n = 0
const iv = setInterval(() => {
  n++
  if (n === 3) {
    clearInterval(iv)
    setTimeout(() => console.log(order.join(","), n), 30)
  }
}, 1)
`, `a12,a2,b 3`)
}

func TestServeAndExit(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, `
onAsync((name, v) => {
  console.log("got", v)
  if (v === 2) { exit(3); console.log("not reached") }
})
callAsync("echo", "Emit", 2)
serve()
console.log("serve returned")
`)
	var exit *scripting.ExitError
	if !errors.As(err, &exit) || exit.Code != 3 {
		t.Fatalf("err = %v, want exit status 3", err)
	}
	if got, want := env.Stdout.String(), "serve returned\ngot 1\ngot 2\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

func TestExit(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, `console.log("before"); try { exit() } finally { console.log("finally") }; console.log("after")`)
	var exit *scripting.ExitError
	if !errors.As(err, &exit) || exit.Code != 0 {
		t.Fatalf("err = %v, want exit status 0", err)
	}
	if got := env.Stdout.String(); got != "before\n" {
		t.Errorf("stdout %q", got)
	}
}

func TestArgs(t *testing.T) {
	expect(t, `console.log(JSON.stringify(args), Array.isArray(args))`, `["a","b c"] true`, "a", "b c")
}

func TestConsole(t *testing.T) {
	env := expect(t, `
console.log({a: [1, {b: null}]}, "s", 1, [1, "x"])
console.log("%s is %d", "x", 5, {k: 1})
console.info(function named() {})
console.warn("careful", {w: 1})
console.error(new Error("bad"))
`, `{"a":[1,{"b":null}]} s 1 [1,"x"]
x is 5 {"k":1}
[Function: named]`)
	if got := env.Stderr.String(); !strings.HasPrefix(got, "careful {\"w\":1}\nError: bad\n    at ") {
		t.Errorf("stderr %q", got)
	}
}

func TestRequire(t *testing.T) {
	env := setup(t, scripting.Config{})
	dir := t.TempDir()
	scripttest.WriteFile(t, dir, "lib/math.js", `const h = require("./helper"); exports.double = x => h.twice(x)`)
	scripttest.WriteFile(t, dir, "lib/helper.js", `module.exports = {twice: x => 2 * x}`)
	scripttest.WriteFile(t, dir, "data.json", `{"k": "v"}`)
	path := scripttest.WriteFile(t, dir, "main.js", `
const m = require("./lib/math.js")
console.log(m.double(21), require("./data.json").k)
`)
	e, err := newJS(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.RunFile(scripttest.Context(t, 10*time.Second), path, nil); err != nil {
		t.Fatal(err)
	}
	if got := env.Stdout.String(); got != "42 v\n" {
		t.Errorf("stdout %q", got)
	}
}

func TestUncaughtError(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "function f() {\n  call(\"echo\", \"Fail\", \"deep\")\n}\nf()\nconsole.log('not reached')\n")
	se := asScriptError(t, err)
	if !strings.HasSuffix(se.File, "main.js") || se.Line != 2 {
		t.Errorf("location %s:%d, want main.js:2", se.File, se.Line)
	}
	if !strings.Contains(se.Message, "echo.Fail: deep") || !strings.Contains(se.Stack, "at f (") {
		t.Errorf("message %q stack %q", se.Message, se.Stack)
	}
	var ce *socket.CallError
	if !errors.As(err, &ce) || ce.Plugin != "echo" {
		t.Errorf("error does not wrap the socket's CallError: %v", err)
	}
	if !strings.Contains(err.Error(), "main.js:2: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestUncaughtInCallback(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "setTimeout(() => {\n  null.x\n}, 1)\n")
	se := asScriptError(t, err)
	if se.Line != 2 || !strings.Contains(se.Message, "TypeError") {
		t.Errorf("got %v", err)
	}
}

func TestUnhandledRejection(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "\ncallAsync(\"echo\", \"Fail\", \"async\")\nsetTimeout(() => console.log('not reached'), 200)\n")
	se := asScriptError(t, err)
	if se.Line != 2 || !strings.Contains(se.Message, "Uncaught (in promise)") || !strings.Contains(se.Message, "echo.Fail: async") {
		t.Errorf("got %#v", se)
	}
	if scripting.Code(err) != scripting.CodeRemote {
		t.Errorf("code %q", scripting.Code(err))
	}
	if strings.Contains(env.Stdout.String(), "not reached") {
		t.Error("script went on after an unhandled rejection")
	}
}

func TestHandledRejectionIsFine(t *testing.T) {
	expect(t, `
const p = callAsync("echo", "Fail", "x")
setTimeout(() => p.catch(e => console.log("late", e.code)), 0)
Promise.reject(new Error("y")).catch(() => console.log("caught"))
`, "caught\nlate remote")
}

func TestSyntaxError(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "let x = 1\nlet y = ;\n")
	se := asScriptError(t, err)
	if se.Line != 2 || !strings.Contains(se.Message, "SyntaxError") {
		t.Errorf("got %#v", se)
	}
}

func TestCancelInterruptsScript(t *testing.T) {
	for name, src := range map[string]string{
		"loop":  "while (true) {}",
		"call":  `call("echo", "Hang")`,
		"sleep": "sleep(60000)",
		"serve": "serve()",
	} {
		t.Run(name, func(t *testing.T) {
			env := setup(t, scripting.Config{})
			e, err := newJS(env.RT)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			path := scripttest.WriteFile(t, t.TempDir(), "main.js", src)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- e.RunFile(ctx, path, nil) }()
			time.AfterFunc(20*time.Millisecond, cancel)
			select {
			case err := <-done:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("script not interrupted")
			}
		})
	}
}

func TestSpawn(t *testing.T) {
	s := scripttest.Socket(t)
	addr := scripttest.Listen(t, s)
	env := scripttest.NewEnv(t, s, scripting.Config{Addr: addr})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	err = scripttest.Run(t, env, newJS, "main.js", `
let down = null
onDisconnect((info, graceful) => { down = info.name + " " + graceful })
const h = spawn(args[0], ["-test.run=^$"], {env: {SCRIPTTEST_PLUGIN: "kid"}, name: "kid"})
console.log(typeof h.pid, h.pid > 0, h.name)
console.log(waitFor("kid", "20s"))
console.log(call("kid", "Add", {a: 40, b: 2}))
h.kill()
console.log(h.wait())
while (down === null) sleep(5)
console.log(down)
try { spawn("") } catch (e) { console.log(e.code) }
`, exe)
	if err != nil {
		t.Fatalf("%v\n%s", err, env.Stdout)
	}
	want := "number true kid\ntrue\n42\n-1\nkid false\nbad_argument\n"
	if got := env.Stdout.String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if !strings.Contains(env.Log.String(), "plugin process started") {
		t.Errorf("log:\n%s", env.Log)
	}
}

// TestErrorInCallbackEndsRun: an exception in a callback that runs while the
// main script sleeps ends the run, even inside try/catch.
func TestErrorInCallbackEndsRun(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "onAsync(() => {\n  throw new Error('from callback')\n})\ncall('echo', 'Emit', 1)\ntry { sleep(5000) } catch (e) { console.log('caught', e.code) }\nconsole.log('not reached')\n")
	se := asScriptError(t, err)
	if se.Line != 2 || !strings.Contains(se.Message, "from callback") {
		t.Errorf("got %#v", se)
	}
	if strings.Contains(env.Stdout.String(), "not reached") {
		t.Errorf("stdout %q", env.Stdout.String())
	}
}
