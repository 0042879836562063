// Command switchboard is the scriptable plugin host: it listens for plugins
// built with the switchboard SDK and runs JavaScript or Lua workflows, or an
// interactive REPL, that call them.
//
// Usage:
//
//	switchboard run [flags] SCRIPT.js|SCRIPT.ts|SCRIPT.lua [--] [args...]
//	switchboard repl [flags]
//	switchboard types [flags] [-o FILE] [-lang ts|lua]
//	switchboard version
//	switchboard help [command]
//
// Run "switchboard help" for the flags. The exit status is 0 on success, 1
// when the script or a REPL statement failed, and 2 for bad usage.
package main

import (
	"os"

	"github.com/switchboard-rpc/switchboard/host/cli"
)

func main() {
	os.Exit(cli.Main())
}
