package lua_test

import "testing"

// TestSpawnRestartOption: spawn's restart options reach the spawner from a
// script; wait() returns when the process has exited for good.
func TestSpawnRestartOption(t *testing.T) {
	expect(t, `
local h = spawn("sh", {"-c", "exit 3"}, {restart = "on-failure", maxRestarts = 1})
print(h.wait())
local ok, err = pcall(spawn, "sh", {}, {restart = "sometimes"})
print(ok, err.code)
`, "3\nfalse\tbad_argument")
}
