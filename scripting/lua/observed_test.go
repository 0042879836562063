package lua_test

import (
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// TestObservedBadResponses: a result the engine cannot convert (a raw
// plugin over TCP answers bytes that are not JSON) is reported to the
// socket's observer as the bad_response the script gets, for call and each
// plugin's part of broadcast; results that convert are ok.
func TestObservedBadResponses(t *testing.T) {
	env, rec := scripttest.SetupObserved(t)
	out, err := run(t, env, `
local ok, e = pcall(function() return call("bad", "Junk", nil, {trace = "c1"}) end)
print(ok, e.code)
print(call("echo", "Echo", "fine", {trace = "c2"}))
local b = broadcast("Echo", 1, {trace = "c3"})
print(b.errors.bad, b.results.echo)
`)
	if want := "false\tbad_response\nfine\nbad response: invalid JSON\t1\n"; err != nil || out != want {
		t.Fatalf("%v\nstdout:\n%s\nwant:\n%s", err, out, want)
	}
	rec.WaitObserved(t, map[string]string{
		"c1 bad.Junk":  "bad_response",
		"c2 echo.Echo": "ok",
		"c3 bad.Echo":  "bad_response",
		"c3 echo.Echo": "ok",
		"c3 ctl.Echo":  "method_not_found",
	})
}
