package scripting

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

// Errors of the binding layer, testable with errors.Is.
var (
	// ErrBadArgument wraps every error about a script's bad input: a
	// payload that cannot be JSON, an unknown option, a malformed timeout.
	// It is socket.ErrBadArgument, which socket.Call's argument that does
	// not encode wraps.
	ErrBadArgument = socket.ErrBadArgument
	// ErrBadResponse wraps every error about a plugin's bad answer: a
	// result that is not JSON, or that nests deeper than the bindings
	// convert. It is socket.ErrBadResponse, which socket.Call's result
	// that does not decode wraps.
	ErrBadResponse = socket.ErrBadResponse
	// ErrClosed means the Runtime has been closed.
	ErrClosed = errors.New("scripting: runtime closed")
)

// Error codes, the value of the code property (JavaScript) or field (Lua)
// of the errors the bindings throw. Code maps a Go error to one of them.
const (
	// CodeNotConnected: no plugin of that name is connected.
	CodeNotConnected = "not_connected"
	// CodeMethodNotFound: the plugin does not serve that method.
	CodeMethodNotFound = "method_not_found"
	// CodePanic: the plugin's method panicked; the plugin goes on serving.
	CodePanic = "panic"
	// CodeTimeout: the call's timeout expired before the answer came.
	CodeTimeout = "timeout"
	// CodeCanceled: the script, the REPL line or the host was cancelled.
	CodeCanceled = "canceled"
	// CodeDisconnected: the plugin went away before it answered.
	CodeDisconnected = "disconnected"
	// CodeShutdown: the socket or the plugin is shutting down.
	CodeShutdown = "shutdown"
	// CodeRemote: the plugin's method returned an error of its own.
	CodeRemote = "remote"
	// CodeExited: the plugin is not connected and the process this host
	// started for it (spawn(), -spawn) has exited for good; the message
	// says how it ended and what it printed last.
	CodeExited = "exited"
	// CodeBadArgument: the script passed something the binding cannot use,
	// or a request too large for the plugin's message limit.
	CodeBadArgument = "bad_argument"
	// CodeBadResponse: the plugin answered with something that is not a
	// JSON value the bindings convert.
	CodeBadResponse = "bad_response"
	// CodeError: any other failure.
	CodeError = "error"
)

// Code classifies err as one of the Code constants, using errors.Is on the
// socket's sentinels. Code(nil) is "".
func Code(err error) string {
	var remote *socket.RemoteError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrBadResponse):
		return CodeBadResponse
	case errors.Is(err, ErrBadArgument), errors.Is(err, socket.ErrMessageTooLarge):
		return CodeBadArgument
	case errors.Is(err, spawn.ErrExited):
		return CodeExited
	case errors.Is(err, socket.ErrPluginNotFound):
		return CodeNotConnected
	case errors.Is(err, socket.ErrMethodNotFound):
		return CodeMethodNotFound
	case errors.Is(err, socket.ErrPanic):
		return CodePanic
	case errors.Is(err, context.DeadlineExceeded):
		return CodeTimeout
	case errors.Is(err, context.Canceled), errors.Is(err, ErrClosed):
		return CodeCanceled
	case errors.Is(err, socket.ErrDisconnected):
		return CodeDisconnected
	case errors.Is(err, socket.ErrShutdown):
		return CodeShutdown
	case errors.As(err, &remote):
		return CodeRemote
	}
	return CodeError
}

// Error is the error a binding reports to a script: the engines turn it into
// a thrown Error (JavaScript) or a raised error value (Lua) carrying Plugin,
// Method and Code. It wraps the cause, so errors.Is sees the socket's
// sentinels through it.
type Error struct {
	// Plugin and Method name the call that failed; empty when the failure
	// is not about one call.
	Plugin, Method string
	// Code is one of the Code constants.
	Code string
	// Err is the cause.
	Err error
}

// NewError wraps err for a script, naming the call; the code comes from
// Code(err). A nil err gives nil.
func NewError(plugin, method string, err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Plugin: plugin, Method: method, Code: Code(err), Err: err}
}

// Error returns "plugin.method: cause" (or only the cause). A cause that
// names the plugin first (`kv exited 4 at ...`) gets no "plugin: " before
// it.
func (e *Error) Error() string {
	msg := e.Err.Error()
	if e.Plugin == "" && e.Method == "" {
		return msg
	}
	if e.Method == "" && strings.HasPrefix(msg, e.Plugin+" ") {
		return msg
	}
	// socket.CallError already names the call.
	prefix := e.Plugin + "." + e.Method + ": "
	if e.Plugin != "" && e.Method != "" && strings.HasPrefix(msg, prefix) {
		return msg
	}
	switch {
	case e.Plugin == "":
		return e.Method + ": " + msg
	case e.Method == "":
		return e.Plugin + ": " + msg
	}
	return prefix + msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// badArgument returns an error wrapping ErrBadArgument.
func badArgument(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadArgument, fmt.Sprintf(format, args...))
}

// BadArgument returns an *Error with code bad_argument about what.
func BadArgument(format string, args ...any) *Error {
	return &Error{Code: CodeBadArgument, Err: badArgument(format, args...)}
}

// ArgumentError returns err, an error about an argument of a call of
// plugin's method (broadcast's has no plugin), as an *Error with code
// bad_argument that names the call; what, when not empty, names the
// argument ("payload"). Its message is "plugin.method: what: cause".
func ArgumentError(plugin, method, what string, err error) *Error {
	if what != "" {
		err = fmt.Errorf("%s: %w", what, err)
	} else if se := (*Error)(nil); errors.As(err, &se) {
		err = se.Err // the cause, which this Error names the call of
	}
	return &Error{Plugin: plugin, Method: method, Code: CodeBadArgument, Err: err}
}

// BadResponse returns an *Error with code bad_response about the answer
// plugin gave to method; cause says what is wrong with it.
func BadResponse(plugin, method string, cause error) *Error {
	return &Error{Plugin: plugin, Method: method, Code: CodeBadResponse, Err: fmt.Errorf("%w: %w", ErrBadResponse, cause)}
}

// ExitError is returned by RunFile and Eval when the script called exit().
type ExitError struct {
	// Code is the exit status the script asked for.
	Code int
}

// Error returns "exit status N".
func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ScriptError is an uncaught error that ended a script (or a REPL entry):
// a thrown exception, an unhandled promise rejection, a Lua error, or a
// syntax error. Error() starts with "file:line: ".
type ScriptError struct {
	// File and Line locate the error in the script (Line 0 when unknown).
	File string
	Line int
	// Message is the error's text, without the location.
	Message string
	// Stack is the script's stack when it is known, one frame a line.
	Stack string
	// Err is the Go error behind it, if any (an *Error for a failed call).
	Err error
}

// Error returns "file:line: message", followed by the stack on the next
// lines when there is one.
func (e *ScriptError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Stack != "" {
		b.WriteByte('\n')
		b.WriteString(strings.TrimRight(e.Stack, "\n"))
	}
	return b.String()
}

// Unwrap returns the Go error behind the script error, if any.
func (e *ScriptError) Unwrap() error { return e.Err }
