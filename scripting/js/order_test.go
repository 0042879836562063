package js_test

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
// queued events, also from inside a callback or a promise continuation.
// Under -race this also shows that no callback runs concurrently with the
// script.
func TestOrdering(t *testing.T) {
	expect(t, `
const got = []
let nested = -1
onAsync((name, v) => {
  got.push(v)
  if (v === 1) { while (got.length < 50) sleep(1); nested = got.length }
})
const n = call("echo", "Emit", 100)
console.log(n, got.length)
while (got.length < 100) waitFor("never", 2)
console.log(got.every((v, i) => v === i + 1), nested >= 50)
callAsync("echo", "Add", {a: 1, b: 2}).then(() => {
  call("echo", "Emit", 3)
  const before = got.length
  while (got.length < 103) sleep(1)
  console.log(before, got.slice(100).join(","))
})
`, `100 0
true true
100 1,2,3`)
}

// TestSlowScriptDoesNotStallPlugins floods async values while the script
// is blocked: the plugin's calls complete, the overflow is counted and
// logged.
func TestSlowScriptDoesNotStallPlugins(t *testing.T) {
	env := setup(t, scripting.Config{EventMemory: 1024})
	out, err := run(t, env, `
let n = 0
onAsync(() => n++)
console.log(call("echo", "Emit", 2000))
console.log(call("echo", "Add", {a: 1, b: 1}))
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

// TestAsyncValuesBeforeAnswer: values a plugin sends before answering a
// callAsync reach the script's handlers before the promise settles.
func TestAsyncValuesBeforeAnswer(t *testing.T) {
	expect(t, `
let seen = 0
onAsync(() => seen++)
async function main() {
  for (let i = 0; i < 20; i++) {
    const before = seen
    await callAsync("echo", "Emit", 5)
    if (seen - before !== 5) throw new Error("round " + i + ": " + (seen - before) + " values before the answer")
  }
  console.log("ordered", seen)
}
main()
`, `ordered 100`)
}
