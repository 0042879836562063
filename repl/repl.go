package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Engine is what the REPL needs of a scripting engine; the engines of
// scripting/js and scripting/lua satisfy it (it is scripting.Engine without
// RunFile). Its methods are called one at a time: Idle on a goroutine of
// its own while the REPL waits for input, the others from the goroutine
// that runs Run.
type Engine interface {
	// Lang returns "js" or "lua".
	Lang() string
	// Eval evaluates one entry and returns its result as the engine shows
	// values (for JavaScript, as Node's REPL does),
	// or "" when there is nothing to show.
	Eval(ctx context.Context, src string) (string, error)
	// Incomplete reports whether src is an unfinished statement.
	Incomplete(src string) bool
	// Globals returns the global names, for completion.
	Globals() []string
	// Drain runs the script callbacks that are queued, without blocking.
	Drain()
	// Idle runs the script callbacks and timers as they come due until
	// ctx is done; it returns a script's exit() request at once. The
	// REPL calls it, on a goroutine of its own, while it waits for input.
	Idle(ctx context.Context) error
	// Close releases the engine.
	Close() error
}

// Hub is what the REPL needs of the socket; *socket.Socket satisfies it.
type Hub interface {
	Connected(full bool) map[string]*plugin.Info
	PluginInfo(name string) *plugin.Info
	Subscribe(h socket.Handlers) (unsubscribe func())
}

// Config configures a REPL.
type Config struct {
	// Hub is the socket the engines are bound to. Required.
	Hub Hub
	// NewEngine makes an engine for "js" or "lua" that prints to out and
	// errw (the REPL's own writers over Out and Err, which put what is
	// printed while a prompt waits above the line being typed); the REPL
	// calls it for the first language and again when .lang or .load asks
	// for the other. Required.
	NewEngine func(lang string, out, errw io.Writer) (Engine, error)
	// Lang is the language to start in, "js" (the default) or "lua".
	Lang string
	// In is read line by line when Terminal is false.
	In io.Reader
	// Out receives results and events, Err error messages. Both default to
	// io.Discard.
	Out, Err io.Writer
	// Terminal selects line editing with liner, which reads os.Stdin and
	// writes os.Stdout itself (In is then not used).
	Terminal bool
	// Redraw, when set, asks the line editor to draw the prompt and the
	// line being typed again (the host raises SIGWINCH, on which liner
	// redraws); the REPL calls it after printing above the prompt. It
	// must not block.
	Redraw func()
	// HistoryFor, when set, names the history file of each language
	// ("js", "lua"), "" for none; it takes the place of HistoryFile, and
	// the history shown switches with .lang.
	HistoryFor func(lang string) string
	// HistoryFile is where the history is read from at the start and
	// appended to as each line is entered (terminal only); it is only ever
	// rewritten atomically, to trim it. "" keeps no history.
	HistoryFile string
	// ExitCode reports whether err is a script's exit(code) request, and
	// the code; such an error ends the session and Run returns it.
	ExitCode func(err error) (code int, ok bool)
	// Logger receives problems of the REPL itself (history not saved).
	// Default: slog.Default(), as it is when New is called.
	Logger *slog.Logger
	// EventMemory bounds, in bytes, the events kept for printing before
	// the next prompt (socket.DefaultEventMemory, 64 MiB, when zero);
	// past it the oldest go, and the number dropped is printed.
	EventMemory int
}

// savedEntry is an entry evaluated without error, for .save.
type savedEntry struct{ lang, src string }

// ErrFailed is returned by Run, without a terminal, when at least one
// statement failed; each failure has been printed already.
var ErrFailed = errors.New("repl: a statement failed")

// REPL is one interactive session. Make it with New, call Run once, then
// Close.
type REPL struct {
	cfg      Config
	engines  map[string]Engine
	lang     string
	unsub    func()
	events   *eventBuffer
	screen   screen
	failed   bool   // a statement failed
	failures int    // how many failed
	pending  string // the lines of an unfinished statement, each ending in \n
	editing  bool   // in .editor: lines gather in pending until Ctrl-D
	entries  []savedEntry
	nameReqs chan nameRequest // completion's questions to the loop
	loopDone chan struct{}    // closed when the loop has ended
	looping  atomic.Bool      // the loop has started

	mu     sync.Mutex
	cancel context.CancelFunc // of the entry being evaluated, or nil
}

// New makes a REPL in cfg.Lang and subscribes to the socket's events.
func New(cfg Config) (*REPL, error) {
	if cfg.Hub == nil || cfg.NewEngine == nil {
		return nil, errors.New("repl: Config needs Hub and NewEngine")
	}
	if cfg.Lang == "" {
		cfg.Lang = "js"
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Err == nil {
		cfg.Err = io.Discard
	}
	if cfg.In == nil {
		cfg.In = strings.NewReader("")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ExitCode == nil {
		cfg.ExitCode = func(error) (int, bool) { return 0, false }
	}
	if cfg.EventMemory <= 0 {
		cfg.EventMemory = socket.DefaultEventMemory
	}
	r := &REPL{cfg: cfg, engines: map[string]Engine{}, events: newEventBuffer(cfg.EventMemory)}
	r.screen.redraw = cfg.Redraw
	r.nameReqs, r.loopDone = make(chan nameRequest), make(chan struct{})
	r.cfg.Out, r.cfg.Err = r.screen.writer(cfg.Out), r.screen.writer(cfg.Err)
	if _, err := r.engine(cfg.Lang); err != nil {
		return nil, err
	}
	r.lang = cfg.Lang
	r.unsub = cfg.Hub.Subscribe(r.events.handlers())
	return r, nil
}

// engine returns the engine for lang, making it the first time.
func (r *REPL) engine(lang string) (Engine, error) {
	if e, ok := r.engines[lang]; ok {
		return e, nil
	}
	if lang != "js" && lang != "lua" {
		return nil, fmt.Errorf("repl: unknown language %q (js or lua)", lang)
	}
	e, err := r.cfg.NewEngine(lang, r.cfg.Out, r.cfg.Err)
	if err != nil {
		return nil, fmt.Errorf("repl: starting %s: %w", lang, err)
	}
	r.engines[lang] = e
	return e, nil
}

// Run runs the session until end of input, Ctrl-D, .exit, a script's exit()
// or ctx's end. Without a terminal it returns ErrFailed when a statement
// failed; it returns the script's error when exit() was called (see
// Config.ExitCode), ctx's error when ctx ended the session.
func (r *REPL) Run(ctx context.Context) error {
	if r.cfg.Terminal {
		return r.runTerminal(ctx)
	}
	return r.runPlain(ctx)
}

// Interrupt cancels the entry being evaluated, as Ctrl-C does, and reports
// whether there was one. It is safe to call from any goroutine.
func (r *REPL) Interrupt() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel == nil {
		return false
	}
	r.cancel()
	return true
}

// Close ends the subscription and closes the engines. Call it after Run has
// returned, on the same goroutine; it is safe to call twice.
func (r *REPL) Close() error {
	if r.unsub != nil {
		r.unsub()
		r.unsub = nil
	}
	var errs []error
	for lang, e := range r.engines {
		if err := e.Close(); err != nil {
			errs = append(errs, fmt.Errorf("closing %s: %w", lang, err))
		}
		delete(r.engines, lang)
	}
	return errors.Join(errs...)
}
