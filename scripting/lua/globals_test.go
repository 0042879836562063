package lua_test

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
local r = call("echo", "Echo", {s = "x", n = {1, 2.5, json.null}, o = {}, e = json.array(), t = true})
print(json.encode(r), r.n[3] == json.null, #r.n)
print(call("echo", "Add", {a = 2, b = 3}))
print(string.format("%.0f", call("echo", "Echo", 2^53)), call("echo", "Echo", 2^53) == 2^53)
print(call("echo", "Nothing"))
print(call("echo", "Trace", nil, {trace = "t-1"}))
print(call("echo", "Echo", "ü"))
`, `{"e":[],"n":[1,2.5,null],"o":{},"s":"x","t":true}	true	3
5
9007199254740992	true
nil
t-1
ü`)
}

func TestCallErrors(t *testing.T) {
	expect(t, `
local function show(...)
  local ok, e = pcall(call, ...)
  if ok then print("no error") return end
  print(e.code, e.plugin, e.method, e.message)
end
show("echo", "Fail", "bad thing")
show("nope", "Echo", 1)
show("echo", "Missing")
show("echo", "Boom")
show("echo", "Hang", nil, {timeout = 20})
show("echo", "Hang", nil, {timeout = "20ms"})
local cyclic = {} cyclic.self = cyclic
show("echo", "Echo", cyclic)
show("echo", "Echo", print)
show("echo", "Echo", 1, {timeout = "soon"})
show(1, "Echo")
local ok, e = pcall(call, "echo", "Fail", "where")
print(tostring(e):match("main.lua:%d+: echo.Fail: where") ~= nil, ("x" .. e):sub(1, 1))
`, `remote	echo	Fail	echo.Fail: bad thing
not_connected	nope	Echo	nope.Echo: plugin not connected
method_not_found	echo	Missing	echo.Missing: method not found
panic	echo	Boom	echo.Boom: panic: kaboom
timeout	echo	Hang	echo.Hang: timed out after 20ms
timeout	echo	Hang	echo.Hang: timed out after 20ms
bad_argument	echo	Echo	echo.Echo: payload: bad argument: cannot convert a table that contains itself to JSON
bad_argument	echo	Echo	echo.Echo: payload: bad argument: cannot convert a function to JSON
bad_argument	echo	Echo	echo.Echo: bad argument: duration: time: invalid duration "soon"
bad_argument			bad argument: plugin must be a string, not number
true	x`)
}

func TestBroadcast(t *testing.T) {
	expect(t, `
local r = broadcast("Echo", {v = 1})
print(json.encode(r))
local f = broadcast("Fail", "x")
print(json.encode(f.results), f.errors.echo)
`, `{"errors":{"ctl":"method not found"},"results":{"echo":{"v":1}}}
{}	x`)
}

func TestOnAsync(t *testing.T) {
	expect(t, `
local got = {}
local off = onAsync(function(name, v) got[#got + 1] = name .. ":" .. v end)
print(call("echo", "Emit", 3), #got)
while #got < 3 do sleep(5) end
print(table.concat(got, " "))
off()
off()
call("echo", "Emit", 2)
sleep(20)
print(#got)
`, `3	0
echo:1 echo:2 echo:3
3`)
}

func TestConnectAndDisconnect(t *testing.T) {
	expect(t, `
local events = {}
onConnect(function(info) events[#events + 1] = "connect " .. info.name .. " " .. info.version .. " " .. tostring(info.functions.Echo ~= nil) end)
onDisconnect(function(info, graceful) events[#events + 1] = "disconnect " .. info.name .. " " .. tostring(graceful) end)
call("ctl", "Attach", "late")
while #events < 1 do sleep(5) end
unplug("late")
while #events < 2 do sleep(5) end
call("ctl", "Attach", "crash")
while #events < 3 do sleep(5) end
call("ctl", "Cut", "crash")
while #events < 4 do sleep(5) end
print(table.concat(events, "\n"))
`, `connect late 1.0 true
disconnect late true
connect crash 1.0 true
disconnect crash false`)
}

func TestWaitFor(t *testing.T) {
	expect(t, `
print(waitFor("echo"), waitFor("never", 30), waitFor("never", "10ms"))
local co = coroutine.wrap(function() end)
print(call("ctl", "Attach", "soon"), waitFor("soon", "10s"))
`, `true	false	false
true	true`)
}

func TestConnectedAndInfo(t *testing.T) {
	expect(t, `
local c = connected()
print(c.echo.name, c.echo.version, c.echo.functions, c.ctl ~= nil)
local full = connected(true)
local names = {}
for k in pairs(full.echo.functions) do names[#names + 1] = k end
table.sort(names)
print(table.concat(names, ","))
local i = info("echo")
print(i.name, i.functions.Add.input.type, i.functions.Add.output.type, info("nope"))
`, `echo	1.0	nil	true
Add,Boom,Echo,Emit,Fail,Hang,Nothing,Trace
echo	struct	float64	nil`)
}

func TestUnplug(t *testing.T) {
	expect(t, `
local gone
onDisconnect(function(info, graceful) gone = info.name .. " " .. tostring(graceful) end)
unplug("echo")
unplug("nope")
while not gone do sleep(5) end
print(gone, info("echo"))
`, `echo true	nil`)
}

func TestSleepRunsEvents(t *testing.T) {
	expect(t, `
local seen = {}
onAsync(function(n, v) seen[#seen + 1] = "async " .. v end)
call("echo", "Emit", 2)
local t0 = os.clock()
while #seen < 2 do sleep("1ms") end
print(table.concat(seen, ","))
`, `async 1,async 2`)
}

func TestServeAndExit(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, `
onAsync(function(name, v)
  print("got", v)
  if v == 2 then exit(3) print("not reached") end
end)
call("echo", "Emit", 2)
serve()
print("not reached either")
`)
	var exit *scripting.ExitError
	if !errors.As(err, &exit) || exit.Code != 3 {
		t.Fatalf("err = %v, want exit status 3", err)
	}
	if got, want := env.Stdout.String(), "got\t1\ngot\t2\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

func TestExit(t *testing.T) {
	for src, code := range map[string]int{
		`print("before") exit() print("after")`:                                       0,
		`print("before") os.exit(5) print("after")`:                                   5,
		`print("before") pcall(exit, 2) print("after")`:                               2,
		`print("before") local ok = pcall(function() exit(7) end) print("after", ok)`: 7,
	} {
		env := setup(t, scripting.Config{})
		_, err := run(t, env, src)
		var exit *scripting.ExitError
		if !errors.As(err, &exit) || exit.Code != code {
			t.Errorf("%s: err = %v, want exit status %d", src, err, code)
		}
		if got := env.Stdout.String(); got != "before\n" {
			t.Errorf("%s: stdout %q", src, got)
		}
	}
}

func TestArgs(t *testing.T) {
	expect(t, `print(#arg, arg[1], arg[2], arg[0]:match("main.lua$"), select("#", ...), ...)`,
		"2\ta\tb c\tmain.lua\t2\ta\tb c", "a", "b c")
}

func TestPrint(t *testing.T) {
	expect(t, `print(1, "s", nil, true, json.null, 1.5)`, "1\ts\tnil\ttrue\tjson.null\t1.5")
}

func TestRequire(t *testing.T) {
	env := setup(t, scripting.Config{})
	dir := t.TempDir()
	scripttest.WriteFile(t, dir, "mylib.lua", `local M = {} function M.double(x) return 2 * x end return M`)
	path := scripttest.WriteFile(t, dir, "main.lua", `print(require("mylib").double(21), require("json") == json)`)
	e, err := newLua(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.RunFile(scripttest.Context(t, 10*time.Second), path, nil); err != nil {
		t.Fatal(err)
	}
	if got := env.Stdout.String(); got != "42\ttrue\n" {
		t.Errorf("stdout %q", got)
	}
}

func TestUncaughtError(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "local function f()\n  call(\"echo\", \"Fail\", \"deep\")\nend\nf()\nprint('not reached')\n")
	se := asScriptError(t, err)
	if !strings.HasSuffix(se.File, "main.lua") || se.Line != 2 {
		t.Errorf("location %s:%d, want main.lua:2", se.File, se.Line)
	}
	if !strings.Contains(se.Message, "echo.Fail: deep") || !strings.Contains(se.Stack, "traceback") {
		t.Errorf("message %q stack %q", se.Message, se.Stack)
	}
	var ce *socket.CallError
	if !errors.As(err, &ce) || ce.Plugin != "echo" {
		t.Errorf("error does not wrap the socket's CallError: %v", err)
	}
	if !strings.Contains(err.Error(), "main.lua:2: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestUncaughtInCallback(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "onAsync(function()\n  error('in callback')\nend)\ncall('echo', 'Emit', 1)\nserve()\n")
	se := asScriptError(t, err)
	if se.Line != 2 || !strings.Contains(se.Message, "in callback") {
		t.Errorf("got %#v", se)
	}
}

func TestSyntaxError(t *testing.T) {
	env := setup(t, scripting.Config{})
	_, err := run(t, env, "local x = 1\nlocal y = = 2\n")
	se := asScriptError(t, err)
	if se.Line != 2 || !strings.HasSuffix(se.File, "main.lua") {
		t.Errorf("got %#v", se)
	}
}

func TestCancelInterruptsScript(t *testing.T) {
	for name, src := range map[string]string{
		"loop":  "while true do end",
		"pcall": "while true do pcall(function() while true do end end) end",
		"call":  `call("echo", "Hang")`,
		"sleep": "sleep(60000)",
		"serve": "serve()",
	} {
		t.Run(name, func(t *testing.T) {
			env := setup(t, scripting.Config{})
			e, err := newLua(env.RT)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			path := scripttest.WriteFile(t, t.TempDir(), "main.lua", src)
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
	err = scripttest.Run(t, env, newLua, "main.lua", `
local down
onDisconnect(function(info, graceful) down = info.name .. " " .. tostring(graceful) end)
local h = spawn(arg[1], {"-test.run=^$"}, {env = {SCRIPTTEST_PLUGIN = "kid"}})
print(type(h.pid), h.pid > 0)
print(waitFor("kid", "20s"))
print(call("kid", "Add", {a = 40, b = 2}))
h:kill()
print(h.wait())
while not down do sleep(5) end
print(down)
`, exe)
	if err != nil {
		t.Fatalf("%v\n%s", err, env.Stdout)
	}
	want := "number\ttrue\ntrue\n42\n-1\nkid false\n"
	if got := env.Stdout.String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

func TestJSONModule(t *testing.T) {
	expect(t, `
print(json.encode({}), json.encode(json.array()), json.encode({1, 2, 3}), json.encode({[1] = 1, [3] = 3}))
print(json.encode({a = json.null, b = {x = 1}}), json.encode(nil), json.encode("q\"\n"), json.encode(0.1), json.encode(-0.5e-7))
print(json.encode(json.array({"a", "b"})), json.encode({[2] = "b", [1] = "a"}))
local d = json.decode('{"list": [], "obj": {}, "n": null, "x": [1, null, "s"]}')
print(#d.list, next(d.obj), d.n == json.null, d.x[2] == json.null, d.x[3], json.encode(d))
print(json.decode("null"), json.decode("12.5"), tostring(json.null))
print(require("json") == json)
for _, bad in ipairs({"function() end", "{[true] = 1}", "0/0", "{[1] = 1, ['1'] = 2}"}) do
  local ok, err = pcall(json.encode, loadstring("return " .. bad)())
  print(ok, err.code)
end
local ok, err = pcall(json.decode, "{bad")
print(ok, err.code)
`, `{}	[]	[1,2,3]	{"1":1,"3":3}
{"a":null,"b":{"x":1}}	null	"q\"\n"	0.1	-5e-8
["a","b"]	["a","b"]
0	nil	true	true	s	{"list":[],"n":null,"obj":{},"x":[1,null,"s"]}
nil	12.5	json.null
true
false	bad_argument
false	bad_argument
false	bad_argument
false	bad_argument
false	bad_argument`)
}

// TestCoroutines: bindings work from inside a coroutine.
func TestCoroutines(t *testing.T) {
	expect(t, `
local got = {}
onAsync(function(name, v) got[#got + 1] = v end)
local co = coroutine.create(function(a)
  local r = call("echo", "Add", {a = a, b = 1})
  call("echo", "Emit", 2)
  while #got < 2 do sleep(1) end
  local ok, err = pcall(call, "echo", "Fail", "in coroutine")
  coroutine.yield(r, err.code)
  return "done"
end)
print(coroutine.resume(co, 41))
print(coroutine.resume(co))
print(table.concat(got, ","))
`, "true\t42\tremote\ntrue\tdone\n1,2")
}

// TestArgumentErrorsNameTheCall: a bad payload or bad options are a
// bad_argument that names the call, as every call error does.
func TestArgumentErrorsNameTheCall(t *testing.T) {
	expect(t, `
local function show(f, ...)
  local ok, e = pcall(f, ...)
  print(e.code, e.plugin, e.method, e.message)
end
show(call, "echo", "Echo", coroutine.create(print))
show(call, "echo", "Echo", 1, {timeout = print})
show(call, "echo", "Echo", 1, {bogus = 1})
show(broadcast, "Echo", print)
`, `bad_argument	echo	Echo	echo.Echo: payload: bad argument: cannot convert a thread to JSON
bad_argument	echo	Echo	echo.Echo: options: bad argument: cannot convert a function to JSON
bad_argument	echo	Echo	echo.Echo: bad argument: options: unknown field "bogus"
bad_argument		Echo	Echo: payload: bad argument: cannot convert a function to JSON`)
}
