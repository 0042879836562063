package scripting

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// DefaultKillGrace is how long Spawner.Close waits after asking the
// children to stop (SIGTERM to the process group) before killing them.
const DefaultKillGrace = 3 * time.Second

// Restart policies of SpawnOptions.Restart.
const (
	// RestartNever leaves a child that exited alone (the default).
	RestartNever = "never"
	// RestartOnFailure starts a child again when it exits with a non-zero
	// status or is killed by a signal it was not sent by Kill or Close.
	RestartOnFailure = "on-failure"
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

// Spawner starts plugin programs as child processes and stops them when it
// is closed. Each child gets SWITCHBOARD_ADDR and, when set,
// SWITCHBOARD_TOKEN in its environment; its stdout and stderr lines go to
// the log, prefixed with its name, as the child wrote them (slog's text
// handler quotes and escapes control characters; another handler that
// writes to a terminal must do the same).
//
// On Unix every child leads its own process group, which Kill and Close
// signal as a whole; Close signals the group of every child it ever
// started, exited ones included, so what a child left behind in its group
// ends with the Spawner. On Linux the child also gets SIGKILL if the host
// dies (the parent-death signal), and SetReaper can put a reaper between
// the host and each child so that every descendant ends with it.
//
// Every exit is logged with its status (a failure as a warning), and a
// child started with the on-failure restart policy is started again after
// a back-off. A child that exited 0 while a process it started still holds
// its output open has succeeded: its pipes are closed after a second and
// its exit is reported as 0.
//
// A Spawner is safe for concurrent use. The zero value is not usable; make
// one with NewSpawner.
type Spawner struct {
	log   *slog.Logger
	addr  string
	token string

	mu     sync.Mutex
	grace  time.Duration
	env    map[string]string
	reaper []string // the reaper's path and arguments, or nil
	procs  map[*Process]struct{}
	// groups holds the process group of every child started, until the
	// group is found empty after the child's exit: Close signals them all.
	groups map[int]struct{}
	closed bool
	quit   chan struct{} // closed by Close: supervisors stop restarting
	wg     sync.WaitGroup
}

// NewSpawner returns a Spawner whose children dial addr with token (token
// may be empty). Output and lifecycle go to log (slog.Default() when nil).
func NewSpawner(log *slog.Logger, addr, token string) *Spawner {
	if log == nil {
		log = slog.Default()
	}
	return &Spawner{log: log, addr: addr, token: token, grace: DefaultKillGrace,
		procs: map[*Process]struct{}{}, groups: map[int]struct{}{}, quit: make(chan struct{})}
}

// SetKillGrace sets how long Close waits between asking the children to
// stop and killing them (DefaultKillGrace by default). Call it before Close.
func (s *Spawner) SetKillGrace(d time.Duration) {
	s.mu.Lock()
	s.grace = d
	s.mu.Unlock()
}

// SetEnv sets environment variables every child started afterwards gets,
// on top of SWITCHBOARD_ADDR and SWITCHBOARD_TOKEN (a host serving TLS puts
// SWITCHBOARD_CA here); SpawnOptions.Env may override them.
func (s *Spawner) SetEnv(env map[string]string) {
	s.mu.Lock()
	s.env = maps.Clone(env)
	s.mu.Unlock()
}

// SetReaper makes every child started afterwards run under a reaper: the
// program at path is executed with argv (argv[0] first) followed by the
// child's resolved path and its arguments, in the child's directory and
// environment, as the leader of a new process group. A reaper must:
//
//   - run the command as its child, in the reaper's process group, and exit
//     with the command's status (or die of the signal that killed it);
//   - end every descendant of the command when the command exits;
//   - on SIGHUP, which Kill sends it instead of killing its group (that
//     would end the reaper before it could end the descendants that left
//     the group), kill the command and then every descendant at once (a
//     reaper that has not yet started the command dies of it, as a
//     program does by default);
//   - when its own parent dies, do the same (on Linux it gets SIGTERM then,
//     the parent-death signal); a SIGTERM while its parent lives is Close
//     asking the command to stop, and the command, in the group, has it too.
//
// What is left in the group after Close's grace period is killed all the
// same. The host's reaper is the host binary re-executed (see the README).
// Process.Pid is then the reaper's pid. Call it before Start; nil argv
// removes the reaper.
func (s *Spawner) SetReaper(path string, argv []string) {
	s.mu.Lock()
	s.reaper = nil
	if argv != nil {
		s.reaper = append([]string{path}, argv...)
	}
	s.mu.Unlock()
}

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
	opts SpawnOptions
	log  *slog.Logger
	out  *lineLogger
	errw *lineLogger

	done     chan struct{} // closed when the last child has exited
	stop     chan struct{} // closed by Kill: no more restarts
	stopOnce sync.Once
	err      error // the last child's Wait error; set before done is closed

	// Guarded by sp.mu.
	cmd      *exec.Cmd // the current (or last) child
	running  bool      // cmd has started and not been waited for
	reaped   bool      // cmd is a reaper running the program
	killed   bool      // Kill was called
	restarts int
}

// Start starts cmd with args as a child process and returns at once. A cmd
// without a path separator is looked up in PATH. The error wraps
// ErrBadArgument for an empty command or bad options, ErrClosed after Close.
func (s *Spawner) Start(cmd string, args []string, opts SpawnOptions) (*Process, error) {
	if cmd == "" {
		return nil, badArgument("spawn: empty command")
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(cmd)
	}
	log := s.log.With("plugin", name)
	p := &Process{
		Name: name, sp: s, path: cmd, args: args, opts: opts, log: log,
		out:  &lineLogger{log: log, prefix: name, stream: "stdout"},
		errw: &lineLogger{log: log, prefix: name, stream: "stderr"},
		done: make(chan struct{}), stop: make(chan struct{}),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("spawn %s: %w", cmd, ErrClosed)
	}
	c, err := s.startLocked(p)
	if err != nil {
		return nil, fmt.Errorf("spawn %s: %w", cmd, err)
	}
	p.Pid = c.Process.Pid
	s.procs[p] = struct{}{}
	log.Info("plugin process started", "pid", p.Pid, "cmd", cmd, "args", args)
	s.wg.Add(1)
	go s.supervise(p, c)
	return p, nil
}

// startLocked starts a child for p; s.mu is held.
func (s *Spawner) startLocked(p *Process) (*exec.Cmd, error) {
	c := exec.Command(p.path, p.args...)
	c.Dir = p.opts.Dir
	env := c.Environ()
	env = append(env, plugin.EnvAddr+"="+s.addr)
	if s.token != "" {
		env = append(env, plugin.EnvToken+"="+s.token)
	}
	for _, k := range slices.Sorted(maps.Keys(s.env)) {
		env = append(env, k+"="+s.env[k])
	}
	for k, v := range p.opts.Env {
		env = append(env, k+"="+v) // exec keeps the last value of a key
	}
	c.Env = env
	c.Stdout, c.Stderr = p.out, p.errw
	c.WaitDelay = time.Second // a grandchild holding the pipes open does not block Wait
	if s.reaper != nil {
		if err := s.underReaper(c); err != nil {
			return nil, err
		}
	}
	setProcessGroup(c, s.reaper != nil)
	if err := c.Start(); err != nil {
		return nil, err
	}
	p.cmd, p.running, p.reaped = c, true, s.reaper != nil
	for g := range s.groups {
		if !groupAlive(g) {
			delete(s.groups, g) // forgotten before its id can be reused
		}
	}
	s.groups[c.Process.Pid] = struct{}{}
	return c, nil
}

// underReaper rewrites c to run under the reaper; s.mu is held. The command is
// checked here, as exec would check it, so that a missing program fails
// Start rather than the reaper.
func (s *Spawner) underReaper(c *exec.Cmd) error {
	if c.Err != nil {
		return c.Err
	}
	check := c.Path
	if c.Dir != "" && !filepath.IsAbs(check) {
		check = filepath.Join(c.Dir, check)
	}
	if _, err := exec.LookPath(check); err != nil {
		return err
	}
	args := append(slices.Clone(s.reaper[1:]), c.Path)
	c.Args = append(args, c.Args[1:]...)
	c.Path = s.reaper[0]
	return nil
}

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
			p.log.Warn("plugin process exited", "pid", c.Process.Pid, "status", status, "err", err,
				"restarts", p.Restarts())
			s.finish(p, err)
			return
		default:
			p.log.Info("plugin process exited", "pid", c.Process.Pid, "status", status)
			s.finish(p, err)
			return
		}
		delay = nextDelay(delay, time.Since(began))
		p.log.Warn("plugin process exited; restarting", "pid", c.Process.Pid, "status", status, "err", err,
			"restart_in", delay)
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
			s.finish(p, err)
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
			s.finish(p, err)
			return
		}
		p.log.Info("plugin process restarted", "pid", next.Process.Pid, "restarts", n)
		c = next
	}
}

// nextDelay is the back-off before the next restart, after one of prev
// and a child that ran for ran.
func nextDelay(prev, ran time.Duration) time.Duration {
	if prev == 0 || ran >= restartReset {
		return MinRestartDelay
	}
	return min(2*prev, MaxRestartDelay)
}

// finish records the last child's end and forgets p.
func (s *Spawner) finish(p *Process, err error) {
	p.err = err
	close(p.done)
	s.mu.Lock()
	delete(s.procs, p)
	s.mu.Unlock()
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
// in its group, if anything.
func (p *Process) Kill() error {
	p.stopOnce.Do(func() { close(p.stop) })
	p.sp.mu.Lock()
	p.killed = true
	c, running, reaped := p.cmd, p.running, p.reaped
	_, lingers := p.sp.groups[c.Process.Pid]
	p.sp.mu.Unlock()
	if !running {
		if lingers {
			_ = signalGroup(c.Process.Pid, true)
		}
		return nil
	}
	kill := killGroup
	if reaped {
		kill = killReaped
	}
	if err := kill(c, true); err != nil && !errors.Is(err, errProcessDone) {
		return fmt.Errorf("kill %s (pid %d): %w", p.Name, c.Process.Pid, err)
	}
	return nil
}

// Close stops every child still running and what the children left
// behind: it cancels pending restarts, asks the children to stop (SIGTERM to
// the process group of every child ever started, exited ones included),
// kills those still running after a grace period, waits for all of them,
// then kills what is left in those groups (at the latest when the grace
// period ends). Start fails after Close. Close blocks; it is safe to call
// more than once.
func (s *Spawner) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.quit)
	}
	grace := s.grace
	procs := make([]*Process, 0, len(s.procs))
	var running []*exec.Cmd
	for p := range s.procs {
		procs = append(procs, p)
		if p.running {
			running = append(running, p.cmd)
		}
	}
	groups := slices.Collect(maps.Keys(s.groups))
	s.mu.Unlock()
	for _, c := range running {
		_ = killGroup(c, false)
	}
	for _, g := range groups {
		if !slices.ContainsFunc(running, func(c *exec.Cmd) bool { return c.Process.Pid == g }) {
			_ = signalGroup(g, false) // left behind by a child that exited
		}
	}
	end := time.Now().Add(grace)
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for _, p := range procs {
		select {
		case <-p.done:
		case <-deadline.C:
			for _, q := range procs {
				_ = q.Kill()
			}
			<-p.done
		}
	}
	s.wg.Wait()
	s.endGroups(groups, end)
	return nil
}

// endGroups waits until the groups are empty or the time is end, then kills
// what is left in them. No event says that a group became empty (its members
// are not the Spawner's children), so it looks again every few
// milliseconds.
func (s *Spawner) endGroups(groups []int, end time.Time) {
	for {
		groups = slices.DeleteFunc(groups, func(g int) bool { return !groupRunning(g) })
		if len(groups) == 0 || !time.Now().Before(end) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, g := range groups {
		_ = signalGroup(g, true)
	}
	s.mu.Lock()
	clear(s.groups)
	s.mu.Unlock()
}

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

// lineLogger logs what a child writes, one record per line.
type lineLogger struct {
	log    *slog.Logger
	prefix string
	stream string
	buf    []byte
}

// maxLine is the longest line logged whole; longer ones are cut.
const maxLine = 64 << 10

func (w *lineLogger) Write(b []byte) (int, error) {
	n := len(b)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			w.buf = append(w.buf, b...)
			if len(w.buf) > maxLine {
				w.flush()
			}
			break
		}
		w.buf = append(w.buf, b[:i]...)
		w.flush()
		b = b[i+1:]
	}
	return n, nil
}

func (w *lineLogger) flush() {
	if len(w.buf) == 0 {
		return
	}
	line := string(bytes.TrimRight(w.buf, "\r"))
	w.buf = w.buf[:0]
	w.log.Info(w.prefix+": "+line, "stream", w.stream)
}
