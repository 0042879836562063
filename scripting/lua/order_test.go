package lua_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// TestOrdering: values that arrive while a synchronous call blocks wait in
// the queue and are delivered afterwards, in order; sleep and waitFor run
// queued events, also from inside a callback. Under -race this also shows
// that no callback runs concurrently with the script.
func TestOrdering(t *testing.T) {
	expect(t, `
local got = {}
local nested = -1
onAsync(function(name, v)
  got[#got + 1] = v
  if v == 1 then
    while #got < 50 do sleep(1) end
    nested = #got
  end
end)
print(call("echo", "Emit", 100), #got)
while #got < 100 do waitFor("never", 2) end
local inorder = true
for i, v in ipairs(got) do inorder = inorder and v == i end
print(inorder, nested >= 50)
`, "100\t0\ntrue\ttrue")
}

// TestSlowScriptDoesNotStallPlugins floods async values while the script
// is blocked: the plugin's calls complete, the overflow is counted and
// logged.
func TestSlowScriptDoesNotStallPlugins(t *testing.T) {
	env := setup(t, scripting.Config{EventMemory: 1024})
	out, err := run(t, env, `
local n = 0
onAsync(function() n = n + 1 end)
print(call("echo", "Emit", 2000))
print(call("echo", "Add", {a = 1, b = 1}))
`)
	if err != nil {
		t.Fatal(err)
	}
	if out != "2000\n2\n" {
		t.Errorf("stdout %q", out)
	}
	scripttest.WaitFor(t, 10*time.Second, func() error {
		if env.RT.Dropped() == 0 || !strings.Contains(env.Log.String(), "oldest socket events dropped") {
			return fmt.Errorf("dropped %d, log:\n%s", env.RT.Dropped(), env.Log)
		}
		return nil
	})
}
