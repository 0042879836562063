package cli

import (
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScripts runs the end-to-end scripts in testdata/*.txtar against the
// switchboard binary (this test binary, see TestMain). $PLUGINS holds the
// example plugins, $EXAMPLES the examples directory; the go command's
// settings are passed on so that scripts can build Go code.
func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PLUGINS", pluginDir)
			env.Setenv("EXAMPLES", examples)
			for k, v := range goEnv {
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"freeport": freePort},
		RequireExplicitExec: true,
	})
}

// freePort sets the variable named by its argument to a loopback TCP port
// that was free a moment ago, for a server that must listen on a port
// known before it starts (a NATS route listener).
func freePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := lis.Addr().(*net.TCPAddr).Port
	ts.Check(lis.Close())
	ts.Setenv(args[0], strconv.Itoa(port))
}
