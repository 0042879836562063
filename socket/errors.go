package socket

import (
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// Errors a caller can test for with errors.Is.
var (
	// ErrMethodNotFound is the plugin's answer to a method it does not serve.
	ErrMethodNotFound = plugin.ErrMethodNotFound
	// ErrShutdown means the socket (or the plugin) is shutting down.
	ErrShutdown = plugin.ErrShutdown
	// ErrPluginNotFound means no plugin of that name is connected.
	ErrPluginNotFound = errors.New("plugin not connected")
	// ErrDisconnected means the plugin's connection ended before it answered.
	ErrDisconnected = errors.New("plugin disconnected")
	// ErrPanic means the plugin's method panicked; the plugin goes on serving.
	ErrPanic = errors.New("plugin method panicked")
	// ErrInvalidOption wraps every error about a bad option value. It is
	// plugin.ErrInvalidOption: both packages' options follow one set of
	// rules.
	ErrInvalidOption = plugin.ErrInvalidOption
	// ErrTooManyCalls means the plugin already had as many calls waiting
	// for it as WithMaxInFlight allows; the call was not sent.
	ErrTooManyCalls = errors.New("too many calls in flight")
	// ErrMessageTooLarge means a request would be larger than the
	// socket's max message (WithMaxMessage); it was not sent.
	ErrMessageTooLarge = errors.New("message too large")
	// ErrBadArgument means Call's argument does not encode as JSON; the
	// call was not sent. scripting.ErrBadArgument is this error, so its
	// code is bad_argument.
	ErrBadArgument = errors.New("bad argument")
	// ErrBadResponse means the plugin's answer to Call does not decode as
	// JSON into Go values (it nests deeper than encoding/json allows, for
	// one). scripting.ErrBadResponse is this error, so its code is
	// bad_response.
	ErrBadResponse = errors.New("bad response")
)

// CallError is the error of every failed call: it names the plugin and the
// method and wraps the cause (a sentinel above, a *RemoteError, or a context
// error).
type CallError struct {
	Plugin string
	Method string
	Err    error
}

// Error says which call failed and why.
func (e *CallError) Error() string {
	return fmt.Sprintf("%s.%s: %v", e.Plugin, e.Method, e.Err)
}

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// RemoteError is an error a plugin returned, as text. It matches
// ErrMethodNotFound, ErrShutdown and ErrPanic with errors.Is when its text is
// the one the protocol gives them.
type RemoteError struct {
	Message string
}

// Error returns the plugin's message.
func (e *RemoteError) Error() string { return e.Message }

// Is maps the protocol's error texts back to their sentinels.
func (e *RemoteError) Is(target error) bool {
	switch target {
	case ErrMethodNotFound:
		return e.Message == wire.TextMethodNotFound
	case ErrShutdown:
		return e.Message == wire.TextShutdown
	case ErrPanic:
		return strings.HasPrefix(e.Message, wire.PrefixPanic)
	}
	return false
}
