package spawn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sync"
)

// Process is one plugin program started by a Spawner: one child, or, with
// the on-failure restart policy, the children that replace it in turn.
type Process struct {
	// Pid is the process id of the first child (of its reaper, which
	// leads the same process group, when the Spawner has one).
	Pid int
	// Name is the name its output is logged under.
	Name string

	sp   *Spawner
	path string
	args []string
	opts Options
	log  *slog.Logger
	out  *lineLogger
	errw *lineLogger

	done     chan struct{} // closed when the last child has exited
	stop     chan struct{} // closed by Kill: no more restarts
	stopOnce sync.Once
	err      error      // the last child's Wait error; set before done is closed
	exit     *ExitError // its description; set before done is closed
	outTail  tail       // the last lines of stdout
	errTail  tail       // and of stderr

	// Guarded by sp.mu.
	cmd      *exec.Cmd // the current (or last) child
	running  bool      // cmd has started and not been waited for
	reaped   bool      // cmd is a reaper running the program
	killed   bool      // Kill was called
	restarts int
}

// Done is closed when the process has exited and will not be restarted.
func (p *Process) Done() <-chan struct{} { return p.done }

// Restarts returns how many times the process has been restarted.
func (p *Process) Restarts() int {
	p.sp.mu.Lock()
	defer p.sp.mu.Unlock()
	return p.restarts
}

// Wait waits for the process to exit for good (restarts included), or for
// ctx to be done, and returns its last exit status (-1 when it was killed by
// a signal or could not be waited for). It does not kill the process when
// ctx ends.
func (p *Process) Wait(ctx context.Context) (int, error) {
	select {
	case <-p.done:
		return exitStatus(p.err), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// Exit returns how the process ended once it has exited for good (see
// Wait): its status, when, and its last lines of output; nil while it runs
// or waits to be restarted. It does not block.
func (p *Process) Exit() *ExitError {
	select {
	case <-p.done:
		return p.exit
	default:
		return nil
	}
}

// Output returns the last lines the process has written so far, oldest
// first: those of stderr (where a program says why it fails), or of stdout
// when it wrote nothing on stderr; at most MaxTailLines. Safe from any
// goroutine.
func (p *Process) Output() []string {
	if lines := p.errTail.last(); len(lines) > 0 {
		return lines
	}
	return p.outTail.last()
}

// ExitStatus returns the last exit status once the process has exited for
// good (see Wait), and false while it runs or waits to be restarted.
func (p *Process) ExitStatus() (int, bool) {
	select {
	case <-p.done:
		return exitStatus(p.err), true
	default:
		return 0, false
	}
}

// Kill kills the process (its whole process group on Unix) at once and
// cancels any restart. Killing a process that has exited kills what is left
// in its group, if anything. It does not wait for the process to exit.
func (p *Process) Kill() error {
	p.stopOnce.Do(func() { close(p.stop) })
	p.sp.mu.Lock()
	p.killed = true
	c, running, reaped := p.cmd, p.running, p.reaped
	_, lingers := p.sp.groups[c.Process.Pid]
	p.sp.mu.Unlock()
	if !running {
		if lingers {
			_ = killGroup(c.Process.Pid)
		}
		return nil
	}
	kill := killChild
	if reaped {
		kill = killReaped
	}
	if err := kill(c); err != nil && !errors.Is(err, errProcessDone) {
		return fmt.Errorf("kill %s (pid %d): %w", p.Name, c.Process.Pid, err)
	}
	return nil
}

// exitStatus is the status a child's Wait error stands for: 0 for nil,
// the exit code, or -1 when it died of a signal or could not be waited for.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}
