package scripting

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// DefaultKillGrace is how long Spawner.Close waits after asking the
// children to stop (SIGTERM to the process group) before killing them.
const DefaultKillGrace = 3 * time.Second

// Spawner starts plugin programs as child processes and stops them when it
// is closed. Each child gets SWITCHBOARD_ADDR and, when set,
// SWITCHBOARD_TOKEN in its environment; its stdout and stderr lines go to
// the log, prefixed with its name. On Unix every child leads its own process
// group, which Kill and Close signal as a whole; on Linux the child also gets
// SIGKILL if the host dies (the parent-death signal).
//
// A Spawner is safe for concurrent use. The zero value is not usable; make
// one with NewSpawner.
type Spawner struct {
	log   *slog.Logger
	addr  string
	token string
	grace time.Duration

	mu     sync.Mutex
	procs  map[*Process]struct{}
	closed bool
	wg     sync.WaitGroup
}

// NewSpawner returns a Spawner whose children dial addr with token (token
// may be empty). Output and lifecycle go to log (slog.Default() when nil).
func NewSpawner(log *slog.Logger, addr, token string) *Spawner {
	if log == nil {
		log = slog.Default()
	}
	return &Spawner{log: log, addr: addr, token: token, grace: DefaultKillGrace,
		procs: map[*Process]struct{}{}}
}

// SetKillGrace sets how long Close waits between asking the children to
// stop and killing them (DefaultKillGrace by default). Call it before Close.
func (s *Spawner) SetKillGrace(d time.Duration) {
	s.mu.Lock()
	s.grace = d
	s.mu.Unlock()
}

// Process is one child started by a Spawner.
type Process struct {
	// Pid is the child's process id.
	Pid int
	// Name is the name its output is logged under.
	Name string

	cmd  *exec.Cmd
	done chan struct{}
	err  error // set before done is closed
}

// Start starts cmd with args as a child process and returns at once. A cmd
// without a path separator is looked up in PATH. The error wraps
// ErrBadArgument for an empty command, ErrClosed after Close.
func (s *Spawner) Start(cmd string, args []string, opts SpawnOptions) (*Process, error) {
	if cmd == "" {
		return nil, badArgument("spawn: empty command")
	}
	name := opts.Name
	if name == "" {
		name = filepath.Base(cmd)
	}
	c := exec.Command(cmd, args...)
	c.Dir = opts.Dir
	env := c.Environ()
	env = append(env, plugin.EnvAddr+"="+s.addr)
	if s.token != "" {
		env = append(env, plugin.EnvToken+"="+s.token)
	}
	for k, v := range opts.Env {
		env = append(env, k+"="+v)
	}
	c.Env = env
	log := s.log.With("plugin", name)
	c.Stdout = &lineLogger{log: log, prefix: name, stream: "stdout"}
	c.Stderr = &lineLogger{log: log, prefix: name, stream: "stderr"}
	c.WaitDelay = time.Second // a grandchild holding the pipes open does not block Wait
	setProcessGroup(c)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, fmt.Errorf("spawn %s: %w", cmd, ErrClosed)
	}
	if err := c.Start(); err != nil {
		return nil, fmt.Errorf("spawn %s: %w", cmd, err)
	}
	p := &Process{Pid: c.Process.Pid, Name: name, cmd: c, done: make(chan struct{})}
	s.procs[p] = struct{}{}
	log.Info("plugin process started", "pid", p.Pid, "cmd", cmd, "args", args)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		err := c.Wait()
		c.Stdout.(*lineLogger).flush()
		c.Stderr.(*lineLogger).flush()
		p.err = err
		close(p.done)
		s.mu.Lock()
		delete(s.procs, p)
		s.mu.Unlock()
		log.Info("plugin process exited", "pid", p.Pid, "status", exitStatus(err))
	}()
	return p, nil
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait waits for the process to exit, or for ctx to be done, and returns its
// exit status (-1 when it was killed by a signal or could not be waited
// for). It does not kill the process when ctx ends.
func (p *Process) Wait(ctx context.Context) (int, error) {
	select {
	case <-p.done:
		return exitStatus(p.err), nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// ExitStatus returns the exit status once the process has exited (see
// Wait), and false while it runs.
func (p *Process) ExitStatus() (int, bool) {
	select {
	case <-p.done:
		return exitStatus(p.err), true
	default:
		return 0, false
	}
}

// Kill kills the process (its whole process group on Unix) at once. Killing
// a process that has exited does nothing.
func (p *Process) Kill() error {
	select {
	case <-p.done:
		return nil
	default:
	}
	if err := killGroup(p.cmd, true); err != nil && !errors.Is(err, errProcessDone) {
		return fmt.Errorf("kill %s (pid %d): %w", p.Name, p.Pid, err)
	}
	return nil
}

// Close stops every child still running: it asks them to stop (SIGTERM to
// their process groups), kills those still running after a grace period,
// and waits for all of them. Start fails after Close. Close is safe to call
// more than once.
func (s *Spawner) Close() error {
	s.mu.Lock()
	s.closed = true
	grace := s.grace
	procs := make([]*Process, 0, len(s.procs))
	for p := range s.procs {
		procs = append(procs, p)
	}
	s.mu.Unlock()
	for _, p := range procs {
		_ = killGroup(p.cmd, false)
	}
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for _, p := range procs {
		select {
		case <-p.done:
		case <-deadline.C:
			for _, q := range procs {
				_ = q.Kill()
			}
		}
	}
	s.wg.Wait()
	return nil
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
