package lua_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// clock is the time of day in messages about a process's exit.
var clock = regexp.MustCompile(`\d\d:\d\d:\d\d`)

// TestWaitForExitedChild: waitFor a spawned plugin that died at start ends
// at once with code exited, its status and last stderr line, and so does
// a later call and a later waitFor (without a timeout).
func TestWaitForExitedChild(t *testing.T) {
	expectClock(t, `
local h = spawn("sh", {"-c", "echo starting; echo 'FATAL: config file missing' >&2; exit 4"}, {name = "dies"})
print(h.name)
local ok, e = pcall(waitFor, "dies", "1h")
print(ok, e.code, e.plugin, e.method, e.message)
print(h.wait())
local ok, e = pcall(call, "dies", "Get", {key = "k"})
print(ok, e.code, e.plugin, e.method, e.message)
local ok, e = pcall(waitFor, "dies")
print(ok, e.code)
`, `dies
false	exited	dies		dies exited 4 at HH:MM:SS: "FATAL: config file missing"
4
false	exited	dies	Get	dies.Get: dies exited 4 at HH:MM:SS: "FATAL: config file missing"
false	exited`)
}

// TestWaitForRunningChild: a spawned plugin that runs without registering
// is waited for until the timeout, as before.
func TestWaitForRunningChild(t *testing.T) {
	expectClock(t, `
local h = spawn("sh", {"-c", "exec sleep 30"}, {name = "slow"})
print(waitFor("slow", "50ms"))
h:kill()
print(h.wait())
local ok, e = pcall(waitFor, "slow", "50ms")
print(ok, e.code, e.message)
`, `false
-1
false	exited	slow ended by signal killed at HH:MM:SS`)
}

// expectClock runs src, which must succeed and print want, with HH:MM:SS
// for the times of day.
func expectClock(t *testing.T, src, want string) {
	t.Helper()
	out, err := run(t, setup(t, scripting.Config{}), src)
	if err != nil {
		t.Fatalf("script failed: %v\nstdout:\n%s", err, out)
	}
	if got := clock.ReplaceAllString(strings.TrimSpace(out), "HH:MM:SS"); got != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", got, want)
	}
}
