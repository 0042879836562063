package js_test

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
// notes the first one out of order.
const counter = `
let next = 1, bad = ""
onAsync((name, v) => {
  if (v !== next && bad === "") bad = "value " + next + " is " + v
  next++
})
function idle() {
  const deadline = Date.now() + 20000
  while (next <= N && bad === "" && Date.now() < deadline) sleep(1)
}
`

func runBurst(t testing.TB, env *scripttest.Env, src string) string {
	t.Helper()
	e, err := newJS(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	path := scripttest.WriteFile(t, t.TempDir(), "burst.js", fmt.Sprintf("const N = %d\n", scripttest.Burst)+counter+src)
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
console.log(next - 1, bad || "in order", dropped())
`)
	if want := fmt.Sprintf("%d in order 0", scripttest.Burst); out != want {
		t.Errorf("stdout %q, want %q; log:\n%s", out, want, env.Log)
	}
}

// TestBurstBeforeCallAsyncSettles: the case, an idle handler and
// a script awaiting callAsync of a method that sends 100,000 values before
// it answers: every value has been handled when the promise settles.
func TestBurstBeforeCallAsyncSettles(t *testing.T) {
	env := scripttest.FloodEnv(t, scripting.Config{})
	out := runBurst(t, env, `
callAsync("tcp", "Emit", N).then(n => console.log(n, next - 1, bad || "in order", dropped()))
`)
	if want := fmt.Sprintf("%d %d in order 0", scripttest.Burst, scripttest.Burst); out != want {
		t.Errorf("stdout %q, want %q; log:\n%s", out, want, env.Log)
	}
}

// TestBurstWaitsForBlockedCall: while the script is blocked in a
// synchronous call, the 100,000 values it sends wait for the script (the
// bound is far away), and the next pass of the loop delivers them all.
func TestBurstWaitsForBlockedCall(t *testing.T) {
	env := scripttest.FloodEnv(t, scripting.Config{})
	out := runBurst(t, env, `
const n = call("tcp", "Emit", N)
const before = next - 1
sleep(0)
console.log(n, before, next - 1, bad || "in order", dropped())
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
let got = 0, last = 0
onAsync((name, v) => { got++; last = v })
call("tcp", "Emit", 2000)
sleep(0)
console.log(dropped() > 0, got + dropped(), last)
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
//	go test -run '^$' -bench AsyncBurst ./scripting/js/
func BenchmarkAsyncBurst(b *testing.B) {
	env := scripttest.FloodEnv(b, scripting.Config{}, socket.WithLogger(slog.New(slog.DiscardHandler)))
	for range b.N {
		out := runBurst(b, env, `
call("flood", "Start", N)
idle()
console.log(next - 1)
`)
		if !strings.HasSuffix(out, fmt.Sprint(scripttest.Burst)) {
			b.Fatalf("stdout %q", out)
		}
	}
	b.ReportMetric(float64(scripttest.Burst*b.N)/b.Elapsed().Seconds(), "values/s")
	b.ReportMetric(float64(env.RT.Dropped()), "lost")
}
