package spawn

import (
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// ExitError describes a process that has exited for good (see
// Process.Exit): which, how, when, and what it wrote last. errors.Is(err,
// ErrExited) holds for it.
type ExitError struct {
	// Name and Pid are the process's (Pid of its last child).
	Name string
	Pid  int
	// Status is the exit status, -1 when a signal ended it (Signal then
	// names the signal) or it could not be waited for.
	Status int
	Signal string
	// Time is when its exit was seen.
	Time time.Time
	// Output holds its last lines of output, as Process.Output returns
	// them.
	Output []string
}

// Error returns `kv exited 4 at 18:44:30: "FATAL: config file missing"`
// (the output lines, if any, quoted as one string), or "kv ended by signal
// killed at ...".
func (e *ExitError) Error() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Signal != "" {
		fmt.Fprintf(&b, " ended by signal %s", e.Signal)
	} else {
		fmt.Fprintf(&b, " exited %d", e.Status)
	}
	fmt.Fprintf(&b, " at %s", e.Time.Format(time.TimeOnly))
	if len(e.Output) > 0 {
		fmt.Fprintf(&b, ": %q", strings.Join(e.Output, "\n"))
	}
	return b.String()
}

// Is reports whether target is ErrExited.
func (e *ExitError) Is(target error) bool { return target == ErrExited }

// exitError describes the exit of p's last child c, whose Wait returned
// err.
func (p *Process) exitError(c *exec.Cmd, err error) *ExitError {
	e := &ExitError{Name: p.Name, Status: exitStatus(err), Time: time.Now(), Output: p.Output()}
	if c != nil && c.Process != nil {
		e.Pid = c.Process.Pid
	}
	if c != nil && c.ProcessState != nil && c.ProcessState.ExitCode() == -1 {
		if s, ok := strings.CutPrefix(c.ProcessState.String(), "signal: "); ok {
			e.Signal = s
		}
	}
	return e
}
