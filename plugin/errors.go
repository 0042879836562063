package plugin

import (
	"errors"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// Errors shared by the SDK and the socket. Their texts travel on the wire and
// are recognised by brpc too; the socket maps a remote error with one of these
// texts back to the sentinel, so errors.Is works across the connection.
var (
	// ErrMethodNotFound is the answer to a request for a method the plugin
	// does not serve.
	ErrMethodNotFound = errors.New(wire.TextMethodNotFound)
	// ErrShutdown means the connection is stopping or stopped.
	ErrShutdown = errors.New(wire.TextShutdown)
	// ErrNoMethods is returned by Start when the receiver has no method of the
	// required shape.
	ErrNoMethods = errors.New("plugin: no methods to serve")
	// ErrReservedMethod is returned by Start when the receiver has a method
	// whose name the protocol uses (Async, Shutdown, Cancel).
	ErrReservedMethod = errors.New("plugin: method name is reserved by the protocol")
	// ErrRejected is returned by Start when the socket refused the handshake;
	// the error's text carries the socket's reason.
	ErrRejected = errors.New("plugin: rejected by the socket")
	// ErrInvalidInfo is returned by Start for a missing or nameless Info.
	ErrInvalidInfo = errors.New("plugin: invalid info")
	// ErrDisconnected is returned by Start when the connection ends without a
	// stop request.
	ErrDisconnected = errors.New("plugin: connection lost")
	// ErrInvalidOption is wrapped by New's error for a bad option value.
	// It is the socket's ErrInvalidOption too: both packages' options
	// follow one set of rules.
	ErrInvalidOption = errors.New("invalid option")
)
