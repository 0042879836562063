package brpc

import (
	"io"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Plugin serves the methods of one receiver over one connection to a
// socket: brpc's Plugin, served by switchboard's plugin.Plugin. The zero
// Plugin is ready to use; a Plugin serves one connection.
type Plugin struct {
	p plugin.Plugin
}

// Start serves v as the plugin described by info over conn and blocks until
// the socket asks the plugin to stop (it then returns nil, once the requests
// in flight are answered) or the connection ends (an error wrapping
// plugin.ErrDisconnected and the cause). conn is closed
// when Start returns.
//
// v's methods of the form
//
//	func (t *T) MethodName(ctx context.Context, in T1) (out T2, err error)
//
// are served, where T1 and T2 are exported or builtin types, T1 is not a
// channel, a function or a non-empty interface and T2 not a channel or a
// function; other methods are ignored. A method UseAsyncHook(hook chan any)
// is called with a channel whose values are sent to the socket as async
// values. A receiver without a method to serve is refused
// (plugin.ErrNoMethods), and so is one with a method named Async, Shutdown
// or Cancel, which the protocol uses (plugin.ErrReservedMethod); a socket
// that refuses the plugin (its name is taken, say) makes Start return an
// error wrapping plugin.ErrRejected with the socket's reason.
//
// info.Functions may hold hand-written descriptions, merged with what
// reflection finds. If ctxKey is not nil, each method's context carries the
// request's trace id (a string) under it. Start installs no signal handler:
// to stop on SIGINT, use plugin.Serve, or plugin.Plugin's Stop (a
// plugin.Plugin takes the same arguments).
func (p *Plugin) Start(v any, info *PluginInfo, conn io.ReadWriteCloser, ctxKey any) error {
	return p.p.Start(v, info, conn, ctxKey)
}
