package scripting

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Scope is the lifetime of one RunFile or Eval. It has two contexts:
//
//   - RunContext, the run itself, ends when the parent context ends, when
//     the Runtime closes, when the script calls exit(), or when an uncaught
//     error ends the script. Engines map its end to an interrupt of the
//     interpreter and run the loop under it.
//   - Context, the script's calls, ends with RunContext and also when the
//     Runtime's calls are cancelled (Runtime.CancelCalls). Engines pass it
//     to every blocking binding, so that a cancelled call fails with code
//     canceled while the script goes on to its catch, finally or pcall.
type Scope struct {
	run       context.Context
	cancelRun context.CancelCauseFunc
	ctx       context.Context
	cancel    context.CancelCauseFunc
	stops     []func() bool

	mu  sync.Mutex
	end error // the first Exit or Fail
}

// NewScope starts a scope under parent. Close it when the run is over.
func (rt *Runtime) NewScope(parent context.Context) *Scope {
	run, cancelRun := context.WithCancelCause(parent)
	ctx, cancel := context.WithCancelCause(run)
	if rt.calls.Err() != nil { // at once: AfterFunc would do it on a goroutine
		cancel(context.Cause(rt.calls))
	}
	return &Scope{
		run: run, cancelRun: cancelRun, ctx: ctx, cancel: cancel,
		stops: []func() bool{
			context.AfterFunc(rt.ctx, func() { cancelRun(ErrClosed) }),
			context.AfterFunc(rt.calls, func() { cancel(context.Cause(rt.calls)) }),
		},
	}
}

// Context returns the context of the script's calls: it ends with
// RunContext, and when the Runtime's calls are cancelled.
func (s *Scope) Context() context.Context { return s.ctx }

// RunContext returns the context of the run: when it ends the script is
// stopped.
func (s *Scope) RunContext() context.Context { return s.run }

// Interrupted reports whether the script's calls are cancelled while the
// run goes on: the script is cleaning up after Runtime.CancelCalls.
func (s *Scope) Interrupted() bool { return s.ctx.Err() != nil && s.run.Err() == nil }

// Exit ends the scope because the script called exit(code).
func (s *Scope) Exit(code int) { s.Fail(&ExitError{Code: code}) }

// Fail ends the scope with err (normally a *ScriptError); only the first
// Exit or Fail counts.
func (s *Scope) Fail(err error) {
	s.mu.Lock()
	if s.end == nil {
		s.end = err
	}
	s.mu.Unlock()
	s.cancelRun(err)
}

// Ended reports whether Exit or Fail was called.
func (s *Scope) Ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end != nil
}

// Err returns why the scope ended: the error of the first Exit or Fail; or,
// when a context ended otherwise, an error wrapping context.Canceled
// (reading "canceled"), context.DeadlineExceeded ("timed out") or
// ErrClosed (after CancelCalls, its cause); or nil while it runs.
func (s *Scope) Err() error {
	s.mu.Lock()
	end := s.end
	s.mu.Unlock()
	if end != nil {
		return end
	}
	if s.ctx.Err() == nil {
		return nil
	}
	cause := context.Cause(s.ctx)
	switch {
	case errors.Is(cause, ErrClosed):
		return fmt.Errorf("script stopped: %w", cause)
	case cause == context.Canceled:
		// Ctrl-C in the REPL, a cancelled run: Go's "context canceled"
		// says nothing more to a script's author.
		return &textError{err: cause, text: "canceled"}
	case cause == context.DeadlineExceeded:
		return &textError{err: cause, text: "timed out"}
	}
	return fmt.Errorf("script interrupted: %w", cause)
}

// Close releases the scope and cancels its contexts.
func (s *Scope) Close() {
	for _, stop := range s.stops {
		stop()
	}
	s.cancelRun(context.Canceled)
}
