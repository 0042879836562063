package plugins_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The workflows in examples/scripts run with the real switchboard binary,
// which spawns each example with its interpreter.
func TestJSONRPCWorkflows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the switchboard binary")
	}
	bin := filepath.Join(t.TempDir(), "switchboard")
	ctx, cancel := context.WithTimeout(context.Background(), deadline*3)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./host")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building switchboard: %v\n%s", err, out)
	}
	for _, ex := range jsonrpcExamples {
		t.Run(ex.name, func(t *testing.T) {
			skipWithout(t, ex.interp, ex.needs)
			run := exec.CommandContext(ctx, bin, "run", "examples/scripts/"+ex.name+".js")
			run.Dir = "../.."
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, want := range []string{
				"+ " + ex.name + " 1.0 connected",
				ex.name + ".upper: HELLO FROM " + strings.ToUpper(ex.name),
				ex.name + ".count: 3, steps seen: 1/3 2/3 3/3",
				ex.name + ".fail threw (remote)",
				ex.name + ".boom threw (panic)",
				ex.name + ".nope threw (method_not_found)",
				ex.name + ".slow threw (timeout)",
				"- " + ex.name + " disconnected (stopped)",
				"done",
			} {
				if !strings.Contains(string(out), want+"\n") {
					t.Errorf("no line %q in:\n%s", want, out)
				}
			}
		})
	}
}
