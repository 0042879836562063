package plugin

import "context"

type callKey struct{}

// callInfo is what a method's context knows about its request.
type callInfo struct {
	plugin *Plugin
	trace  string
}

// callCtx is a method's context: the request's cancellable context, with
// its callInfo under callKey and its trace under the key given to Start.
// One value holds both, where two context.WithValue would make two (and a
// third for the callInfo).
type callCtx struct {
	context.Context
	info callInfo
	key  any // the context key (WithContextKey, or Start's ctxKey); nil for none
}

// Value returns the request's callInfo, its trace, or what the parent holds.
func (c *callCtx) Value(key any) any {
	switch {
	case key == callKey{}:
		return &c.info
	case c.key != nil && key == c.key:
		return c.info.trace
	}
	return c.Context.Value(key)
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
