package js_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// The REPL shows results as Node's REPL does, losing nothing JSON would.
func TestEvalInspect(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, c := range []struct{ src, want string }{
		{"NaN", "NaN"},
		{"-0", "-0"},
		{"[Infinity, -Infinity, 1.5]", "[ Infinity, -Infinity, 1.5 ]"},
		{"10n", "10n"},
		{`"it's"`, `"it's"`},
		{"'a\\nb'", `'a\nb'`},
		{"new Map([[1, 2]])", "Map(1) { 1 => 2 }"},
		{"new Set([1])", "Set(1) { 1 }"},
		{"new Map()", "Map(0) {}"},
		{"[1, undefined, () => 1]", "[ 1, undefined, [Function (anonymous)] ]"},
		{"function f() {}; f", "[Function: f]"},
		{"onAsync(() => {})", "[Function (anonymous)]"}, // a Go function, not named after its Go symbol
		{"class K {}; K", "[class K]"},
		{"new K()", "K {}"},
		{"({a: [], b: {c: 1}})", "{ a: [], b: { c: 1 } }"},
		{"({'a-b': 1, [Symbol('s')]: 2})", "{ 'a-b': 1, [Symbol(s)]: 2 }"},
		{"const o = {name: 'o'}; o.self = o; o", "{ name: 'o', self: [Circular] }"},
		{"({a: {b: {c: {d: 1}}}})", "{ a: { b: { c: [Object] } } }"},
		{"Object.create(null)", "[Object: null prototype] {}"},
		{"Symbol('x')", "Symbol(x)"},
		{"null", "null"},
		{"true", "true"},
		{"Promise.resolve(1).then", "[Function: then]"},
		{"new Date(0)", "1970-01-01T00:00:00.000Z"},
		{"/a+/g", "/a+/g"},
		{"new Uint8Array([1, 2, 255])", "Uint8Array(3) [ 1, 2, 255 ]"},
		{"new Float64Array(0)", "Float64Array(0) []"},
		{"new DataView(new ArrayBuffer(2))", "DataView {}"},
		{"({get g() { throw new Error('no') }})", "[Uninspectable: Error: no"},
		{"new Error('plain')", "Error: plain\n    at <repl>:1:1"},
		{"let caught; try { call('echo', 'Fail', 'oops') } catch (e) { caught = e }; caught", "Error: echo.Fail: oops\n    at <repl>:1:"},
	} {
		got, err := e.Eval(ctx, c.src)
		if err != nil || !strings.HasPrefix(got, c.want) {
			t.Errorf("Eval(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
}

func TestEvalInspectBounds(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	got, err := e.Eval(ctx, "let c2; try { call('echo', 'Fail', 'oops') } catch (e) { c2 = e }; c2")
	if err != nil || !strings.HasSuffix(got, " { plugin: 'echo', method: 'Fail', code: 'remote' }") {
		t.Errorf("a call error: %q, %v", got, err)
	}
	got, err = e.Eval(ctx, "Array.from({length: 150}, (_, i) => i)")
	if err != nil || !strings.HasSuffix(got, "  ... 50 more items\n]") || !strings.Contains(got, "\n  99,\n") {
		t.Errorf("long array: %q, %v", got, err)
	}
	got, err = e.Eval(ctx, "'x'.repeat(10005)")
	if err != nil || !strings.HasSuffix(got, "'... 5 more characters") || len(got) != 10000+2+len("... 5 more characters") {
		t.Errorf("long string: %q..., %v", got[:20], err)
	}
	got, err = e.Eval(ctx, "({alpha: 'aaaaaaaaaaaaaaaaaaaa', beta: 'bbbbbbbbbbbbbbbbbbbbbbbb', gamma: 'cccccccccccccccccccc'})")
	want := "{\n  alpha: 'aaaaaaaaaaaaaaaaaaaa',\n  beta: 'bbbbbbbbbbbbbbbbbbbbbbbb',\n  gamma: 'cccccccccccccccccccc'\n}"
	if err != nil || got != want {
		t.Errorf("wide object: %q, %v; want %q", got, err, want)
	}
}

// _ is the last result, as in Node, until the script assigns it.
func TestEvalUnderscore(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, c := range []struct{ src, want string }{
		{"6 * 7", "42"},
		{"_ + 1", "43"},
		{"_", "43"},
		{"[1, 2]", "[ 1, 2 ]"},
		{"_.length", "2"},
		{"_ = 'mine'", "'mine'"},
		{"1", "1"},
		{"_", "'mine'"},
	} {
		if got, err := e.Eval(ctx, c.src); err != nil || got != c.want {
			t.Errorf("Eval(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
}

// JSON.stringify indents right after empty arrays and objects (goja's
// does not), with every form of its space argument; console.log of an
// object stays compact JSON.
func TestStringifyIndent(t *testing.T) {
	expect(t, `
console.log(JSON.stringify({a: [], b: {}, c: {d: [1, {}]}}, null, 2));
console.log(JSON.stringify([[], {x: 1}], null, "\t"));
console.log(JSON.stringify({a: 1}, null, new Number(1)));
console.log(JSON.stringify({a: 1}, null, "abcdefghijkl"));
console.log(JSON.stringify({a: 1, b: 2}, ["b"], 0));
console.log(JSON.stringify({a: 1, b: 2}, (k, v) => k === "a" ? undefined : v, 20));
console.log(JSON.stringify(undefined, null, 2) === undefined, JSON.stringify.name, JSON.stringify.length);
console.log({a: [], b: {c: 1}});
try { const o = {}; o.o = o; JSON.stringify(o, null, 2); } catch (e) { console.log(e instanceof TypeError); }
`, `{
  "a": [],
  "b": {},
  "c": {
    "d": [
      1,
      {}
    ]
  }
}
[
	[],
	{
		"x": 1
	}
]
{
 "a": 1
}
{
abcdefghij"a": 1
}
{"b":2}
{
          "b": 2
}
true stringify 3
{"a":[],"b":{"c":1}}
true
`)
}

// A thrown object reads as the REPL shows it, not [object Object].
func TestThrowObject(t *testing.T) {
	e, env := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	_, err := e.Eval(ctx, "throw {x: 1}")
	if err == nil || !strings.Contains(err.Error(), "Uncaught { x: 1 }") {
		t.Errorf("REPL: throw {x: 1} = %v", err)
	}
	_, err = e.Eval(ctx, "Promise.reject({x: [2]})")
	if err == nil || !strings.Contains(err.Error(), "Uncaught (in promise) { x: [ 2 ] }") {
		t.Errorf("REPL: rejected with an object = %v", err)
	}
	_, err = run(t, env, "\n\nthrow {code: 5};")
	se := asScriptError(t, err)
	if se.Message != "Uncaught { code: 5 }" || se.Line != 3 {
		t.Errorf("script: throw {code: 5} = %q at line %d", se.Message, se.Line)
	}
}

// A getter that never returns does not hang the REPL: Ctrl-C (here a
// deadline) ends the entry, and the session goes on; one that recurses
// forever is shown as uninspectable.
func TestEvalInspectHostileGetters(t *testing.T) {
	e, _ := newREPL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := e.Eval(ctx, "({get x() { while (true) {} }})"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("looping getter: %v, want the deadline", err)
	}
	ctx = scripttest.Context(t, 10*time.Second)
	if got, err := e.Eval(ctx, "({get x() { return this.x }})"); err != nil || got != "[Uninspectable: Maximum call stack size exceeded]" {
		t.Errorf("recursing getter: %q, %v", got, err)
	}
	if got, err := e.Eval(ctx, "1 + 1"); err != nil || got != "2" {
		t.Errorf("after: %q, %v", got, err)
	}
}
