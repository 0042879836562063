package scripting_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
)

// envPlugin makes the test binary serve a test plugin instead of testing,
// for the spawn tests; envPrint makes it print a line to stdout and stderr
// first.
const (
	envPlugin = "SCRIPTTEST_PLUGIN"
	envPrint  = "SCRIPTTEST_PRINT"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(envPlugin); name != "" {
		if msg := os.Getenv(envPrint); msg != "" {
			fmt.Println(msg)
			fmt.Fprintln(os.Stderr, msg+" (stderr)")
		}
		if err := scripttest.ServeMain(name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}
