package scripting

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

// Config configures a Runtime. The zero value works: no output, the default
// logger, no spawn address.
type Config struct {
	// Logger receives the runtime's records: dropped events, spawned
	// plugins' output. Default slog.Default().
	Logger *slog.Logger
	// Stdout and Stderr receive what scripts print (console.log, print;
	// console.warn and console.error go to Stderr). Default io.Discard.
	Stdout, Stderr io.Writer
	// Addr and Token are what spawn() puts in a child's environment as
	// SWITCHBOARD_ADDR and SWITCHBOARD_TOKEN (Token only when set).
	Addr, Token string
	// Env holds more variables every spawned child gets (a host serving
	// TLS puts SWITCHBOARD_CA here); a spawn's own options may override
	// them.
	Env map[string]string
	// EventMemory bounds, in bytes, the socket events waiting for the
	// script (DefaultEventMemory, 64 MiB, when zero): an async value counts
	// as its JSON and name plus 128 bytes. Events wait up to it while the
	// script is busy (blocked in a synchronous call, say); past it the
	// oldest are dropped, counted (Dropped, and dropped() in scripts) and
	// logged once per burst with the plugin's name.
	EventMemory int
	// Resolve, when set, maps the command spawn() was given to the program
	// to execute (a host builds a Go package directory with a
	// spawn.Builder, for instance). It runs on the script's goroutine, may
	// block, and gets the script's context.
	Resolve func(ctx context.Context, cmd string) (string, error)
	// Reaper, when set, runs every spawned child under a reaper (see
	// spawn.Config.Reaper).
	Reaper []string
	// StartTimeout, when positive, makes a call to a plugin that is not
	// connected, but whose tracked process (see Track) still runs, wait
	// up to this long for it to connect before it fails not_connected:
	// the plugin is still starting. A REPL sets it, so that an entry
	// typed right after -spawn finds its plugin.
	StartTimeout time.Duration
	// OnRestart, when set, is called with a spawned plugin's name each
	// time its process is restarted (see spawn.Config.OnRestart).
	OnRestart func(name string)
}

// Runtime is the engine-neutral binding layer of the scripting engines: it
// talks to the socket, owns the event loop scripts run on, and supervises the
// plugins scripts spawn. The JS and Lua engines call its methods from the
// script's goroutine and only convert values; values cross as JSON bytes.
//
// One Runtime serves one script goroutine at a time (the goroutine running
// RunFile, Eval or Drain); methods documented as safe from any goroutine
// are Close, Dropped and Spawn.
type Runtime struct {
	sock  *socket.Socket
	cfg   Config
	loop  *Loop
	spawn *spawn.Spawner

	ctx    context.Context // ends on Close
	cancel context.CancelFunc

	calls       context.Context // ends on CancelCalls
	cancelCalls context.CancelCauseFunc
	wg          sync.WaitGroup // goroutines doing Go work for scripts

	subs subscriptions

	procsMu sync.Mutex
	procs   map[string]*spawn.Process // the last process spawned or tracked under each name
}

// New returns a Runtime over sock configured by cfg. Close releases it.
func New(sock *socket.Socket, cfg Config) *Runtime {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls, cancelCalls := context.WithCancelCause(context.Background())
	rt := &Runtime{
		sock: sock,
		cfg:  cfg,
		loop: NewLoop(cfg.Logger, cfg.EventMemory),
		spawn: spawn.New(spawn.Config{
			Logger: cfg.Logger, Addr: cfg.Addr, Token: cfg.Token, Env: cfg.Env,
			Reaper: cfg.Reaper, Resolve: cfg.Resolve, OnRestart: cfg.OnRestart,
		}),
		ctx:    ctx,
		cancel: cancel,

		calls:       calls,
		cancelCalls: cancelCalls,
		procs:       map[string]*spawn.Process{},
	}
	rt.subs.rt = rt
	return rt
}

// Loop returns the event loop scripts of this runtime run on.
func (rt *Runtime) Loop() *Loop { return rt.loop }

// Config returns the configuration, with defaults filled in.
func (rt *Runtime) Config() Config { return rt.cfg }

// Context returns a context that ends when the Runtime is closed; work a
// REPL entry starts (a callAsync) outlives the entry and is bounded by it.
func (rt *Runtime) Context() context.Context { return rt.ctx }

// Dropped returns how many socket events scripts lost because they did
// not keep up (scripts see it as dropped()). Safe from any goroutine.
func (rt *Runtime) Dropped() uint64 { return rt.loop.Dropped() }

// CancelCalls cancels the calls of the scripts on this runtime without
// stopping them, so that they can clean up: the call in flight and every
// later call, callAsync, broadcast, sleep, waitFor, wait and serve fail at
// once with code canceled, errors the script's catch, finally or pcall code
// sees; the script ends when that code is done. Stopping a script that goes
// on is the job of the context given to RunFile: a host cancels it when the
// script's grace period is over. CancelCalls lasts for the life of the
// Runtime; it is safe from any goroutine and to call more than once.
func (rt *Runtime) CancelCalls() {
	rt.cancelCalls(context.Canceled)
}

// Close cancels the calls scripts have in flight, ends the runtime's socket
// subscription, stops the plugins it spawned and waits for all of that. It
// does not shut the socket down. Close is safe to call more than once and
// from any goroutine other than one running a script.
func (rt *Runtime) Close() error {
	rt.cancel()
	rt.cancelCalls(context.Canceled)
	rt.subs.close()
	err := rt.spawn.Close()
	rt.wg.Wait()
	return err
}

// goWork runs fn on a goroutine of the runtime's; Close waits for it.
func (rt *Runtime) goWork(fn func()) {
	rt.wg.Add(1)
	go func() {
		defer rt.wg.Done()
		fn()
	}()
}
