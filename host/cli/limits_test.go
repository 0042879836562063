package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunawayScriptStatus: a script that asks for more than a bound, or
// recurses without end, fails with status 1, a script failure, and never
// with a fatal error of the Go runtime (status 2, the status of bad usage).
func TestRunawayScriptStatus(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"repeat.js":  `const s = "x".repeat(2 ** 40);`,
		"buffer.js":  `new ArrayBuffer(2 ** 40);`,
		"recurse.js": "function f() { return f() + 1 }\nf();",
		"rep.lua":    `local s = string.rep("x", 1e12)`,
		"gsub.lua":   `string.gsub(string.rep("x", 2^12), "", string.rep("y", 2^18))`,
		"deep.lua":   `local function f() return 1 + f() end f()`,
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		st, _, errb := fakeState("run", path)
		if status := st.main(); status != 1 || !strings.Contains(errb.String(), name+":") {
			t.Errorf("%s: status %d, stderr %q; want 1 and the script's location", name, status, errb)
		}
	}
}
