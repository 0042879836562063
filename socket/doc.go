// Package socket is switchboard's hub: the server plugins connect to.
//
// A Socket accepts plugin connections on any number of listeners (TCP, Unix,
// TLS) or in-process connections (ServeConn), checks each plugin's handshake,
// and keeps a registry of the connected plugins by name. Through it a program
// calls one plugin (Call, CallContext, CallJSON), calls all of them
// (Broadcast), waits for one to come up (WaitFor), reads the values plugins
// send on their own (Async, or Subscribe for any number of subscribers), and
// learns of plugins connecting and going away (OnConnect, OnDisconnect).
//
// The API follows the brpc library's, and the wire protocol is
// byte-compatible with it (see internal/wire): a brpc plugin connects
// unchanged. Unlike brpc, calls can be bounded by a context, every pending
// call fails at once when its plugin's connection breaks, WaitFor sees
// plugins that are already connected, async values are never dropped
// silently, and the package installs no signal handlers and reads no
// environment.
//
// Plugins in other languages speak JSON-RPC 2.0 on the same listeners, by
// lines or with Content-Length headers (docs/jsonrpc.md): the socket tells
// the protocols apart from a connection's first two bytes, never taking a
// gob stream for JSON, and serves both kinds alike, with the same limits,
// token and errors.
//
// # Concurrency
//
// All methods are safe for concurrent use. Each connection has one goroutine
// reading it; a call is written by the caller's goroutine and answered
// through a channel. Subscribers' handlers do not run on a connection's
// goroutine: each subscription has its own queue, bounded in bytes
// (WithEventMemory), and goroutine, which takes every waiting event at once,
// so an idle handler keeps up with any burst and a slow one delays only
// itself. The one exception is Handlers.Direct: its
// handlers run on the reading goroutine of the connection whose event they
// handle, in the order of that connection's messages, and must not block.
// Shutdown waits for every goroutine the socket started.
//
// # Limits
//
// Every limit is an option with a default: WithHandshakeTimeout (10s),
// WithMaxMessage (16 MiB, from a plugin and to one: a larger request fails
// at once with ErrMessageTooLarge), WithWriteTimeout (10s; a plugin that stops
// reading is disconnected), WithMaxPlugins (4096; past it a plugin is
// rejected before registration, with the reason) and WithMaxInFlight (1024
// calls waiting for one plugin; past it a call fails at once with
// ErrTooManyCalls, nothing queues without bound). WithToken requires a
// shared secret in every handshake, compared in constant time.
//
// Before a connection has authenticated it is read by a bounded decoder
// (see internal/wire: no encoding/gob), and what it holds of its messages
// and type definitions counts against WithPreAuthBudget, shared by all such
// connections. A handshake past the description bounds (MaxFunctions,
// MaxEntities, MaxEntityDepth, 256 capabilities) or with a
// control character in a plugin or method name is rejected with the reason.
// Stats counts the refused connections.
//
// # Errors
//
// Every failed call returns a *CallError naming the plugin and the method.
// errors.Is matches ErrPluginNotFound, ErrMethodNotFound, ErrPanic,
// ErrDisconnected, ErrShutdown, ErrTooManyCalls, ErrMessageTooLarge, and
// context.DeadlineExceeded or
// context.Canceled for a context that ended; a plugin's own error message is
// a *RemoteError.
package socket
