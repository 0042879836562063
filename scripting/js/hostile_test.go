package js_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/js"
)

// stillServing is the end of every hostile script: the legitimate plugin
// still answers.
const stillServing = `console.log(call("echo", "Echo", "still serving"))`

// TestHostileResults: answers nested 3,000,000 deep (as a result, an async
// result, an async value or a string the script parses) and answers that are not JSON are the plugin's
// bad_response, naming it and the method; in a broadcast they are that
// plugin's error only; and the host goes on serving.
func TestHostileResults(t *testing.T) {
	env := scripttest.SetupHostile(t, scripting.Config{})
	out, err := run(t, env, `
function show(f) {
  try { f(); console.log("no error") }
  catch (e) { console.log(e.code, e.plugin, e.method, e.message) }
}
show(() => call("bad", "Deep"))
show(() => call("bad", "Junk"))
try { JSON.parse(call("bad", "Text")) } catch (e) { console.log(e.name, e.message) }
const got = []
onAsync((name, v) => got.push(name + ":" + v))
call("bad", "Emit")
while (got.length < 2) sleep(5)
console.log(got.join(" "))
const b = broadcast("Echo", {v: 1})
console.log(JSON.stringify(b.results), b.errors.bad)
callAsync("bad", "Deep").then(() => console.log("no error"), e => console.log("async", e.code, e.plugin, e.method))
`+stillServing)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := `bad_response bad Deep bad.Deep: bad response: invalid JSON: nested deeper than 10000 levels
bad_response bad Junk bad.Junk: bad response: invalid JSON: SyntaxError: invalid character 'j' looking for beginning of value
SyntaxError JSON nested deeper than 10000 levels
bad:undefined bad:1
{"echo":{"v":1}} bad response: invalid JSON
still serving
async bad_response bad Deep`
	if strings.TrimSpace(out) != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

// TestOversizedArgument: an argument past the plugin's message limit is
// refused at once as bad_argument naming the limit, and the plugin, which
// never saw it, goes on serving. (The limit is 64 KiB here, to keep the
// test fast; host/testdata/limits_*.txtar use the default 16 MiB.)
func TestOversizedArgument(t *testing.T) {
	env := scripttest.SmallMessages(t)
	out, err := run(t, env, `
const big = "x".repeat(100 << 10)
for (const f of [() => call("echo", "Echo", big), () => broadcast("Echo", big)]) {
  try { f(); console.log("sent") } catch (e) { console.log(e.code, e.message.includes("limit of 65536 bytes")) }
}
`+stillServing)
	if want := "bad_argument true\nbad_argument true\nstill serving\n"; err != nil || out != want {
		t.Errorf("%v\nstdout:\n%s\nwant:\n%s", err, out, want)
	}
}

// TestRunawayRecursion: recursion past js.MaxCallStack ends the script with
// a RangeError at the call, in plain JavaScript and through native frames
// (which use the Go stack); the engine and the host go on. goja makes the
// overflow uncatchable: try does not stop it.
func TestRunawayRecursion(t *testing.T) {
	for _, src := range []string{
		`function f(n) { return f(n + 1) + 1 }
try { f(0) } catch (e) { console.log("caught") }`,
		`function f() { return [1].map(f) }
f()`,
	} {
		env := setup(t, scripting.Config{})
		out, err := run(t, env, src)
		se := asScriptError(t, err)
		if !strings.HasPrefix(se.Message, "Uncaught RangeError: Maximum call stack size exceeded") || se.Line == 0 || out != "" {
			t.Errorf("%s:\n%v (line %d), stdout %q", src, err, se.Line, out)
		}
		if out, err := run(t, env, stillServing); err != nil || out != "still serving\n" {
			t.Errorf("after %s: %q, %v", src, out, err)
		}
	}
}

// TestRunawayGenerators: generators that resume one another without end
// (which goja does outside the call stack it bounds) throw a RangeError
// the script catches, past js.MaxGeneratorDepth; within it they work.
func TestRunawayGenerators(t *testing.T) {
	expect(t, `
function* g() { yield* g() }
for (const f of [() => g().next(), () => { for (const x of g()) {} }]) {
  try { f(); console.log("no error") } catch (e) { console.log(e instanceof RangeError, e.message) }
}
function* h(n) { if (n > 0) yield* h(n - 1); else yield n }
console.log([...h(500)].join())
`+stillServing, `true Maximum call stack size exceeded (generators resumed 1000 deep)
true Maximum call stack size exceeded (generators resumed 1000 deep)
0
still serving`)
}

// TestRunawayREPL: REPL entries that recurse without end or ask for a
// value past a bound fail, and the next entry runs.
func TestRunawayREPL(t *testing.T) {
	env := setup(t, scripting.Config{})
	e, err := js.New(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := scripttest.Context(t, 10*time.Second)
	for src, want := range map[string]string{
		`function f() { return f() } f()`: "Uncaught RangeError: Maximum call stack size exceeded",
		`"x".repeat(2 ** 40)`:             "Uncaught RangeError: the string's length would be",
	} {
		if _, err := e.Eval(ctx, src); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Eval(%s): %v", src, err)
		}
	}
	if out, err := e.Eval(context.Background(), `call("echo", "Echo", 41) + 1`); err != nil || out != "42" {
		t.Fatalf("next entry: %q, %v", out, err)
	}
}

// TestAmplifiers: the builtins that build a value of any size in one step
// throw a catchable RangeError past the documented bounds, without
// allocating it, and what stays within them works as before.
func TestAmplifiers(t *testing.T) {
	env := setup(t, scripting.Config{})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := run(t, env, `
const attempts = {
  repeat: () => "x".repeat(2 ** 40),
  padStart: () => "x".padStart(2 ** 40),
  padEnd: () => "x".padEnd(2 ** 40, "ab"),
  join: () => Array(2 ** 32 - 1).join("x"),
  joinStrings: () => Array(1024).fill("x".repeat(2 ** 20)).join(),
  fill: () => Array(2 ** 31).fill(0),
  split: () => "x".repeat(2 ** 25).split(""),
  replaceAll: () => "x".repeat(2 ** 14).replaceAll("", "y".repeat(2 ** 14)),
  replace: () => "x".repeat(2 ** 14).replace(/(?:)/g, "y".repeat(2 ** 14)),
  from: () => Array.from({length: 2 ** 31}),
  apply: () => Math.max.apply(null, {length: 2 ** 31}),
  reflect: () => Reflect.apply(Math.max, null, {length: 2 ** 31}),
  construct: () => Reflect.construct(Array, {length: 2 ** 31}),
  arrayBuffer: () => new ArrayBuffer(2 ** 40),
  typedArray: () => new Float64Array(2 ** 31),
  subclass: () => new (class extends Uint8Array {})(2 ** 33),
}
for (const [name, f] of Object.entries(attempts)) {
  try { f(); console.log(name, "allocated") } catch (e) { if (!(e instanceof RangeError)) console.log(name, e) }
}
console.log("a-b".replace("-", "+"), "a-b-c".replaceAll("-", "+"), "a-b".replace(/-/g, "$&$&"))
console.log("x".repeat(3), "x".padStart(3, "-"), [1, 2].join("+"), Array(2).fill(0).join(), "a,b".split(",").length,
  Array.from({length: 2}).length, Math.max.apply(null, [1, 2]), new Uint8Array(3).length, new ArrayBuffer(4).byteLength,
  new Uint8Array(1) instanceof Uint8Array, new Uint8Array(1).constructor === Uint8Array, Uint8Array.from([1]).length)
`+stillServing)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if want := "a+b a+b+c a--b\nxxx --x 1+2 0,0 2 2 2 3 4 true true 1\nstill serving\n"; out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	// The output shows that every attempt was refused; most ask for
	// gigabytes at once, and had one been allocated before it was refused,
	// the memory the process holds would have grown by that.
	if grew := after.Sys - before.Sys; grew > 512<<20 {
		t.Errorf("the process grew by %d MiB during the refused attempts", grew>>20)
	}
}

// TestUncaughtAmplifier: an uncaught RangeError from a bound is a script
// failure like any other.
func TestUncaughtAmplifier(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, `const s = "x".repeat(2 ** 40)`)
	se := asScriptError(t, err)
	if !strings.HasPrefix(se.Message, "Uncaught RangeError: the string's length would be 1099511627776") || se.Line != 1 {
		t.Errorf("%v (line %d)", err, se.Line)
	}
}
