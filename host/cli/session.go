package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

// shutdownTimeout bounds how long the host waits for plugins to stop when
// it ends; plugins still connected then are cut.
const shutdownTimeout = 5 * time.Second

// session is one run of the host: the listener, the socket, the plugins of
// -spawn, and the scripting runtimes of the engines. close ends all of it.
type session struct {
	st    *state
	o     *options
	log   *slog.Logger
	lis   *listener
	sock  *socket.Socket
	build *spawn.Builder
	watch *watch    // -http, -summary, -calls; see monitor.go
	prog  *progress // the long steps on stderr, and the log's writer

	// plugins supervises the plugins of -spawn (procs); every engine has
	// a runtime of its own in runtimes, which tracks procs.
	plugins  *spawn.Spawner
	procs    []*spawn.Process
	runtimes []*scripting.Runtime

	// startTimeout is the runtimes' StartTimeout: how long a call to a
	// plugin the session spawned that is still starting waits for it (the
	// REPL's -wait-timeout; 0, no wait, for run).
	startTimeout time.Duration

	nats *natsSession // nil without -nats or -nats-listen (nats.go)
}

// newLogger returns the host's logger: text records on w, without times.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// openSession listens and starts serving plugins. A listen address the host
// refuses is bad usage.
func (st *state) openSession(o *options) (*session, error) {
	prog := &progress{w: st.stderr, terminal: st.stderrTerminal}
	log := newLogger(prog, o.logLevel)
	w, err := newWatch(o)
	if err != nil {
		return nil, err
	}
	lis, err := listen(o)
	if err != nil {
		_ = w.close(st, &options{})
		if errors.Is(err, errExposed) {
			return nil, &usageError{msg: err.Error()}
		}
		return nil, err
	}
	// The host never reads Async (scripts and the REPL subscribe), so the
	// socket keeps nothing for it.
	opts := []socket.Option{socket.WithLogger(log), socket.WithToken(o.token),
		socket.WithAsyncMemory(0), socket.WithEventMemory(o.eventMemory)}
	if o.maxPlugins > 0 {
		opts = append(opts, socket.WithMaxPlugins(o.maxPlugins))
	}
	if o.maxInFlight > 0 {
		opts = append(opts, socket.WithMaxInFlight(o.maxInFlight))
	}
	if w.mon != nil {
		opts = append(opts, socket.WithObserver(w.mon))
	}
	sock, err := socket.New(opts...)
	if err != nil {
		lis.Close()
		_ = w.close(st, &options{})
		return nil, fmt.Errorf("starting the socket: %w", err)
	}
	if w.mon != nil {
		w.mon.Attach(sock)
	}
	if err := w.serve(st, o); err != nil {
		lis.Close()
		_ = w.close(st, &options{})
		if errors.Is(err, errExposed) {
			return nil, &usageError{msg: err.Error()}
		}
		return nil, err
	}
	sock.Serve(lis)
	log.Debug("listening for plugins", "addr", lis.addr)
	ns, err := joinNATS(o, sock, lis, log, prog) // before the spawner copies lis.env
	if err != nil {
		_ = sock.Shutdown("")
		lis.Close()
		return nil, err
	}
	s := &session{
		st: st, o: o, log: log, lis: lis, sock: sock, watch: w, prog: prog,
	}
	b := &builds{p: prog}
	s.build = &spawn.Builder{Announce: b.announce, Built: b.built, Env: st.environ}
	s.plugins = spawn.New(spawn.Config{
		Logger: log, Addr: lis.addr, Token: o.token, Env: lis.env,
		Reaper: reaper(), Resolve: s.build.Resolve, OnRestart: w.restarted(),
	})
	s.nats = ns
	return s, nil
}

// startSession opens a session and starts its plugins (-spawn, -wait), the
// way run and repl both begin; on failure nothing is left open. What it
// built and its Unix socket file are removed, and the -calls file flushed,
// when sigs ends the process at once, too.
func (st *state) startSession(ctx context.Context, o *options, sigs *signals) (*session, error) {
	sess, err := st.openSession(o)
	if err != nil {
		return nil, err
	}
	sigs.atExitNow(func() {
		sess.lis.Close()
		if err := sess.build.Close(); err != nil {
			sess.log.Warn("removing built plugins", "err", err)
		}
		if err := sess.watch.flush(); err != nil {
			sess.log.Error("monitor", "err", err)
		}
	})
	if err := sess.startPlugins(ctx); err != nil {
		return nil, sess.end(interrupted(ctx, err))
	}
	return sess, nil
}

// newRuntime returns a scripting runtime over the session's socket, whose
// spawn() children dial the session's listener, printing to stdout and
// stderr; close closes it.
func (s *session) newRuntime(stdout, stderr io.Writer) *scripting.Runtime {
	rt := scripting.New(s.sock, scripting.Config{
		Logger:      s.log,
		Stdout:      stdout,
		Stderr:      stderr,
		Addr:        s.lis.addr,
		Token:       s.o.token,
		Env:         s.lis.env,
		Resolve:     s.build.Resolve,
		Reaper:      reaper(),
		EventMemory: s.o.eventMemory,

		StartTimeout: s.startTimeout,
		OnRestart:    s.watch.restarted(),
	})
	s.watch.track(rt)
	for _, p := range s.procs {
		rt.Track(p) // waitFor and call know how a -spawn plugin ended
	}
	s.runtimes = append(s.runtimes, rt)
	return rt
}

// newEngine returns an engine for lang ("js" or "lua") on a runtime of its
// own, printing to stdout and stderr.
func (s *session) newEngine(lang string, stdout, stderr io.Writer) (scripting.Engine, error) {
	return newLangEngine(lang, s.newRuntime(stdout, stderr))
}

// startPlugins starts the plugins of -spawn, then waits for those of -wait.
// A spawned plugin that fails (exits with a non-zero status) while the host
// waits ends the wait at once.
func (s *session) startPlugins(ctx context.Context) error {
	var procs []*spawn.Process
	for _, line := range s.o.spawn {
		argv, err := spawn.SplitCommand(line)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("-spawn %q: %v", line, err)}
		}
		p, err := s.plugins.StartContext(ctx, argv[0], argv[1:], spawn.Options{})
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	s.procs = procs
	for _, name := range s.o.wait {
		if err := s.waitFor(ctx, name, procs); err != nil {
			return err
		}
		s.log.Debug("plugin connected", "plugin", name)
	}
	return nil
}

// errSpawnFailed is the cause of a wait cut short by a failed plugin.
var errSpawnFailed = errors.New("a spawned plugin failed")

// waitFor waits until the plugin name is connected, at most -wait-timeout,
// and stops waiting when one of procs fails.
func (s *session) waitFor(ctx context.Context, name string, procs []*spawn.Process) error {
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	wctx, stop := context.WithTimeout(wctx, s.o.waitTimeout)
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, p := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-p.Done():
				if code, _ := p.ExitStatus(); code != 0 {
					err := fmt.Errorf("%w: %s (pid %d) exited with status %d", errSpawnFailed, p.Name, p.Pid, code)
					if out := p.Output(); len(out) > 0 {
						err = fmt.Errorf("%w: %q", err, strings.Join(out, "\n"))
					}
					cancel(err)
				}
			case <-wctx.Done():
			}
		}()
	}
	end := s.prog.begin(fmt.Sprintf("waiting for plugin %q", name), s.o.waitTimeout, false)
	err := s.sock.WaitForContext(wctx, name)
	stop() // ends the watchers before wg.Wait
	if err != nil {
		end("gave up")
	} else {
		end("connected")
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(context.Cause(wctx), errSpawnFailed):
		return fmt.Errorf("plugin %q did not connect: %w", name, context.Cause(wctx))
	}
	return fmt.Errorf("plugin %q did not connect within %v", name, s.o.waitTimeout)
}

// close shuts the socket down (plugins get a stop request and calls in
// flight finish), stops the plugins the host and its scripts spawned, and
// removes what the session built. Engines must be closed before. Its error
// is the monitor's: the -calls file could not be written or closed (what
// else fails is logged).
func (s *session) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := s.sock.ShutdownContext(ctx, ""); err != nil {
		s.log.Warn("shutdown", "err", err)
	}
	if err := s.plugins.Close(); err != nil {
		s.log.Warn("stopping spawned plugins", "err", err)
	}
	for _, rt := range s.runtimes {
		if err := rt.Close(); err != nil {
			s.log.Warn("stopping spawned plugins", "err", err)
		}
	}
	s.nats.close()
	s.lis.Close()
	if err := s.build.Close(); err != nil {
		s.log.Warn("removing built plugins", "err", err)
	}
	return s.watch.close(s.st, s.o)
}

// end closes the session and returns err or, when err is nil, the error
// of close: a command that would succeed fails when its -calls file could
// not be written. An error of close that err takes the place of is logged.
func (s *session) end(err error) error {
	cerr := s.close()
	switch {
	case cerr == nil:
	case err == nil:
		return cerr
	default:
		s.log.Error("monitor", "err", cerr)
	}
	return err
}
