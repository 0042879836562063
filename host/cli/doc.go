// Package cli is the switchboard command: its subcommands (run, repl,
// types, check-plugin, version, help), their flags, and the session they
// open (the listener, the socket, the plugins of -spawn, the scripting
// engines). It is the one place that reads the process's arguments,
// environment and signals, once, in Main, and passes them down; every
// command also runs in-process from a state of the tests' own making.
//
// Two mains call Main: host (go run ./host) and cmd/switchboard (go install
// .../cmd/switchboard installs a binary named switchboard).
package cli

// Main runs the command line of the running process (os.Args, the
// environment, the standard streams and signals) and returns the exit
// status: 0 on success, 1 when the script or a REPL statement failed, 2 for
// bad usage. It blocks until the command is done; the caller passes the
// status to os.Exit. Called as the Linux reaper (see spawn.Config.Reaper),
// it does not return.
func Main() int {
	return newState().main()
}
