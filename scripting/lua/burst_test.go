package lua_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/socket"
)

// counter is the handler the burst scripts share: it counts the values and
// notes the first one out of order; idle waits (at most about 20 s) for
// all of them, doing nothing else.
const counter = `
local nxt, bad = 1, ""
onAsync(function(name, v)
  if v ~= nxt and bad == "" then bad = "value " .. nxt .. " is " .. tostring(v) end
  nxt = nxt + 1
end)
local function idle()
  for _ = 1, 20000 do
    if nxt > N or bad ~= "" then return end
    sleep(1)
  end
end
`

func runBurst(t testing.TB, env *scripttest.Env, src string) string {
	t.Helper()
	e, err := newLua(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	path := scripttest.WriteFile(t, t.TempDir(), "burst.lua", fmt.Sprintf("local N = %d\n", scripttest.Burst)+counter+src)
	if err := e.RunFile(scripttest.Context(t, 30*time.Second), path, nil); err != nil {
		t.Fatalf("script failed: %v\nstdout:\n%s", err, env.Stdout)
	}
	return strings.TrimSpace(env.Stdout.String())
}

// TestBurstReachesIdleHandler: 100,000 values a plugin pushes through its
// async hook while the script only waits reach its onAsync handler, all of
// them, in order, with the default settings.
func TestBurstReachesIdleHandler(t *testing.T) {
	env := scripttest.FloodEnv(t, scripting.Config{})
	out := runBurst(t, env, `
call("flood", "Start", N)
idle()
print(string.format("%d %s %d", nxt - 1, bad == "" and "in order" or bad, dropped()))
`)
	if want := fmt.Sprintf("%d in order 0", scripttest.Burst); out != want {
		t.Errorf("stdout %q, want %q; log:\n%s", out, want, env.Log)
	}
}

// TestBurstWaitsForBlockedCall: while the script is blocked in a
// synchronous call, the 100,000 values it sends wait for the script (the
// bound is far away), and the next pass of the loop delivers them all.
func TestBurstWaitsForBlockedCall(t *testing.T) {
	env := scripttest.FloodEnv(t, scripting.Config{})
	out := runBurst(t, env, `
local n = call("tcp", "Emit", N)
local before = nxt - 1
sleep(0)
print(string.format("%d %d %d %s %d", n, before, nxt - 1, bad == "" and "in order" or bad, dropped()))
`)
	if want := fmt.Sprintf("%d 0 %d in order 0", scripttest.Burst, scripttest.Burst); out != want {
		t.Errorf("stdout %q, want %q; log:\n%s", out, want, env.Log)
	}
}

// TestDroppedVisibleToScript: past a small bound the oldest values go, and
// dropped() says how many: what the handler got plus what was dropped is
// what was sent, and the newest arrived.
func TestDroppedVisibleToScript(t *testing.T) {
	env := scripttest.FloodEnv(t, scripting.Config{EventMemory: 4096})
	out := runBurst(t, env, `
local got, last = 0, 0
onAsync(function(name, v) got = got + 1; last = v end)
call("tcp", "Emit", 2000)
sleep(0)
print(string.format("%s %d %d", tostring(dropped() > 0), got + dropped(), last))
`)
	if out != "true 2000 2000" {
		t.Errorf("stdout %q; log:\n%s", out, env.Log)
	}
	if n := strings.Count(env.Log.String(), "oldest socket events dropped"); n != 1 || !strings.Contains(env.Log.String(), "plugin=tcp") {
		t.Errorf("the burst was logged %d times, want once naming the plugin; log:\n%s", n, env.Log)
	}
}

// BenchmarkAsyncBurst times 100,000 values from one plugin over TCP until
// the last has reached an idle onAsync handler.
//
//	go test -run '^$' -bench AsyncBurst ./scripting/lua/
func BenchmarkAsyncBurst(b *testing.B) {
	env := scripttest.FloodEnv(b, scripting.Config{}, socket.WithLogger(slog.New(slog.DiscardHandler)))
	for range b.N {
		out := runBurst(b, env, `
call("flood", "Start", N)
idle()
print(nxt - 1)
`)
		if !strings.HasSuffix(out, fmt.Sprint(scripttest.Burst)) {
			b.Fatalf("stdout %q", out)
		}
	}
	b.ReportMetric(float64(scripttest.Burst*b.N)/b.Elapsed().Seconds(), "values/s")
	b.ReportMetric(float64(env.RT.Dropped()), "lost")
}
