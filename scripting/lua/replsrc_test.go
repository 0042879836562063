package lua_test

import (
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// TestEvalShorthandAndLocals: =expr shows the value, as the lua command
// does, and a top-level local stays visible to the next entries (numbers
// and booleans print the same whatever the printer).
func TestEvalShorthandAndLocals(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, c := range []struct{ src, want string }{
		{"=1 + 2", "3"},
		{"  = 2 * 3", "6"},
		{"local x = 21", ""},
		{"x * 2", "42"},
		{"=x", "21"},
		{"local a, b = 1, 2; do local a = 100 end; a = a + 10", ""},
		{"a + b", "13"},
		{"local function sq(n) return n * n end", ""},
		{"sq(5)", "25"},
		{"local y = 1; return y", "1"},
		{"y == nil", "true"},
	} {
		got, err := e.Eval(ctx, c.src)
		if err != nil || got != c.want {
			t.Errorf("Eval(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	if !e.Incomplete("=1 +") || e.Incomplete("=1") {
		t.Error("Incomplete does not read =expr as an expression")
	}
}
