//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// burstScript counts the values of a burst of 100,000 and checks their
// order; it prints what it got, whether in order, and dropped().
const burstScript = `
let next = 1, bad = ""
onAsync((name, v) => {
  if (v !== next && bad === "") bad = "value " + next + " is " + v
  next++
})
const n = call("flood", "Emit", 100000)
sleep(0) // the values arrived before the answer: one pass handles them
console.log(n, next - 1, bad || "in order", dropped() > 0 ? "some dropped" : "none dropped")
`

// TestRunBurstLogsNothing: switchboard run with its defaults hands a
// script every one of 100,000 values a spawned plugin sends as fast as it
// can, in order, and logs nothing about drops, since there were none (it
// used to warn "async backlog full" for a backlog nobody reads).
func TestRunBurstLogsNothing(t *testing.T) {
	script := filepath.Join(t.TempDir(), "burst.js")
	os.WriteFile(script, []byte(burstScript), 0o600)
	stdout, stderr, err := runHost(t, 60*time.Second, "run", "-spawn", "flood", "-wait", "flood", script)
	if err != nil {
		t.Fatalf("run: %v; stderr:\n%s", err, stderr)
	}
	if want := "100000 100000 in order none dropped\n"; stdout != want {
		t.Errorf("stdout %q, want %q", stdout, want)
	}
	if strings.Contains(stderr, "dropped") || strings.Contains(stderr, "level=WARN") {
		t.Errorf("the host logged about drops although there were none:\n%s", stderr)
	}
}

// TestEventMemoryFlag: -event-memory sets the bound; past it the script
// loses the oldest values, sees it with dropped(), and the host logs the
// burst once, naming the plugin.
func TestEventMemoryFlag(t *testing.T) {
	script := filepath.Join(t.TempDir(), "burst.js")
	os.WriteFile(script, []byte(burstScript), 0o600)
	stdout, stderr, err := runHost(t, 60*time.Second, "run", "-event-memory", "64KiB",
		"-spawn", "flood", "-wait", "flood", script)
	if err != nil {
		t.Fatalf("run: %v; stderr:\n%s", err, stderr)
	}
	if !strings.HasPrefix(stdout, "100000 ") || !strings.HasSuffix(stdout, " some dropped\n") {
		t.Errorf("stdout %q, want values dropped", stdout)
	}
	if n := strings.Count(stderr, "oldest socket events dropped"); n != 1 || !strings.Contains(stderr, "plugin=flood") {
		t.Errorf("the burst was logged %d times, want once naming the plugin:\n%s", n, stderr)
	}
	if _, _, err := runHost(t, 10*time.Second, "run", "-event-memory", "lots", script); err == nil {
		t.Error("-event-memory lots was accepted")
	}
}
