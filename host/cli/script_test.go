package cli

import (
	"path/filepath"
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
		RequireExplicitExec: true,
	})
}
