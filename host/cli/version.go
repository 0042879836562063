package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time (-ldflags
// "-X github.com/switchboard-rpc/switchboard/host/cli.version=v1.2.3");
// without it the module version from the build info is used.
var version = ""

var versionCommand = &command{
	name:      "version",
	usageLine: "version",
	short:     "print the version",
	long: `
Version prints the version of switchboard, the Go version it was built with,
and the platform.
`,
	run: runVersion,
}

// runVersion prints the version line.
func runVersion(st *state, _ *options, args []string) error {
	if len(args) > 0 {
		return usage("version takes no arguments")
	}
	fmt.Fprintf(st.stdout, "%s %s %s %s/%s\n", programName, buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// buildVersion returns the version of this build.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
