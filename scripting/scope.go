package scripting

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Scope is the lifetime of one RunFile or Eval: a context that ends when
// the parent context ends, when the Runtime closes, when the script calls
// exit(), or when an uncaught error ends the script. Engines pass
// Context() to every blocking binding and map its end to an interrupt of
// the interpreter.
type Scope struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	stop   func() bool

	mu  sync.Mutex
	end error // the first Exit or Fail
}

// NewScope starts a scope under parent. Close it when the run is over.
func (rt *Runtime) NewScope(parent context.Context) *Scope {
	ctx, cancel := context.WithCancelCause(parent)
	stop := context.AfterFunc(rt.ctx, func() { cancel(ErrClosed) })
	return &Scope{ctx: ctx, cancel: cancel, stop: stop}
}

// Context returns the scope's context.
func (s *Scope) Context() context.Context { return s.ctx }

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
	s.cancel(err)
}

// Ended reports whether Exit or Fail was called.
func (s *Scope) Ended() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.end != nil
}

// Err returns why the scope ended: the error of the first Exit or Fail; or,
// when the context ended otherwise, an error wrapping context.Canceled,
// context.DeadlineExceeded or ErrClosed; or nil while it runs.
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
	if errors.Is(cause, ErrClosed) {
		return fmt.Errorf("script stopped: %w", cause)
	}
	return fmt.Errorf("script interrupted: %w", cause)
}

// Close releases the scope and cancels its context.
func (s *Scope) Close() {
	s.stop()
	s.cancel(context.Canceled)
}
