package js_test

import (
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// TestObservedBadResponses: a result the engine cannot convert (a raw
// plugin over TCP answers bytes that are not JSON) is reported to the
// socket's observer as the bad_response the script gets, for call,
// callAsync and each plugin's part of broadcast; results that convert are
// ok.
func TestObservedBadResponses(t *testing.T) {
	env, rec := scripttest.SetupObserved(t)
	out, err := run(t, env, `
try { call("bad", "Junk", null, {trace: "c1"}) } catch (e) { console.log(e.code) }
console.log(call("echo", "Echo", "fine", {trace: "c2"}))
const b = broadcast("Echo", 1, {trace: "c3"})
console.log(b.errors.bad, b.results.echo)
callAsync("bad", "Junk", null, {trace: "c4"}).catch(e => console.log("async", e.code))
callAsync("echo", "Echo", 2, {trace: "c5"}).then(v => console.log("async", v))
`)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || lines[0] != "bad_response" || lines[1] != "fine" || lines[2] != "bad response: invalid JSON 1" ||
		!strings.Contains(out, "async bad_response\n") || !strings.Contains(out, "async 2\n") {
		t.Errorf("stdout:\n%s", out)
	}
	rec.WaitObserved(t, map[string]string{
		"c1 bad.Junk":  "bad_response",
		"c2 echo.Echo": "ok",
		"c3 bad.Echo":  "bad_response",
		"c3 echo.Echo": "ok",
		"c3 ctl.Echo":  "method_not_found",
		"c4 bad.Junk":  "bad_response",
		"c5 echo.Echo": "ok",
	})
}
