// Package brpc is a drop-in for the brpc library (github.com/easysy/brpc,
// v0.0.19): the same exported names and signatures, brpc's error texts and
// shapes, built on switchboard's socket and plugin SDK. A program written for
// brpc changes its import path to this package and nothing else:
//
//	import "github.com/switchboard-rpc/switchboard/compat/brpc"
//
// The wire is brpc's in both directions, so a program on this package talks
// to brpc plugins and brpc sockets, and to switchboard's.
//
// What a caller sees is brpc's: a plugin's error comes back as a plain error
// holding the plugin's text (errors.New(text), as brpc makes it), a call to a
// plugin that is not connected fails with "plugin NAME not found", and a
// method the plugin does not serve, or a stopping connection, is the
// sentinel ErrMethodNotFound or ErrShutdown itself (the socket's and the
// SDK's sentinels, so errors.Is works across the packages too). Errors brpc
// has no fixed text for (a connection lost in the middle of a call, a limit
// of switchboard's) are the socket's *socket.CallError, which names the
// plugin and the method and matches the socket's sentinels with errors.Is.
//
// Where brpc has a flaw switchboard fixed, this package keeps the fix:
// WaitFor sees plugins that are already connected, every request has its
// own sequence number, Broadcast returns only once both of its maps are
// complete, Async yields only the values plugins send (brpc also mixes
// "VERSION connected" and "VERSION disconnected" texts into it), nothing
// installs signal handlers, and a plugin that stops reading or ignores a
// stop request is cut after a timeout instead of hanging its caller.
// docs/brpc.md in the repository lists every difference.
//
// For what brpc does not have (contexts, subscriptions, options, stats, TLS,
// tokens) use packages socket and plugin directly; PluginInfo, Function and
// Entity are their types, so values pass between the packages unchanged.
package brpc
