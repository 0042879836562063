package lua_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// The tests below check our pcall and xpcall, which work around
// yuin/gopher-lua#448: with gopher-lua's own, each prints a count of 1
// where Lua 5.1 prints 2 (a closure's writes to the local n were lost after
// the caught error).

// paths are the script's, in a temporary directory.
var paths = regexp.MustCompile(`[^\s<>]*/main\.lua`)

// expectRel runs src, which must succeed and print want, with main.lua for
// the script's path.
func expectRel(t *testing.T, src, want string) {
	t.Helper()
	out, err := run(t, setup(t, scripting.Config{}), src)
	if err != nil {
		t.Fatalf("script failed: %v\nstdout:\n%s", err, out)
	}
	if got := paths.ReplaceAllString(strings.TrimSpace(out), "main.lua"); got != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", got, want)
	}
}

func TestPcallKeepsLocalsErrorTable(t *testing.T) {
	expectRel(t, `
local n = 0
local function inc() n = n + 1 end
inc()
local ok, e = pcall(error, {code = "x"})
inc()
print(n, ok, e.code)
`, "2\tfalse\tx")
}

func TestPcallKeepsLocalsErrorString(t *testing.T) {
	expectRel(t, `
local n = 0
local function inc() n = n + 1 end
inc()
local ok, e = pcall(function() error("boom") end)
inc()
print(n, ok, e)
local ok, e = pcall(function() local t = nil; return t.x end)
inc()
print(n, ok, e:match("attempt to index") ~= nil)
`, "2\tfalse\tmain.lua:5: boom\n3\tfalse\ttrue")
}

func TestPcallKeepsLocalsBindingError(t *testing.T) {
	expectRel(t, `
local n = 0
local function inc() n = n + 1 end
inc()
local ok, e = pcall(call, "echo", "Fail", "bad thing")
inc()
print(n, ok, e.code, e.plugin, e.method, e.where:match("main.lua:5: $") ~= nil)
local ok, e = pcall(function() return call("nope", "Echo", 1) end)
inc()
print(n, ok, e.code)
`, "2\tfalse\tremote\techo\tFail\ttrue\n3\tfalse\tnot_connected")
}

func TestPcallNested(t *testing.T) {
	expectRel(t, `
local n = 0
local function inc() n = n + 1 end
local ok, e = pcall(function()
  local inner = 0
  local function bump() inner = inner + 1 end
  print(pcall(error, "inner"))
  bump() inc()
  print(pcall(function() pcall(error, "deeper") bump() error("again") end))
  bump() inc()
  print("inner", inner)
  error({code = "outer"})
end)
inc()
print(n, ok, e.code)
`, "false\tmain.lua:7: inner\nfalse\tmain.lua:9: again\ninner\t3\n3\tfalse\touter")
}

func TestPcallInCoroutine(t *testing.T) {
	expectRel(t, `
local co = coroutine.wrap(function()
  local n = 0
  local function inc() n = n + 1 end
  inc()
  local ok, e = pcall(error, {code = "x"})
  inc()
  coroutine.yield(n)
  print(pcall(function() coroutine.yield(1) end))
  inc()
  return n
end)
print(co())
print(co())
local n = 0
local function inc() n = n + 1 end
local co2 = coroutine.create(function() inc() error("in co") end)
print(coroutine.resume(co2))
inc()
print(n)
`, "2\nfalse\tmain.lua:9: attempt to yield across pcall\n3\nfalse\tmain.lua:17: in co\n2")
}

func TestXpcall(t *testing.T) {
	expectRel(t, `
local n = 0
local function inc() n = n + 1 end
inc()
local ok, e = xpcall(function() error({code = "x"}) end, function(err) return "handled " .. err.code end)
inc()
print(n, ok, e)
print(xpcall(function(a, b) return a + b end, print, 2, 3))
local function fails()
  error("deep")
end
local ok, tb = xpcall(function() fails() end, debug.traceback)
inc()
print(n, ok)
print(tb)
-- a closure over a local of the function the error unwound keeps its
-- value: the thread's registers are reused by the next call
local get
xpcall(function() local kept = "kept" get = function() return kept end error("x") end, function(e) return e end)
pcall(function() local a, b, c, d = 1, 2, 3, 4 end)
print(get())
`, `2	false	handled x
true	5
3	false
main.lua:10: deep
stack traceback:
	[G]: in function 'error'
	main.lua:10: in function 'fails'
	main.lua:12: in function <main.lua:12>
	[G]: in function 'xpcall'
	main.lua:12: in main chunk
	[G]: ?
kept`)
}

// TestPcallErrorLevels: error's level counts as Lua 5.1's does (gopher-lua's
// own error points level 2 at the function calling error, as level 1).
func TestPcallErrorLevels(t *testing.T) {
	expectRel(t, `
local function f(level) error("msg", level) end
print(pcall(f, 0))
print(pcall(f, 1))
print(pcall(function() f(2) end))
print(pcall(error))
print(select("#", pcall(error)))
print(pcall(error, 42))
print(pcall(error, " spaced", 0))
print(pcall(string.rep))
print(pcall(42))
print(pcall(function(...) return select("#", ...), ... end, 1, nil, 3))
print(pcall(setmetatable({}, {__call = function(_, x) return "called " .. x end}), "t"))
`, `false	msg
false	main.lua:2: msg
false	main.lua:5: msg
false	nil
2
false	42
false	 spaced
false	main.lua:10: bad argument #1 to (anonymous) (string expected, got nil)
false	attempt to call a number value
true	3	1	nil	3
true	called t`)
}

func TestPcallNestingBound(t *testing.T) {
	out, err := run(t, setup(t, scripting.Config{}), `
local depth = 0
local function dive() depth = depth + 1 local ok, e = pcall(dive) if not ok then error(e, 0) end end
local ok, e = pcall(dive)
print(ok, e, depth < 1000)
`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "pcalls and coroutines nested more than 200 deep\ttrue") || !strings.HasPrefix(out, "false\t") {
		t.Fatalf("got %q", out)
	}
}
