package spawn

import (
	"errors"
	"os/exec"
	"strings"
	"time"
)

// Back-off between restarts: the first restart waits MinRestartDelay, each
// next one twice as long, up to MaxRestartDelay. A child that ran for at
// least restartReset before failing starts the back-off over.
const (
	// MinRestartDelay is the wait before the first restart.
	MinRestartDelay = 100 * time.Millisecond
	// MaxRestartDelay is the longest wait between two restarts.
	MaxRestartDelay = 5 * time.Second
	// restartReset is how long a child must have run for the back-off
	// to start over.
	restartReset = 2 * MaxRestartDelay
)

// supervise waits for p's child c, logs its exit and, when p's policy says
// so, starts a new child after a back-off, until one exits for good.
func (s *Spawner) supervise(p *Process, c *exec.Cmd) {
	defer s.wg.Done()
	var delay time.Duration
	for {
		began := time.Now()
		err := c.Wait()
		p.out.flush()
		p.errw.flush()
		if errors.Is(err, exec.ErrWaitDelay) && c.ProcessState != nil && c.ProcessState.Success() {
			p.log.Warn("plugin process exited 0 but a process it started held its output open; output no longer read",
				"pid", c.Process.Pid)
			err = nil
		}
		status := exitStatus(err)
		s.mu.Lock()
		p.running = false
		if !groupAlive(c.Process.Pid) {
			delete(s.groups, c.Process.Pid)
		}
		stopped := p.killed || s.closed
		restart := !stopped && err != nil && p.opts.Restart == RestartOnFailure &&
			(p.opts.MaxRestarts == 0 || p.restarts < p.opts.MaxRestarts)
		s.mu.Unlock()
		switch {
		case restart:
		case err != nil && !stopped:
			attrs := []any{"pid", c.Process.Pid, "status", status, "err", err, "restarts", p.Restarts()}
			p.log.Warn("plugin process exited", append(attrs, outputAttr(p)...)...)
			s.finish(p, c, err)
			return
		default:
			p.log.Info("plugin process exited", "pid", c.Process.Pid, "status", status)
			s.finish(p, c, err)
			return
		}
		delay = nextDelay(delay, time.Since(began))
		attrs := []any{"pid", c.Process.Pid, "status", status, "err", err, "restart_in", delay}
		p.log.Warn("plugin process exited; restarting", append(attrs, outputAttr(p)...)...)
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-p.stop:
		case <-s.quit:
		}
		t.Stop()
		s.mu.Lock()
		if p.killed || s.closed {
			s.mu.Unlock()
			p.log.Info("plugin process not restarted: stopped", "status", status)
			s.finish(p, c, err)
			return
		}
		next, serr := s.startLocked(p)
		if serr == nil {
			p.restarts++
		}
		n := p.restarts
		s.mu.Unlock()
		if serr != nil {
			p.log.Error("plugin process could not be restarted", "err", serr)
			s.finish(p, c, err)
			return
		}
		p.log.Info("plugin process restarted", "pid", next.Process.Pid, "restarts", n)
		if s.restart != nil {
			s.restart(p.Name)
		}
		c = next
	}
}

// outputAttr is the log attribute with p's last lines of output, if it
// wrote any: a child that dies at start says why in them.
func outputAttr(p *Process) []any {
	out := p.Output()
	if len(out) == 0 {
		return nil
	}
	return []any{"output", strings.Join(out, "\n")}
}

// nextDelay is the back-off before the next restart, after one of prev
// and a child that ran for ran.
func nextDelay(prev, ran time.Duration) time.Duration {
	if prev == 0 || ran >= restartReset {
		return MinRestartDelay
	}
	return min(2*prev, MaxRestartDelay)
}
