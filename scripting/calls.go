package scripting

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Call makes one request and waits for the answer, without running the
// loop: events that arrive meanwhile wait in the queue. payload and the
// result are JSON (nil: no argument; a nil result means the plugin answered
// with an empty payload). The error is an *Error naming the call, its Code
// one of the Code constants. ctx (the script's scope) bounds the call
// besides opts.Timeout.
func (rt *Runtime) Call(ctx context.Context, name, method string, payload []byte, opts CallOptions) ([]byte, error) {
	out, d, err := rt.call(ctx, name, method, payload, opts)
	d.Report(nil)
	return out, err
}

// CallThen is Call for a caller that turns the result into values of its
// own (an engine): convert is called with the result, on the calling
// goroutine, when the call succeeded, and before the socket's observer is
// told of the call, so that an error it returns is the call's failure for
// both: CallThen returns it as a bad_response *Error naming the call
// (BadResponse), and the observer sees it wrapping socket.ErrBadResponse.
func (rt *Runtime) CallThen(ctx context.Context, name, method string, payload []byte, opts CallOptions, convert func(result []byte) error) error {
	out, d, err := rt.call(ctx, name, method, payload, opts)
	if err != nil {
		d.Report(nil)
		return err
	}
	if bad := convert(out); bad != nil {
		d.Report(bad)
		return BadResponse(name, method, bad)
	}
	d.Report(nil)
	return nil
}

// call is Call with the report to the observer left to the caller.
func (rt *Runtime) call(ctx context.Context, name, method string, payload []byte, opts CallOptions) ([]byte, socket.Deferred, error) {
	if rt.sock == nil {
		return nil, socket.Deferred{}, NewError(name, method, socket.ErrPluginNotFound)
	}
	if !opts.NoFieldCheck && hasFields(payload) {
		// Only a payload with fields is checked, against the method's
		// description in place.
		var err error
		rt.sock.InspectInput(name, method, func(in *plugin.Entity) { err = checkFields(in, payload) })
		if err != nil {
			return nil, socket.Deferred{}, &Error{Plugin: name, Method: method, Code: CodeBadArgument, Err: err}
		}
	}
	parent := ctx
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	out, d, err := rt.sock.CallJSONDeferred(ctx, opts.Trace, name, method, payload)
	if errors.Is(err, socket.ErrPluginNotFound) && rt.awaitStarting(ctx, name) {
		d.Report(nil) // counted as the not_connected call it was
		out, d, err = rt.sock.CallJSONDeferred(ctx, opts.Trace, name, method, payload)
	}
	if err != nil {
		if errors.Is(err, socket.ErrPluginNotFound) {
			if ex := rt.exited(name, method, err); ex != nil {
				return nil, d, ex
			}
		}
		return nil, d, NewError(name, method, rt.explain(parent, name, method, opts, err))
	}
	return out, d, nil
}

// explain makes a failed call's error say what a script author needs:
// the closest plugin or method name to the one not found, the limit of a
// timeout, "canceled" instead of Go's "context canceled". The error is
// still errors.Is the socket's sentinel and the context's error.
func (rt *Runtime) explain(parent context.Context, name, method string, opts CallOptions, err error) error {
	prefix := name + "." + method + ": "
	switch {
	case errors.Is(err, socket.ErrPluginNotFound):
		names := make([]string, 0)
		for n := range rt.sock.Connected(false) {
			names = append(names, n)
		}
		if c := closest(name, names); c != "" {
			return &hintError{err: err, hint: "did you mean " + c + "?"}
		}
	case errors.Is(err, socket.ErrMethodNotFound):
		if info := rt.sock.PluginInfo(name); info != nil {
			methods := make([]string, 0, len(info.Functions))
			for m := range info.Functions {
				methods = append(methods, m)
			}
			if c := closest(method, methods); c != "" {
				return &hintError{err: err, hint: "did you mean " + c + "?"}
			}
		}
	case errors.Is(err, context.DeadlineExceeded) && opts.Timeout > 0 && parent.Err() == nil:
		return &textError{err: err, text: prefix + "timed out after " + opts.Timeout.String()}
	case errors.Is(err, context.DeadlineExceeded):
		return &textError{err: err, text: prefix + "timed out"}
	case errors.Is(err, context.Canceled):
		return &textError{err: err, text: prefix + "canceled"}
	}
	return err
}

// CallAsync is CallThen on a goroutine of the runtime's: it reserves a
// slot on the loop and returns at once; done runs later on the loop with
// the outcome. When the call succeeded, done returns why it could not use
// the result, or nil, and the socket's observer is told of the call after
// it (as CallThen's convert); a failed call is told at once. (A call that
// succeeds after the script's loop has stopped for good is never told:
// its done never runs.) It must be called on the script's goroutine.
func (rt *Runtime) CallAsync(ctx context.Context, name, method string, payload []byte, opts CallOptions, done func(result []byte, err error) (bad error)) {
	finish := rt.loop.Reserve()
	rt.goWork(func() {
		out, d, err := rt.call(ctx, name, method, payload, opts)
		if err != nil {
			d.Report(nil)
			finish(func() { done(out, err) })
			return
		}
		finish(func() { d.Report(done(out, nil)) })
	})
}

// BroadcastResult is what broadcast returns: every connected plugin is in
// exactly one of the two maps. A plugin whose answer is not JSON (or nests
// deeper than the bindings convert) is in Errors, with a message starting
// "bad response: ".
type BroadcastResult struct {
	// Results holds each answering plugin's result, as JSON (null for an
	// empty answer).
	Results map[string]json.RawMessage `json:"results"`
	// Errors holds each failing plugin's error message.
	Errors map[string]string `json:"errors"`
}

// Broadcast sends the request to every connected plugin in parallel and
// waits for all of them, without running the loop. The result is a
// BroadcastResult as JSON. Failures of single plugins are in its errors;
// the error return is for a failure of the whole (a shut-down socket, ctx
// ended before any answer), an *Error.
func (rt *Runtime) Broadcast(ctx context.Context, method string, payload []byte, opts CallOptions) ([]byte, error) {
	res := BroadcastResult{Results: map[string]json.RawMessage{}, Errors: map[string]string{}}
	if rt.sock != nil {
		if opts.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
			defer cancel()
		}
		// One plugin's bad answer is its own failure (and the observer
		// sees it so): it must not make the whole result unencodable, or
		// too deep to convert once it sits two levels down.
		results, errs := rt.sock.BroadcastJSONCheck(ctx, opts.Trace, method, payload, checkBroadcastResult)
		if err, ok := errs["*"]; ok && len(results) == 0 {
			return nil, NewError("", method, err)
		}
		for name, out := range results {
			if len(out) == 0 {
				out = json.RawMessage("null")
			}
			res.Results[name] = out
		}
		for name, err := range errs {
			switch {
			case errors.Is(err, context.DeadlineExceeded) && opts.Timeout > 0:
				res.Errors[name] = "timed out after " + opts.Timeout.String()
			case errors.Is(err, context.Canceled):
				res.Errors[name] = "canceled"
			default:
				res.Errors[name] = errorText(name, method, err)
			}
		}
	}
	if err := ctx.Err(); err != nil && len(res.Results) == 0 && len(res.Errors) > 0 {
		switch {
		case errors.Is(err, context.DeadlineExceeded) && opts.Timeout > 0:
			err = &textError{err: err, text: "timed out after " + opts.Timeout.String()}
		case errors.Is(err, context.Canceled):
			err = &textError{err: err, text: "canceled"}
		}
		return nil, NewError("", method, err)
	}
	return json.Marshal(res)
}

// checkBroadcastResult refuses a plugin's answer to a broadcast that
// cannot sit in a BroadcastResult: not JSON, or nested so deep that the
// whole would be too deep to convert.
func checkBroadcastResult(_ string, out json.RawMessage) error {
	switch {
	case len(out) == 0:
		return nil
	case !json.Valid(out):
		return errors.New("invalid JSON")
	case jsontok.Deeper(out, jsontok.MaxDepth-2):
		return fmt.Errorf("nested deeper than %d levels", jsontok.MaxDepth-2)
	}
	return nil
}

// errorText is err's message without the "plugin.method: " prefix the
// socket adds, since the map already says which plugin failed.
func errorText(name, method string, err error) string {
	var ce *socket.CallError
	if errors.As(err, &ce) {
		return ce.Err.Error()
	}
	return err.Error()
}

// BroadcastAsync is Broadcast on a goroutine of the runtime's; see
// CallAsync.
func (rt *Runtime) BroadcastAsync(ctx context.Context, method string, payload []byte, opts CallOptions, done func(result []byte, err error)) {
	finish := rt.loop.Reserve()
	rt.goWork(func() {
		out, err := rt.Broadcast(ctx, method, payload, opts)
		finish(func() { done(out, err) })
	})
}

// Connected returns the connected plugins as a JSON object
// {name: {name, version, functions?}} (functions only when full).
func (rt *Runtime) Connected(full bool) []byte {
	if rt.sock == nil {
		return []byte("{}")
	}
	b, err := json.Marshal(rt.sock.Connected(full))
	if err != nil {
		return []byte("{}")
	}
	return b
}

// Info returns one plugin's full description as JSON, or nil when no
// plugin of that name is connected.
func (rt *Runtime) Info(name string) []byte {
	if rt.sock == nil {
		return nil
	}
	info := rt.sock.PluginInfo(name)
	if info == nil {
		return nil
	}
	return infoJSON(info)
}

// Unplug asks one plugin to stop and returns at once; unknown names are
// ignored.
func (rt *Runtime) Unplug(name string) {
	if rt.sock != nil {
		rt.sock.Unplug("", name)
	}
}

// Sleep runs the loop for d: queued events and due timers are handled
// meanwhile. It returns early, with the scope's error, when ctx ends.
func (rt *Runtime) Sleep(ctx context.Context, d time.Duration) error {
	return rt.loop.RunUntil(ctx, time.Now().Add(d), nil)
}

// Serve runs the loop until ctx ends (exit(), host shutdown, a cancelled
// REPL line) and returns ctx's error.
func (rt *Runtime) Serve(ctx context.Context) error {
	return rt.loop.RunUntil(ctx, time.Time{}, nil)
}

// WaitFor waits until the plugin is connected, running the loop meanwhile,
// for at most timeout (0: no bound but ctx). It returns true at once when
// the plugin is connected already, false on timeout, and ctx's error when
// ctx ends. When the process tracked under name (see Track) has exited for
// good, or exits while WaitFor waits, without the plugin connected, it
// returns at once an *Error with code CodeExited whose cause is the
// process's *spawn.ExitError (its status and last lines of output).
func (rt *Runtime) WaitFor(ctx context.Context, name string, timeout time.Duration) (bool, error) {
	if rt.sock == nil {
		return false, NewError(name, "", socket.ErrPluginNotFound)
	}
	if rt.sock.PluginInfo(name) != nil {
		return true, nil
	}
	proc := rt.process(name)
	if ex := rt.exited(name, "", nil); ex != nil {
		return false, ex
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	found, gone := false, false
	finish := rt.loop.Reserve()
	rt.goWork(func() {
		err := rt.sock.WaitForContext(wctx, name)
		finish(func() {
			if err == nil {
				found = true
			}
		})
	})
	if proc != nil {
		finish := rt.loop.Reserve()
		rt.goWork(func() {
			select {
			case <-proc.Done():
			case <-wctx.Done():
			}
			finish(func() { gone = proc.Exit() != nil })
		})
	}
	if err := rt.loop.RunUntil(ctx, deadline, func() bool { return found || gone }); err != nil {
		return false, err
	}
	if found || rt.sock.PluginInfo(name) != nil {
		return true, nil
	}
	if gone {
		return false, &Error{Plugin: name, Code: CodeExited, Err: proc.Exit()}
	}
	return false, nil
}
