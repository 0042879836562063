package js_test

import "testing"

// TestSpawnRestartOption: spawn's restart options reach the spawner from a
// script; wait() returns when the process has exited for good.
func TestSpawnRestartOption(t *testing.T) {
	expect(t, `
const h = spawn("sh", ["-c", "exit 3"], {restart: "on-failure", maxRestarts: 1})
console.log(h.wait())
try { spawn("sh", [], {restart: "sometimes"}) } catch (e) { console.log(e.code) }
`, "3\nbad_argument")
}
