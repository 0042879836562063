package lua_test

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

// stillServing is the end of every hostile script: the legitimate plugin
// still answers.
const stillServing = `print(call("echo", "Echo", "still serving"))`

// TestHostileResults: answers nested 3,000,000 deep (as a result, an async
// value or a string the script decodes) and answers that are not JSON are the plugin's bad_response,
// naming it and the method; in a broadcast they are that plugin's error
// only; and the host goes on serving.
func TestHostileResults(t *testing.T) {
	env := scripttest.SetupHostile(t, scripting.Config{})
	out, err := run(t, env, `
local function show(f)
  local ok, e = pcall(f)
  if ok then print("no error") else print(e.code, e.plugin, e.method, e.message) end
end
show(function() return call("bad", "Deep") end)
show(function() return call("bad", "Junk") end)
show(function() return json.decode(call("bad", "Text")) end)
local got = {}
onAsync(function(name, v) got[#got + 1] = name .. ":" .. tostring(v) end)
call("bad", "Emit")
while #got < 2 do sleep(5) end
print(table.concat(got, " "))
local b = broadcast("Echo", {v = 1})
print(json.encode(b.results), b.errors.bad)
`+stillServing)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "bad_response\tbad\tDeep\tbad.Deep: bad response: invalid JSON: invalid character '[' exceeded max depth\n" +
		"bad_response\tbad\tJunk\tbad.Junk: bad response: invalid JSON: invalid character 'j' looking for beginning of value\n" +
		"bad_argument\t\t\tbad argument: invalid JSON: invalid character '[' exceeded max depth\n" +
		"bad:nil bad:1\n" +
		"{\"echo\":{\"v\":1}}\tbad response: invalid JSON\n" +
		"still serving\n"
	if out != want {
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
local big = string.rep("x", 100 * 2^10)
for _, f in ipairs({function() return call("echo", "Echo", big) end, function() return broadcast("Echo", big) end}) do
  local ok, e = pcall(f)
  print(ok, e.code, string.find(e.message, "limit of 65536 bytes", 1, true) ~= nil)
end
`+stillServing)
	if want := "false\tbad_argument\ttrue\nfalse\tbad_argument\ttrue\nstill serving\n"; err != nil || out != want {
		t.Errorf("%v\nstdout:\n%s\nwant:\n%s", err, out, want)
	}
}

// local strips the script's directory from error locations.
var local = regexp.MustCompile(`\S*/main\.lua`)

// TestRunawayRecursion: recursion past gopher-lua's call stack (also through
// metamethods and pcall, which use the Go stack) is a catchable "stack
// overflow", and so is nesting coroutines past lua.MaxCoroutineDepth; the
// host goes on.
func TestRunawayRecursion(t *testing.T) {
	env := setup(t, scripting.Config{})
	out, err := run(t, env, `
local function f() return 1 + f() end
print(pcall(f))
local t = setmetatable({}, {__index = function(t, k) return t[k] end})
print(pcall(function() return t.x end))
local function g() return select(2, pcall(g)) end
print(g() ~= nil)
local function c() coroutine.wrap(c)() end
print(pcall(c))
local function r() local ok, e = coroutine.resume(coroutine.create(r)) if not ok then error(e, 0) end end
print(pcall(r))
`+stillServing)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := `false	main.lua:2: stack overflow
false	main.lua:4: stack overflow
true
false	main.lua:8: coroutines nested more than 200 deep
false	main.lua:10: coroutines nested more than 200 deep
still serving
`
	if out = local.ReplaceAllString(out, "main.lua"); out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
}

// TestAmplifiers: string.rep, string.gsub and table.concat raise a
// catchable error past lua.MaxStringBytes, and gsub and gmatch past
// lua.MaxMatches, without allocating the result, and work as before
// within the bounds.
func TestAmplifiers(t *testing.T) {
	env := setup(t, scripting.Config{})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := run(t, env, `
print(pcall(string.rep, "x", 1e12))
print(pcall(function() return ("ab"):rep(2^40) end))
local s = string.rep("x", 2^20)
local t = {}
for i = 1, 1024 do t[i] = s end
print(pcall(table.concat, t))
print(pcall(table.concat, t, "", 1, 300))
print(pcall(string.gsub, string.rep("x", 2^12), "", string.rep("y", 2^18)))
local long = string.rep("x", 2^21)
print(pcall(string.gsub, long, "", ""))
print(pcall(string.gmatch, long, "x"))
print(string.rep("ab", 2), table.concat({1, "b", 2.5}, "-"), #table.concat(t, "", 1, 3), (string.gsub("a-b", "-", "+")))
`+stillServing)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := `false	main.lua:2: string.rep: the result would be 1000000000000 bytes, past the bound of 268435456
false	main.lua:3: string.rep: the result would be 2199023255552 bytes, past the bound of 268435456
false	main.lua:7: table.concat: the result would be more than 268435456 bytes
false	main.lua:8: table.concat: the result would be more than 268435456 bytes
false	main.lua:9: string.gsub: the result would be 1074008064 bytes, past the bound of 268435456
false	main.lua:11: string.gsub: more than 1048576 matches
false	main.lua:12: string.gmatch: more than 1048576 matches
abab	1-b-2.5	3145728	a+b
still serving
`
	if out = local.ReplaceAllString(out, "main.lua"); out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if grew := after.Sys - before.Sys; grew > 256<<20 {
		t.Errorf("the process grew by %d MiB during the refused attempts", grew>>20)
	}
}

// TestRunawayREPL: REPL entries that recurse without end or ask for a
// value past a bound fail, and the next entry runs.
func TestRunawayREPL(t *testing.T) {
	env := setup(t, scripting.Config{})
	e, err := lua.New(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := scripttest.Context(t, 10*time.Second)
	for src, want := range map[string]string{
		`(function() local function f() return 1 + f() end return f() end)()`: "stack overflow",
		`string.rep("x", 1e12)`: "string.rep: the result would be",
	} {
		if _, err := e.Eval(ctx, src); err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("Eval(%s): %v", src, err)
		}
	}
	if out, err := e.Eval(ctx, `call("echo", "Echo", 41) + 1`); err != nil || out != "42" {
		t.Fatalf("next entry: %q, %v", out, err)
	}
}

// TestUncaughtAmplifier: an uncaught error from a bound is a script failure
// like any other.
func TestUncaughtAmplifier(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, `local s = string.rep("x", 1e12)`)
	se := asScriptError(t, err)
	if !strings.Contains(se.Message, "string.rep: the result would be 1000000000000 bytes") || se.Line != 1 {
		t.Errorf("%v (line %d)", err, se.Line)
	}
}
