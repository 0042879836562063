package spawn

import (
	"context"
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

// Config configures a Spawner. The zero value works: children dial no
// address, the default logger, no reaper.
type Config struct {
	// Logger receives the children's output lines and their lifecycle.
	// Default slog.Default().
	Logger *slog.Logger
	// Addr and Token are what every child gets in its environment as
	// SWITCHBOARD_ADDR and SWITCHBOARD_TOKEN (Token only when set).
	Addr, Token string
	// Env holds more variables every child gets (a host serving TLS puts
	// SWITCHBOARD_CA here); Options.Env may override them.
	Env map[string]string
	// KillGrace is how long Close waits between asking the children to
	// stop and killing them (DefaultKillGrace when zero).
	KillGrace time.Duration
	// Reaper, when set, runs every child under a reaper: Reaper[0] is the
	// program executed, Reaper[1:] its arguments (argv[0] first), followed
	// by the child's resolved path and its arguments; it runs in the
	// child's directory and environment, as the leader of a new process
	// group. A reaper must:
	//
	//   - run the command as its child, in the reaper's process group, and
	//     exit with the command's status (or die of the signal that killed
	//     it);
	//   - end every descendant of the command when the command exits;
	//   - on SIGHUP, which Kill sends it instead of killing its group (that
	//     would end the reaper before it could end the descendants that
	//     left the group), kill the command and then every descendant at
	//     once (a reaper that has not yet started the command dies of it,
	//     as a program does by default);
	//   - when its own parent dies, do the same (on Linux it gets SIGTERM
	//     then, the parent-death signal); a SIGTERM while its parent lives
	//     is Close asking the command to stop, and the command, in the
	//     group, has it too.
	//
	// What is left in the group after Close's grace period is killed all
	// the same. Reap is such a reaper, on Linux. Process.Pid is then the
	// reaper's pid.
	Reaper []string
	// Resolve, when set, maps the command StartContext was given to the
	// program to execute (a Builder's Resolve builds a Go package
	// directory, for instance). It may block, and gets StartContext's
	// context.
	Resolve func(ctx context.Context, cmd string) (string, error)
	// OnRestart, when set, is called with the process's name each time a
	// child of the on-failure policy has been started again (for a
	// restarts metric). It runs on the supervising goroutine and must
	// return quickly.
	OnRestart func(name string)
}

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
// dies (the parent-death signal), and Config.Reaper can put a reaper
// between the host and each child so that every descendant ends with it.
//
// Every exit is logged with its status (a failure as a warning), and a
// child started with the on-failure restart policy is started again after
// a back-off. A child that exited 0 while a process it started still holds
// its output open has succeeded: its pipes are closed after a second and
// its exit is reported as 0.
//
// A Spawner is safe for concurrent use. The zero value is not usable; make
// one with New.
type Spawner struct {
	log     *slog.Logger
	addr    string
	token   string
	env     map[string]string
	grace   time.Duration
	reaper  []string // the reaper's path and arguments, or nil
	resolve func(ctx context.Context, cmd string) (string, error)
	restart func(name string) // Config.OnRestart, or nil

	mu    sync.Mutex
	procs map[*Process]struct{}
	// groups holds the process group of every child started, until the
	// group is found empty after the child's exit: Close signals them all.
	groups map[int]struct{}
	closed bool
	quit   chan struct{} // closed by Close: supervisors stop restarting
	wg     sync.WaitGroup
}

// New returns a Spawner configured by cfg. Close stops its children.
func New(cfg Config) *Spawner {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.KillGrace == 0 {
		cfg.KillGrace = DefaultKillGrace
	}
	return &Spawner{
		log: cfg.Logger, addr: cfg.Addr, token: cfg.Token, env: maps.Clone(cfg.Env),
		grace: cfg.KillGrace, reaper: slices.Clone(cfg.Reaper), resolve: cfg.Resolve,
		restart: cfg.OnRestart,
		procs:   map[*Process]struct{}{}, groups: map[int]struct{}{}, quit: make(chan struct{}),
	}
}

// Start starts cmd with args as a child process and returns at once. A cmd
// without a path separator is looked up in PATH. A .py file runs with
// python3 and a .js or .mjs file with node (both looked up in PATH; the
// error names the one missing), unless it is executable and starts with
// "#!": then it runs as itself. The error wraps
// ErrBadArgument for an empty command or bad options, ErrClosed after Close.
// Config.Resolve is not applied.
func (s *Spawner) Start(cmd string, args []string, opts Options) (*Process, error) {
	if cmd == "" {
		return nil, badArgument("spawn: empty command")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(cmd)
	}
	path, args, err := interpret(cmd, args, opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("spawn %s: %w", cmd, err)
	}
	log := s.log.With("plugin", name)
	p := &Process{
		Name: name, sp: s, path: path, args: args, opts: opts, log: log,
		done: make(chan struct{}), stop: make(chan struct{}),
	}
	p.out = &lineLogger{log: log, prefix: name, stream: "stdout", tail: &p.outTail}
	p.errw = &lineLogger{log: log, prefix: name, stream: "stderr", tail: &p.errTail}
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

// StartContext is Start with the command first passed through
// Config.Resolve (when set) under ctx; the process is then named after cmd
// unless opts.Name says otherwise. It blocks while Resolve does.
func (s *Spawner) StartContext(ctx context.Context, cmd string, args []string, opts Options) (*Process, error) {
	if s.resolve != nil && cmd != "" {
		prog, err := s.resolve(ctx, cmd)
		if err != nil {
			return nil, fmt.Errorf("spawn %s: %w", cmd, err)
		}
		if opts.Name == "" {
			opts.Name = filepath.Base(cmd)
		}
		cmd = prog
	}
	return s.Start(cmd, args, opts)
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
	reaped := s.reaper != nil
	if reaped {
		if err := s.underReaper(c); err != nil {
			return nil, err
		}
	}
	setProcessGroup(c, reaped)
	if err := c.Start(); err != nil {
		return nil, err
	}
	p.cmd, p.running, p.reaped = c, true, reaped
	for g := range s.groups {
		if !groupAlive(g) {
			delete(s.groups, g) // forgotten before its id can be reused
		}
	}
	s.groups[c.Process.Pid] = struct{}{}
	return c, nil
}

// underReaper rewrites c to run under the reaper. The command is checked
// here, as exec would check it, so that a missing program fails Start
// rather than the reaper.
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

// finish records the last child's end and forgets p.
func (s *Spawner) finish(p *Process, c *exec.Cmd, err error) {
	p.err = err
	p.exit = p.exitError(c, err)
	close(p.done)
	s.mu.Lock()
	delete(s.procs, p)
	s.mu.Unlock()
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
		_ = stopChild(c)
	}
	for _, g := range groups {
		if !slices.ContainsFunc(running, func(c *exec.Cmd) bool { return c.Process.Pid == g }) {
			_ = termGroup(g) // left behind by a child that exited
		}
	}
	end := time.Now().Add(s.grace)
	deadline := time.NewTimer(s.grace)
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
		_ = killGroup(g)
	}
	s.mu.Lock()
	clear(s.groups)
	s.mu.Unlock()
}
