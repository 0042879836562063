package scripting_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// envPlugin makes the test binary serve a test plugin instead of testing,
// for the spawn tests; envPrint makes it print a line to stdout and stderr
// first; envCrashes ("path:n") makes it exit with status 3 at once the first
// n times it is started, counting its starts as lines in the file at path.
const (
	envPlugin  = "SCRIPTTEST_PLUGIN"
	envPrint   = "SCRIPTTEST_PRINT"
	envCrashes = "SCRIPTTEST_CRASHES"
)

// crashStatus is the exit status of a child made to crash by envCrashes.
const crashStatus = 3

func TestMain(m *testing.M) {
	if name := os.Getenv(envPlugin); name != "" {
		if msg := os.Getenv(envPrint); msg != "" {
			fmt.Println(msg)
			fmt.Fprintln(os.Stderr, msg+" (stderr)")
		}
		if spec := os.Getenv(envCrashes); spec != "" && proctest.CrashNow(spec) {
			fmt.Fprintln(os.Stderr, "crashing on purpose")
			os.Exit(crashStatus)
		}
		if err := plugin.Serve(&childPlugin{}, &plugin.Info{Name: name, Version: "1.0"}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// childPlugin is the test plugin as a child process serves it: Hang says
// on stderr that it has started, so that a test knows the call arrived.
type childPlugin struct{ scripttest.Plugin }

// Hang reports that it started, then waits until the call is cancelled.
func (c *childPlugin) Hang(ctx context.Context, in struct{}) (string, error) {
	fmt.Fprintln(os.Stderr, "hang started")
	return c.Plugin.Hang(ctx, in)
}
