package js

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/console"
	"github.com/dop251/goja_nodejs/require"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/scripting"
)

var _ scripting.Engine = (*Engine)(nil)

// noDeadline makes Loop.RunUntil wait without a time bound.
var noDeadline time.Time

// Engine runs JavaScript (goja) over a scripting.Runtime. Make one with
// New. Like every scripting.Engine it is used from one goroutine, the
// script's.
type Engine struct {
	rt   *scripting.Runtime
	loop *scripting.Loop
	vm   *goja.Runtime

	stringify goja.Callable
	parse     goja.Callable
	json      goja.Value
	errorCtor goja.Value
	goErr     *goja.Symbol // hidden property of Error objects: the Go error

	inspectors *goja.Object // Inspect's helpers
	last       goja.Value   // the REPL's last result, the global _
	ownLast    bool         // the script assigned _ itself

	// State of the current RunFile, Eval or Drain.
	scope    *scripting.Scope
	asyncCtx context.Context // bounds Go work that outlives a blocking call
	depth    int             // blocking bindings on the stack (sleep, waitFor, wait)
	holds    int             // serve() calls of this run
	rejected []*goja.Promise // rejected without a handler, in order
	pending  error           // an exit() during Drain, for the next Eval

	stopInterrupt func() // undoes begin's interrupt hook

	stack jsontok.Stack[any] // FromJSON's scratch space

	timers map[uint64]struct{}
	subs   map[*func()]struct{}

	lexical []string // top-level let, const and class names of REPL entries, for Complete
}

// New returns a JavaScript engine over rt with every global of the script
// API installed.
func New(rt *scripting.Runtime) (*Engine, error) {
	vm := goja.New()
	vm.SetFieldNameMapper(goja.TagFieldNameMapper("json", true))
	e := &Engine{
		rt:     rt,
		loop:   rt.Loop(),
		vm:     vm,
		goErr:  goja.NewSymbol("goError"),
		timers: map[uint64]struct{}{},
		subs:   map[*func()]struct{}{},
	}
	jsonObj := vm.Get("JSON").ToObject(vm)
	e.json = jsonObj
	var ok bool
	if e.stringify, ok = goja.AssertFunction(jsonObj.Get("stringify")); !ok {
		return nil, errors.New("js: JSON.stringify missing")
	}
	if e.parse, ok = goja.AssertFunction(jsonObj.Get("parse")); !ok {
		return nil, errors.New("js: JSON.parse missing")
	}
	e.errorCtor = vm.Get("Error")
	vm.SetPromiseRejectionTracker(e.trackRejection)

	reg := require.NewRegistry(require.WithLoader(loadSource))
	reg.RegisterNativeModule("util", e.utilModule)
	reg.RegisterNativeModule("console", console.RequireWithPrinter(printer{rt.Config()}))
	reg.Enable(vm)
	if err := e.installRequire(); err != nil {
		return nil, err
	}
	if err := vm.Set("console", require.Require(vm, "console")); err != nil {
		return nil, fmt.Errorf("js: installing console: %w", err)
	}
	if err := e.installStringify(); err != nil {
		return nil, err
	}
	if err := e.installInspect(); err != nil {
		return nil, err
	}
	if err := e.installGlobals(); err != nil {
		return nil, err
	}
	if err := e.installLimits(); err != nil {
		return nil, err
	}
	if err := e.installEvalGuard(); err != nil {
		return nil, err
	}
	if err := e.installDropped(); err != nil {
		return nil, err
	}
	return e, nil
}

// Lang returns "js".
func (e *Engine) Lang() string { return "js" }

// Globals returns the names of the script API's globals, sorted.
func (e *Engine) Globals() []string {
	names := append([]string{"args", "console", "require", droppedName}, globalNames...)
	sort.Strings(names)
	return names
}

// Incomplete reports whether src fails to parse only because it ends too
// early (an open brace, an unfinished function or expression).
func (e *Engine) Incomplete(src string) bool {
	if strings.TrimSpace(src) == "" || checkDepth(src) != nil {
		return false // too deep to parse: Eval says so
	}
	_, err := goja.Parse("", src)
	return err != nil && strings.Contains(err.Error(), "Unexpected end of input")
}

// RunFile runs the script at path with args (the global args), then its
// loop; see scripting.Engine. require() resolves modules relative to the
// requiring file. TypeScript and ES modules are compiled with esbuild
// first (see compileFile); a top-level await that nothing settles ends the
// run with an error.
func (e *Engine) RunFile(ctx context.Context, path string, args []string) error {
	prg, err := compileFile(path)
	if err != nil {
		return err
	}
	if args == nil {
		args = []string{}
	}
	if err := e.vm.Set("args", args); err != nil {
		return fmt.Errorf("js: %w", err)
	}
	scope := e.begin(ctx, false)
	defer e.end(true)
	var body *goja.Promise // of a module's top-level await
	if v, err := e.vm.RunProgram(prg.prg); err != nil {
		e.uncaught(err)
	} else {
		if prg.async {
			body = e.watchModule(v)
		}
		e.checkRejections()
	}
	if !scope.Ended() {
		_ = e.loop.Run(scope.Context())
	}
	if body != nil && body.State() == goja.PromiseStatePending && !scope.Ended() && e.running() {
		e.fail(unsettled(path))
	}
	if scope.Interrupted() && !scope.Ended() {
		// The calls were cancelled: serve() is over, and what the script
		// has left (a rejected callAsync's catch and finally) runs until
		// it is done or the run is stopped.
		e.release()
		_ = e.loop.Run(scope.RunContext())
	}
	return scope.Err()
}

// replName is the file name of REPL entries in stacks.
const replName = "<repl>"

// Eval runs one REPL entry. A Promise result is awaited (running the loop)
// and its value printed; after serve() the entry runs the loop until ctx
// ends.
func (e *Engine) Eval(ctx context.Context, src string) (string, error) {
	return e.EvalNamed(ctx, replName, src)
}

// EvalNamed is Eval of src read from the file name (a REPL's .load): its
// errors point at name's lines.
func (e *Engine) EvalNamed(ctx context.Context, name, src string) (string, error) {
	if err := e.pending; err != nil {
		e.pending = nil
		return "", err
	}
	prg, err := compileEntry(name, src)
	if err != nil {
		return "", err
	}
	e.noteLexical(src)
	scope := e.begin(ctx, true)
	defer e.end(false)
	v, err := e.vm.RunProgram(prg)
	if err != nil {
		e.uncaught(err)
		return "", e.evalErr(scope)
	}
	e.checkRejections()
	if p, ok := promise(v); ok && !scope.Ended() {
		_ = e.loop.RunUntil(scope.Context(), noDeadline, func() bool { return p.State() != goja.PromiseStatePending })
		e.forget(p)
		if p.State() == goja.PromiseStateRejected {
			e.fail(e.rejectionError(p.Result()))
		}
		v = p.Result()
	}
	if e.holds > 0 && !scope.Ended() {
		_ = e.loop.RunUntil(scope.Context(), noDeadline, nil)
	}
	if err := e.evalErr(scope); err != nil {
		return "", err
	}
	e.setLast(v)
	out := e.format(v) // runs getters, which an interrupt can end
	if err := e.evalErr(scope); err != nil {
		return "", err
	}
	return out, nil
}

// evalErr is the error of an Eval's scope, without the stack.
func (e *Engine) evalErr(scope *scripting.Scope) error {
	err := scope.Err()
	var se *scripting.ScriptError
	if errors.As(err, &se) {
		c := *se
		c.Stack = ""
		return &c
	}
	return err
}

// Drain runs queued events and due timers once; see scripting.Engine.
func (e *Engine) Drain() {
	scope := e.begin(e.rt.Context(), true)
	defer e.end(false)
	e.loop.Drain(scope.Context())
	e.checkRejections()
	err := scope.Err()
	var exit *scripting.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		e.pending = err
	default:
		fmt.Fprintln(e.rt.Config().Stderr, e.evalErr(scope))
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
		_ = e.loop.RunUntil(ctx, noDeadline, func() bool {
			e.checkRejections()
			return !e.running()
		})
		e.checkRejections()
		err := e.evalErr(scope)
		e.end(false)
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

// Close ends the engine's subscriptions and timers. The Runtime stays open.
func (e *Engine) Close() error {
	for unsub := range e.subs {
		(*unsub)()
	}
	clear(e.subs)
	for id := range e.timers {
		e.loop.ClearTimer(id)
	}
	clear(e.timers)
	return nil
}

// begin starts a run: a scope under ctx whose run's end interrupts the VM.
// Async work started in a REPL entry outlives the entry (repl true).
func (e *Engine) begin(ctx context.Context, repl bool) *scripting.Scope {
	scope := e.rt.NewScope(ctx)
	e.scope, e.asyncCtx, e.depth, e.holds = scope, scope.Context(), 0, 0
	if repl {
		e.asyncCtx = e.rt.Context()
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(scope.RunContext(), func() {
		e.vm.Interrupt(context.Cause(scope.RunContext()))
		close(fired)
	})
	e.stopInterrupt = func() {
		if !stop() {
			<-fired
		}
	}
	return scope
}

// end finishes a run. With final, what the script left behind (timers,
// holds) is cleared, since the script is over.
func (e *Engine) end(final bool) {
	e.scope.Close()
	e.stopInterrupt()
	e.vm.ClearInterrupt()
	e.release()
	if final {
		for id := range e.timers {
			e.loop.ClearTimer(id)
		}
		clear(e.timers)
		e.rejected = nil
	}
	e.scope = nil
}

// release undoes the serve() calls of this run.
func (e *Engine) release() {
	for ; e.holds > 0; e.holds-- {
		e.loop.Release()
	}
}

// running reports whether the run goes on: it has not been stopped (its
// calls may have been cancelled).
func (e *Engine) running() bool {
	return e.scope != nil && e.scope.RunContext().Err() == nil
}

// fail ends the run with err and stops the VM at its next instruction.
func (e *Engine) fail(err error) {
	if e.scope == nil {
		return
	}
	e.scope.Fail(err)
	e.vm.Interrupt(err)
}

// uncaught ends the run with an error that escaped the script, unless the
// run has ended already (then err is the interrupt that ended it).
func (e *Engine) uncaught(err error) {
	if !e.running() {
		return
	}
	e.fail(e.scriptError(err))
}

// callback runs fn on behalf of the loop: an error escaping it ends the
// run, and at the top of the stack unhandled rejections are checked.
func (e *Engine) callback(fn goja.Callable, args ...goja.Value) {
	if !e.running() {
		return
	}
	if _, err := fn(goja.Undefined(), args...); err != nil {
		e.uncaught(err)
		return
	}
	if e.depth == 0 {
		e.checkRejections()
	}
}

// blocking runs a binding that runs the loop while it waits.
func (e *Engine) blocking(fn func() error) error {
	e.depth++
	defer func() { e.depth-- }()
	return fn()
}
