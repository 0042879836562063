package js_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// clock is the time of day in messages about a process's exit.
var clock = regexp.MustCompile(`\d\d:\d\d:\d\d`)

// TestWaitForExitedChild: waitFor a spawned plugin that died at start
// throws at once, code exited, with its status and last stderr line; so
// do a later call (sync and async) and a later waitFor without a timeout.
func TestWaitForExitedChild(t *testing.T) {
	expectClock(t, `
const h = spawn("sh", ["-c", "echo starting; echo 'FATAL: config file missing' >&2; exit 4"], {name: "dies"})
console.log(h.name)
try { waitFor("dies", "1h") } catch (e) { console.log(e instanceof Error, e.code, e.plugin, e.method, e.message) }
console.log(h.wait())
try { call("dies", "Get", {key: "k"}) } catch (e) { console.log(e.code, e.plugin, e.method, e.message) }
try { waitFor("dies") } catch (e) { console.log(e.code) }
callAsync("dies", "Get").catch(e => console.log("async", e.code, e.method))
`, `dies
true exited dies  dies exited 4 at HH:MM:SS: "FATAL: config file missing"
4
exited dies Get dies.Get: dies exited 4 at HH:MM:SS: "FATAL: config file missing"
exited
async exited Get`)
}

// TestWaitForRunningChild: a spawned plugin that runs without registering
// is waited for until the timeout, as before.
func TestWaitForRunningChild(t *testing.T) {
	expectClock(t, `
const h = spawn("sh", ["-c", "exec sleep 30"], {name: "slow"})
console.log(waitFor("slow", "50ms"))
h.kill()
console.log(h.wait())
try { waitFor("slow", "50ms") } catch (e) { console.log(e.code, e.message) }
`, `false
-1
exited slow ended by signal killed at HH:MM:SS`)
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
