// Command host is the switchboard binary under the name of its directory,
// so that `go run ./host ...` works from a clone; `go install
// github.com/switchboard-rpc/switchboard/cmd/switchboard@latest` installs
// the same program as switchboard. See package cli.
package main

import (
	"os"

	"github.com/switchboard-rpc/switchboard/host/cli"
)

func main() {
	os.Exit(cli.Main())
}
