package lua_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// Lua's errors name what went wrong: the typo'd global, the table given
// to error() and where, and call errors read as strings do.
func TestLuaErrorsThatHelp(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "local x = 1\nprint(calll('a'))\n")
	se := asScriptError(t, err)
	if se.Message != "attempt to call global 'calll' (a nil value)" || se.Line != 2 {
		t.Errorf("typo'd global: %q at line %d", se.Message, se.Line)
	}
	_, err = run(t, env, "answer = 42\nanswer()\n")
	if se := asScriptError(t, err); se.Message != "attempt to call global 'answer' (a number value)" {
		t.Errorf("a number called: %q", se.Message)
	}
	_, err = run(t, env, "local x = 1\n\nerror({code = 5})\n")
	se = asScriptError(t, err)
	if se.Message != "{ code = 5 }" || se.Line != 3 || !strings.HasSuffix(se.File, "main.lua") {
		t.Errorf("error({code = 5}): %q at %s:%d", se.Message, se.File, se.Line)
	}
	expect(t, `
local ok, err = pcall(call, "echo", "Fail", "oops")
print(tostring(err):find("oops") ~= nil, err:find("oops") ~= nil, err:match("echo%.(%a+)"), err:upper():find("OOPS") ~= nil)
print(("x"):rep(2), err.code, #tostring(err) > 0)
local ok2, err2 = pcall(call, "echo", "ad", {a = 1})
print(err2.code, (tostring(err2):gsub("^.*main%.lua", "main.lua")))
local ok3, err3 = pcall(call, "echo", "Add", {a = 1, c = 2})
print(err3.code, (tostring(err3):gsub("^.*main%.lua", "main.lua")))
print(call("echo", "Add", {a = 1, b = 2, c = 9}, {checkFields = false}))
`, `true	true	Fail	true
xx	remote	true
method_not_found	main.lua:5: echo.ad: method not found; did you mean Add?
bad_argument	main.lua:7: echo.Add: unknown field "c" (did you mean "a"?)
3
`)
	_, err = run(t, env, "require('nosuchmod')\n")
	if se := asScriptError(t, err); strings.Contains(se.Message, "\t") || !strings.Contains(se.Message, "module nosuchmod not found") {
		t.Errorf("require of a missing module: %q", se.Message)
	}
	// In the REPL too.
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	if _, err := e.Eval(ctx, "prnt('x')"); err == nil || !strings.Contains(err.Error(), "attempt to call global 'prnt' (a nil value)") {
		t.Errorf("REPL typo: %v", err)
	}
	if _, err := e.Eval(ctx, "error({code = 5, why = 'x'})"); err == nil || !strings.Contains(err.Error(), `{ code = 5, why = "x" }`) {
		t.Errorf("REPL error table: %v", err)
	}
}
