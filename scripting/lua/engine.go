package lua

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/scripting"
)

var _ scripting.Engine = (*Engine)(nil)

// noDeadline makes Loop.RunUntil wait without a time bound.
var noDeadline time.Time

// Engine runs Lua 5.1 (gopher-lua) over a scripting.Runtime. Make one with
// New. Like every scripting.Engine it is used from one goroutine, the
// script's.
type Engine struct {
	rt    *scripting.Runtime
	loop  *scripting.Loop
	state *lua.LState // the Lua state the script runs in

	null    *lua.LUserData // json.null
	arrayMT *lua.LTable    // marks tables that convert to JSON arrays
	errorMT *lua.LTable    // metatable of the error values bindings raise
	lastErr *lua.LTable    // the last error value raised, with its Go error
	replSrc string         // the REPL entry being evaluated, for error messages
	lastGo  error
	stack   jsontok.Stack[lua.LValue] // FromJSON's scratch space
	encBuf  []byte                    // ToJSON's scratch space
	encPath []*lua.LTable
	encKeys []tableKey

	scope    *scripting.Scope
	asyncCtx context.Context
	pending  error // an exit() during Drain, for the next Eval
	subs     map[*func()]struct{}

	// pcall's threads (see pcall.go)
	spare     []*lua.LState          // idle threads
	threads   map[*lua.LState]thread // busy threads
	nested    int                    // protected calls in progress
	errorFn   *lua.LFunction         // error
	reraise   *lua.LFunction         // pcall's error handler
	traceback *lua.LFunction         // gopher-lua's debug.traceback
}

// New returns a Lua engine over rt with the standard libraries, the json
// module and every global of the script API installed. os.exit is exit().
func New(rt *scripting.Runtime) (*Engine, error) {
	L := lua.NewState(lua.Options{SkipOpenLibs: false})
	e := &Engine{rt: rt, loop: rt.Loop(), state: L, subs: map[*func()]struct{}{}}
	e.installJSON()
	e.installErrors()
	e.installGlobals()
	e.installLimits()
	e.installDropped()
	e.installPcall()
	return e, nil
}

// Lang returns "lua".
func (e *Engine) Lang() string { return "lua" }

// Globals returns the names of the globals, sorted: the script API, json,
// arg, and the standard libraries.
func (e *Engine) Globals() []string {
	names := append([]string{"arg", "json", "print", "pcall", "error", "tostring", "tonumber",
		"pairs", "ipairs", "type", "require", "string", "table", "math", "os", "io", "coroutine", droppedName}, globalNames...)
	sort.Strings(names)
	return names
}

// Incomplete reports whether src fails to parse only because it ends too
// early (an open block, an unfinished expression or long string).
func (e *Engine) Incomplete(src string) bool {
	if strings.TrimSpace(src) == "" {
		return false
	}
	src = shorthand(src)
	if _, err := parse.Parse(strings.NewReader("return "+src), "<repl>"); err == nil {
		return false // an expression, which Eval shows
	}
	_, err := parse.Parse(strings.NewReader(src), "<repl>")
	if err == nil {
		return false
	}
	// gopher-lua reports "<name> at EOF: ..." for input that ends too
	// early; an unterminated short string cannot be continued on the next
	// line in Lua.
	msg := err.Error()
	return strings.Contains(msg, " at EOF:") && !strings.Contains(msg, "unterminated string")
}

// RunFile runs the script at path; args are in the table arg (arg[0] is
// the path) and are the chunk's varargs, as the lua command has them.
// require() also searches the script's directory.
func (e *Engine) RunFile(ctx context.Context, path string, args []string) error {
	fn, err := e.state.LoadFile(path)
	if err != nil {
		var api *lua.ApiError
		if errors.As(err, &api) && api.Type == lua.ApiErrorFile {
			return fmt.Errorf("lua: %w", err)
		}
		return e.scriptError(err, true)
	}
	argt := e.state.NewTable()
	argt.RawSetInt(0, lua.LString(path))
	for i, a := range args {
		argt.RawSetInt(i+1, lua.LString(a))
	}
	e.state.SetGlobal("arg", argt)
	e.addPath(filepath.Dir(path))

	scope := e.begin(ctx, false)
	defer e.end()
	e.state.Push(fn)
	for _, a := range args {
		e.state.Push(lua.LString(a))
	}
	if err := e.state.PCall(len(args), 0, nil); err != nil {
		e.uncaught(err, true)
	}
	if !scope.Ended() {
		_ = e.loop.Run(scope.Context())
	}
	return scope.Err()
}

// addPath makes require() find modules in dir first.
func (e *Engine) addPath(dir string) {
	pkg, ok := e.state.GetGlobal("package").(*lua.LTable)
	if !ok {
		return
	}
	old := lua.LVAsString(pkg.RawGetString("path"))
	prefix := filepath.Join(dir, "?.lua") + ";" + filepath.Join(dir, "?", "init.lua")
	if !strings.HasPrefix(old, prefix) {
		pkg.RawSetString("path", lua.LString(prefix+";"+old))
	}
}

// Eval runs one REPL entry: an expression (its values are shown) or a
// statement.
func (e *Engine) Eval(ctx context.Context, src string) (string, error) {
	return e.EvalNamed(ctx, "<repl>", src)
}

// EvalNamed is Eval of src read from the file name (a REPL's .load): its
// errors point at name's lines.
func (e *Engine) EvalNamed(ctx context.Context, name, src string) (string, error) {
	if err := e.pending; err != nil {
		e.pending = nil
		return "", err
	}
	src = shorthand(src) // =expr
	e.replSrc = src
	fn, err := e.state.Load(strings.NewReader("return "+src), name)
	if err != nil {
		fn, err = e.state.Load(strings.NewReader(keepLocals(src)), name)
	}
	if err != nil {
		return "", e.scriptError(err, false)
	}
	scope := e.begin(ctx, true)
	defer e.end()
	top := e.state.GetTop()
	e.state.Push(fn)
	if err := e.state.PCall(0, lua.MultRet, nil); err != nil {
		e.uncaught(err, false)
	}
	var out []string
	for i := top + 1; i <= e.state.GetTop(); i++ {
		out = append(out, e.format(e.state.Get(i)))
	}
	e.state.SetTop(top)
	if err := scope.Err(); err != nil {
		return "", err
	}
	return strings.Join(out, "\n"), nil
}

// format renders a REPL value; see Inspect.
func (e *Engine) format(v lua.LValue) string { return e.Inspect(v) }

// Drain runs queued events once; see scripting.Engine.
func (e *Engine) Drain() {
	scope := e.begin(e.rt.Context(), true)
	defer e.end()
	e.loop.Drain(scope.Context())
	err := scope.Err()
	var exit *scripting.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		e.pending = err
	default:
		fmt.Fprintln(e.rt.Config().Stderr, err)
	}
}

// Idle runs the loop while a REPL waits for input: events and timers run
// as they come due, until ctx is done (a callback running then finishes
// first). An error escaping a callback is printed to the runtime's Stderr
// and the loop goes on; an exit() ends Idle with its *scripting.ExitError.
// It blocks.
func (e *Engine) Idle(ctx context.Context) error {
	if err := e.pending; err != nil {
		e.pending = nil
		return err
	}
	for ctx.Err() == nil && e.rt.Context().Err() == nil {
		scope := e.begin(e.rt.Context(), true)
		_ = e.loop.RunUntil(ctx, noDeadline, func() bool { return scope.RunContext().Err() != nil })
		err := scope.Err()
		e.end()
		var exit *scripting.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit):
			return err
		default:
			fmt.Fprintln(e.rt.Config().Stderr, err)
		}
	}
	return nil
}

// Close ends the engine's subscriptions and closes the Lua state. The
// Runtime stays open.
func (e *Engine) Close() error {
	for unsub := range e.subs {
		(*unsub)()
	}
	clear(e.subs)
	e.state.Close()
	return nil
}

// begin starts a run: the Lua state stops at its next instruction when the
// scope's run ends (cancelled calls only make the calls fail). Async work of a REPL entry outlives the entry (repl true).
func (e *Engine) begin(ctx context.Context, repl bool) *scripting.Scope {
	scope := e.rt.NewScope(ctx)
	e.scope, e.asyncCtx = scope, scope.Context()
	if repl {
		e.asyncCtx = e.rt.Context()
	}
	e.state.SetContext(scope.RunContext())
	return scope
}

func (e *Engine) end() {
	e.state.RemoveContext()
	e.scope.Close()
	e.scope = nil
}

// uncaught ends the run with an error that escaped the script, unless the
// run has ended already.
func (e *Engine) uncaught(err error, stack bool) {
	if e.scope == nil || e.scope.RunContext().Err() != nil {
		return
	}
	e.scope.Fail(e.scriptError(err, stack))
}

// callback calls fn on behalf of the loop; an error escaping it ends the
// run.
func (e *Engine) callback(fn *lua.LFunction, args ...lua.LValue) {
	if e.scope == nil || e.scope.RunContext().Err() != nil {
		return
	}
	if err := e.state.CallByParam(lua.P{Fn: fn, NRet: 0, Protect: true}, args...); err != nil {
		e.uncaught(err, true)
	}
}
