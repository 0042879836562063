package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/switchboard-rpc/switchboard/repl"
)

// Exit statuses.
const (
	exitOK      = 0 // success
	exitFailed  = 1 // the script, or a REPL statement, failed
	exitUsage   = 2 // bad usage: unknown command or flag, missing argument
	programName = "switchboard"
)

// command is one subcommand of the binary.
type command struct {
	name      string
	usageLine string // after "usage: switchboard "
	short     string // one line for the command list
	long      string // the help text, after the usage line
	// setFlags registers the command's flags on fs; nil for none.
	setFlags func(fs *flag.FlagSet, o *options)
	// run runs the command with the arguments left after the flags. It
	// returns a *usageError for bad usage, an *exitStatus to end with a
	// status of its choosing, or any other error for a failure (status 1).
	run func(st *state, o *options, args []string) error
}

// commands lists the subcommands in the order help shows them.
func commands() []*command {
	return []*command{runCommand, replCommand, typesCommand, checkPluginCommand, versionCommand, helpCommand}
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is bad usage: main prints it with a hint and exits with 2.
type usageError struct {
	cmd *command // nil for the program as a whole
	msg string
}

func (e *usageError) Error() string { return e.msg }

// usage returns a usageError with a formatted message; main adds the command.
func usage(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// exitStatus ends the program with code; what there was to say has been
// said, but for err, printed when not nil.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// main runs the command line of st and returns the exit status.
func (st *state) main() int {
	if len(st.args) == 0 {
		printMainUsage(st.stderr)
		return exitUsage
	}
	name := st.args[0]
	if reapCommand != "" && name == reapCommand {
		return runReaper(st, st.args[1:])
	}
	switch name {
	case "-h", "-help", "--help":
		printMainUsage(st.stdout)
		return exitOK
	}
	cmd := lookup(name)
	if cmd == nil {
		return st.usageFailed(&usageError{msg: fmt.Sprintf("unknown command %q", name)})
	}
	o := &options{}
	fs := newFlagSet(cmd, o)
	if err := fs.Parse(st.args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(st.stdout, cmd, o)
			return exitOK
		}
		return st.usageFailed(&usageError{cmd: cmd, msg: err.Error()})
	}
	if err := o.finish(fs, st); err != nil {
		return st.usageFailed(&usageError{cmd: cmd, msg: err.Error()})
	}
	return st.status(cmd, cmd.run(st, o, fs.Args()))
}

// status reports err and returns the exit status it stands for.
func (st *state) status(cmd *command, err error) int {
	var (
		ue *usageError
		es *exitStatus
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		if ue.cmd == nil {
			ue.cmd = cmd
		}
		return st.usageFailed(ue)
	case errors.As(err, &es):
		if es.err != nil {
			fmt.Fprintf(st.stderr, "%s: %s\n", programName, printable(es.err.Error()))
		}
		return es.code
	}
	fmt.Fprintf(st.stderr, "%s: %s\n", programName, printable(err.Error()))
	return exitFailed
}

// printable escapes the control characters of each line of msg (see
// repl.Escape), keeping the line breaks: an error may carry a plugin's
// message, and a script's error its stack trace.
func printable(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		lines[i] = repl.Escape(l)
	}
	return strings.Join(lines, "\n")
}

// newFlagSet returns the flag set of cmd, writing into o; it prints nothing
// itself: main reports errors and help.
func newFlagSet(cmd *command, o *options) *flag.FlagSet {
	fs := flag.NewFlagSet(programName+" "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if cmd.setFlags != nil {
		cmd.setFlags(fs, o)
	}
	return fs
}

// usageFailed reports bad usage on stderr, the way the go command does, and
// returns exitUsage.
func (st *state) usageFailed(err *usageError) int {
	fmt.Fprintf(st.stderr, "%s: %s\n", programName, err.msg)
	if err.cmd == nil {
		fmt.Fprintf(st.stderr, "Run '%s help' for usage.\n", programName)
	} else {
		fmt.Fprintf(st.stderr, "usage: %s %s\nRun '%s help %s' for details.\n",
			programName, err.cmd.usageLine, programName, err.cmd.name)
	}
	return exitUsage
}

// printMainUsage prints the list of commands.
func printMainUsage(w io.Writer) {
	fmt.Fprintf(w, `Switchboard is a scriptable plugin host: plugins (built with its Go SDK, or
in any language over JSON-RPC 2.0) dial in, and JavaScript or Lua workflows
(or an interactive REPL) call them.

Usage:

	%s <command> [arguments]

The commands are:

`, programName)
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-12s %s\n", c.name, c.short)
	}
	fmt.Fprintf(w, `
Use "%s help <command>" for more information about a command.

Exit status: 0 on success, 1 when the script (or a REPL statement) failed,
2 for bad usage, 128 plus the signal's number after SIGINT (130), SIGHUP
(129) or SIGTERM (143).
`, programName)
}

// printCommandHelp prints the usage line, the help text and the flags of cmd.
func printCommandHelp(w io.Writer, cmd *command, o *options) {
	fmt.Fprintf(w, "usage: %s %s\n\n%s", programName, cmd.usageLine, strings.TrimLeft(cmd.long, "\n"))
	fs := newFlagSet(cmd, o)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

var helpCommand = &command{
	name:      "help",
	usageLine: "help [command]",
	short:     "print help for a command",
	long: `
Help prints the list of commands, or the usage and flags of one command.
`,
}

// init sets the help command's run, which refers back to the command list.
func init() {
	helpCommand.run = runHelp
}

// runHelp prints the usage of the program or of one command.
func runHelp(st *state, _ *options, args []string) error {
	switch len(args) {
	case 0:
		printMainUsage(st.stdout)
		return nil
	case 1:
		cmd := lookup(args[0])
		if cmd == nil {
			return usage("unknown help topic %q", args[0])
		}
		printCommandHelp(st.stdout, cmd, &options{})
		return nil
	}
	return usage("too many arguments")
}
