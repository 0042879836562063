package plugin

import (
	"context"
	"sync"
	"time"
)

type callKey struct{}

// callInfo is what a method's context knows about its request.
type callInfo struct {
	plugin *Plugin
	trace  string
}

// callCtx is a method's context: cancelled when the socket cancels the
// request, when the request ends, or when the connection is abandoned; its
// callInfo under callKey and its trace under the key given to Start. One
// value is the whole context, where context.WithCancel and context.WithValue
// would make four allocations per request: its done channel is made only
// when someone asks for it.
type callCtx struct {
	info callInfo
	key  any // the context key (WithContextKey, or Start's ctxKey); nil for none

	mu     sync.Mutex
	done   chan struct{}           // made by the first Done; closed by cancel
	err    error                   // context.Canceled once cancelled
	afters map[*afterFunc]struct{} // see AfterFunc
}

var (
	_ context.Context = (*callCtx)(nil)
	// closedChan is the done channel of a context cancelled before anyone
	// asked for it.
	closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()
)

// Deadline reports no deadline: a request has none of its own.
func (c *callCtx) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done returns a channel closed when the request is cancelled.
func (c *callCtx) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		if c.err != nil {
			c.done = closedChan
		} else {
			c.done = make(chan struct{})
		}
	}
	return c.done
}

// Err returns context.Canceled once the request is cancelled, nil before.
func (c *callCtx) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns the request's callInfo or its trace; nothing else.
func (c *callCtx) Value(key any) any {
	switch {
	case key == callKey{}:
		return &c.info
	case c.key != nil && key == c.key:
		return c.info.trace
	}
	return nil
}

// afterFunc is one function registered with AfterFunc.
type afterFunc struct{ f func() }

// AfterFunc arranges for f to run on its own goroutine once c is cancelled,
// as context.AfterFunc does; the context package uses it for the contexts
// derived from c, so that they need no goroutine to follow it. stop
// unregisters f and reports whether it did so before f was started.
func (c *callCtx) AfterFunc(f func()) (stop func() bool) {
	a := &afterFunc{f: f}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		go f()
		return func() bool { return false }
	}
	if c.afters == nil {
		c.afters = map[*afterFunc]struct{}{}
	}
	c.afters[a] = struct{}{}
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		_, ok := c.afters[a]
		delete(c.afters, a)
		return ok
	}
}

// cancel cancels c; a second call does nothing.
func (c *callCtx) cancel() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = context.Canceled
	if c.done != nil {
		close(c.done)
	}
	for a := range c.afters {
		go a.f()
	}
	c.afters = nil
}

// Trace returns the trace id of the request a method's context belongs to,
// or "" outside a request.
func Trace(ctx context.Context) string {
	if ci, _ := ctx.Value(callKey{}).(*callInfo); ci != nil {
		return ci.trace
	}
	return ""
}

// Notify sends v as an async value from inside a method: ctx is the method's
// context. Values sent this way reach the socket before the method's own
// answer, which the async hook channel cannot promise. Outside a method it
// returns ErrShutdown.
func Notify(ctx context.Context, v any) error {
	ci, _ := ctx.Value(callKey{}).(*callInfo)
	if ci == nil {
		return ErrShutdown
	}
	return ci.plugin.notify(v)
}
