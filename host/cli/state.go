package cli

import (
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/peterh/liner"
)

// state is everything the program takes from its process: arguments,
// environment, standard streams, signals and the way to exit. Main builds it
// from the real process; tests build one of their own, so every command runs
// in-process. Nothing below host reads os.Args, the environment or signals.
type state struct {
	// args is the command line after the program name.
	args []string
	// environ is the environment, as os.Environ returns it.
	environ []string
	// stdin, stdout and stderr are the standard streams.
	stdin          io.Reader
	stdout, stderr io.Writer
	// terminal is true when stdin and stdout are both terminals; the REPL
	// then uses line editing (liner, which works on the real os.Stdin and
	// os.Stdout).
	terminal bool
	// stderrTerminal is true when stderr is a terminal: long steps then
	// show their progress in place (progress.go).
	stderrTerminal bool
	// notify and stopNotify relay signals as signal.Notify and signal.Stop do.
	notify     func(c chan<- os.Signal, sig ...os.Signal)
	stopNotify func(c chan<- os.Signal)
	// exit ends the process at once (on a second interrupt).
	exit func(code int)
}

// newState returns the state of the running process.
func newState() *state {
	return &state{
		args:     os.Args[1:],
		environ:  os.Environ(),
		stdin:    os.Stdin,
		stdout:   os.Stdout,
		stderr:   os.Stderr,
		terminal: stdinIsTerminal() && isCharDevice(os.Stdout),

		stderrTerminal: isCharDevice(os.Stderr),
		notify:         signal.Notify,
		stopNotify:     signal.Stop,
		exit:           os.Exit,
	}
}

// getenv returns the value of the environment variable key, or "".
func (st *state) getenv(key string) string {
	for i := len(st.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(st.environ[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// stdinIsTerminal reports whether os.Stdin is a terminal: liner can read its
// mode (a character device such as /dev/null is not enough).
func stdinIsTerminal() bool {
	_, err := liner.TerminalMode()
	return err == nil && isCharDevice(os.Stdin)
}

// isCharDevice reports whether f is a character device, as a terminal is.
func isCharDevice(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
