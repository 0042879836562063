package js_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// TestEvalTopLevelAwait: await works at the top level of a REPL entry, the
// names it declares stay defined for the next entries, and the value of
// its last expression is the entry's value. Results are numbers and
// booleans, which print the same whatever the printer.
func TestEvalTopLevelAwait(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, c := range []struct{ src, want string }{
		{`await callAsync("echo", "Add", {a: 1, b: 2})`, "3"},
		{`const r = await callAsync("echo", "Add", {a: 2, b: 2})`, ""},
		{"r", "4"},
		{`let {a, b: [c]} = await Promise.resolve({a: 5, b: [6]}), d`, ""},
		{"a + c", "11"},
		{"d === undefined", "true"},
		{"var v = 1; function twice(n) { return 2 * n }\nawait null; twice(v + 1)", "4"},
		{"twice(10)", "20"},
		{"class K { k() { return 7 } }; await 0; new K().k()", "7"},
		{"new K().k() * 2", "14"},
		{"let é = await 8; é", "8"},
		{"é + 1", "9"},
		// await as a name, or in an async function, is left as it is.
		{"(async () => { return await 1 })().constructor === Promise", "true"},
		{"var await = 3; await + 1", "4"},
	} {
		got, err := e.Eval(ctx, c.src)
		if err != nil || got != c.want {
			t.Errorf("Eval(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	// A rejected await is the entry's error.
	if _, err := e.Eval(ctx, `await callAsync("echo", "Fail", "oops")`); err == nil || !strings.Contains(err.Error(), "oops") {
		t.Errorf("rejected await: %v", err)
	}
}

// TestEvalSyntaxErrorSaysSoOnce: a syntax error reads "SyntaxError:" once.
func TestEvalSyntaxErrorSaysSoOnce(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	_, err := e.Eval(ctx, "let = ;")
	if err == nil || strings.Count(err.Error(), "SyntaxError") != 1 {
		t.Errorf("error = %v, want SyntaxError once", err)
	}
}
