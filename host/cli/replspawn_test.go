package cli

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestREPLCallWaitsForASpawnedPluginStarting: without -wait, the first
// entry calls the plugin of -spawn at once; the call waits for the plugin
// to connect instead of failing not_connected. A plugin that is not
// spawned still fails at once.
func TestREPLCallWaitsForASpawnedPluginStarting(t *testing.T) {
	bin, err := exec.LookPath(programName)
	if err != nil {
		t.Fatal(err)
	}
	input := `call("echo", "Upper", {text: "first"}).text
call("nobody", "Upper", {})
`
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "repl", "-history", "off", "-wait-timeout", "20s",
		"-spawn", filepath.Join(pluginDir, "echo"))
	cmd.Stdin = strings.NewReader(input)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Error("the REPL succeeded although the call to nobody failed")
	}
	if !strings.Contains(stdout.String(), "FIRST") {
		t.Errorf("the first call did not wait for echo; stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "nobody") || strings.Contains(stderr.String(), "echo.Upper") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
