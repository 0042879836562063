package lua_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// The Lua REPL prints values readably: nil, quoted strings, tables with
// their keys.
func TestEvalInspect(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	for _, c := range []struct{ src, want string }{
		{"nil", "nil"},
		{"undefinedname", "nil"},
		{"'a\\nb\"c'", `"a\nb\"c"`},
		{"{}", "{}"},
		{"{1, 2, 3}", "{ 1, 2, 3 }"},
		{"{b = 2, a = 1, [10] = 'x', ['two words'] = true, 1}", `{ 1, [10] = "x", a = 1, b = 2, ["two words"] = true }`},
		{"{f = print}", "{ f = <function> }"},
		{"(function() local t = {name = 'me'}; t.self = t; return t end)()", `{ name = "me", self = <cycle> }`},
		{"{a = {b = {c = {d = 1}}}}", "{ a = { b = { c = {...} } } }"},
		{"setmetatable({}, {__tostring = function() return 'custom' end})", "custom"},
		{"select(2, pcall(error, {code = 5}))", "{ code = 5 }"},
		{"1.5, 2^53", "1.5\n9007199254740992"},
	} {
		got, err := e.Eval(ctx, c.src)
		if err != nil || got != c.want {
			t.Errorf("Eval(%q) = %q, %v; want %q", c.src, got, err, c.want)
		}
	}
	// A call error reads as its message, and a spawn handle shows its fields.
	got, err := e.Eval(ctx, `select(2, pcall(call, "echo", "Fail", "oops"))`)
	if err != nil || !strings.Contains(got, "echo.Fail") || strings.Contains(got, "table: 0x") {
		t.Errorf("call error = %q, %v", got, err)
	}
	// A spawn handle shows its fields, not table: 0x...
	got, err = e.Eval(ctx, `spawn("sh", {"-c", "exit 0"}, {name = "brief"})`)
	if err != nil || !regexp.MustCompile(`^\{ kill = <function>, name = "brief", pid = \d+, wait = <function> \}$`).MatchString(got) {
		t.Errorf("spawn handle = %q, %v", got, err)
	}
	got, err = e.Eval(ctx, "local t = {} for i = 1, 150 do t[i] = i end return t")
	if err != nil || !strings.HasSuffix(got, "  100,\n  ... 50 more\n}") {
		t.Errorf("long table: %q, %v", got, err)
	}
	got, err = e.Eval(ctx, "string.rep('x', 10003)")
	if err != nil || !strings.HasSuffix(got, `"... 3 more bytes`) {
		t.Errorf("long string: ...%q, %v", got[len(got)-30:], err)
	}
}
