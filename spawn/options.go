package spawn

import (
	"errors"
	"fmt"
)

// Errors of the package, testable with errors.Is.
var (
	// ErrBadArgument wraps every error about bad input to Start: an empty
	// command, an unknown restart policy, a negative bound.
	ErrBadArgument = errors.New("bad argument")
	// ErrClosed means the Spawner has been closed.
	ErrClosed = errors.New("spawner closed")
	// ErrExited is matched by the *ExitError of a process that has
	// exited for good.
	ErrExited = errors.New("plugin process exited")
)

// Restart policies of Options.Restart.
const (
	// RestartNever leaves a child that exited alone (the default).
	RestartNever = "never"
	// RestartOnFailure starts a child again when it exits with a non-zero
	// status or is killed by a signal it was not sent by Kill or Close.
	RestartOnFailure = "on-failure"
)

// Options are the options of one Start.
type Options struct {
	// Dir is the child's working directory (default: the host's).
	Dir string
	// Env holds extra environment variables for the child, on top of the
	// host's environment, SWITCHBOARD_ADDR/SWITCHBOARD_TOKEN and
	// Config.Env.
	Env map[string]string
	// Name prefixes the child's output lines in the log (default: the base
	// name of the command).
	Name string
	// Restart is the restart policy: RestartNever ("never", also the
	// default when empty) or RestartOnFailure ("on-failure": a child that
	// exits with a non-zero status or dies of a signal it was not sent by
	// Kill or Close is started again, after a back-off from MinRestartDelay
	// doubling up to MaxRestartDelay).
	Restart string
	// MaxRestarts bounds the restarts of the on-failure policy; zero means
	// no bound. It needs Restart "on-failure".
	MaxRestarts int
}

// Validate checks the restart policy; the error wraps ErrBadArgument.
func (o Options) Validate() error {
	switch o.Restart {
	case "", RestartNever, RestartOnFailure:
	default:
		return badArgument("spawn options: restart must be %q or %q, not %q", RestartNever, RestartOnFailure, o.Restart)
	}
	if o.MaxRestarts < 0 {
		return badArgument("spawn options: maxRestarts must not be negative, got %d", o.MaxRestarts)
	}
	if o.MaxRestarts > 0 && o.Restart != RestartOnFailure {
		return badArgument("spawn options: maxRestarts needs restart %q", RestartOnFailure)
	}
	return nil
}

// badArgument returns an error wrapping ErrBadArgument.
func badArgument(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadArgument, fmt.Sprintf(format, args...))
}
