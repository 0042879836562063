package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunStatus runs scripts in-process and checks the exit status and the
// message of each outcome.
func TestRunStatus(t *testing.T) {
	dir := t.TempDir()
	scripts := map[string]string{
		"ok.js":    `console.log("fine")`,
		"ok.lua":   `print("fine")`,
		"bad.js":   "\n\nthrow new Error(\"boom\");",
		"bad.lua":  "\n\nerror(\"boom\")",
		"exit.js":  `exit(3)`,
		"exit.lua": `exit(5)`,
		"zero.js":  `exit(0); console.log("not reached")`,
		"args.js":  `console.log(args.join("+"))`,
		"args.lua": `print(table.concat(arg, "+"))`,
	}
	for name, src := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args   []string
		status int
		stdout string
		stderr string
	}{
		{args: []string{"ok.js"}, status: 0, stdout: "fine\n"},
		{args: []string{"ok.lua"}, status: 0, stdout: "fine\n"},
		{args: []string{"bad.js"}, status: 1, stderr: "bad.js:3"},
		{args: []string{"bad.lua"}, status: 1, stderr: "bad.lua:3"},
		{args: []string{"exit.js"}, status: 3},
		{args: []string{"exit.lua"}, status: 5},
		{args: []string{"zero.js"}, status: 0},
		{args: []string{"args.js", "a", "b"}, status: 0, stdout: "a+b\n"},
		{args: []string{"args.js", "--", "-x", "y"}, status: 0, stdout: "-x+y\n"},
		{args: []string{"args.lua", "a", "b"}, status: 0, stdout: "a+b\n"},
	}
	for _, tt := range tests {
		args := append([]string{"run", filepath.Join(dir, tt.args[0])}, tt.args[1:]...)
		st, out, errb := fakeState(args...)
		status := st.main()
		if status != tt.status {
			t.Errorf("run %q: status %d, want %d; stderr:\n%s", tt.args, status, tt.status, errb)
		}
		if out.String() != tt.stdout {
			t.Errorf("run %q: stdout %q, want %q", tt.args, out, tt.stdout)
		}
		if !strings.Contains(errb.String(), tt.stderr) {
			t.Errorf("run %q: stderr %q, want it to contain %q", tt.args, errb, tt.stderr)
		}
	}
}
