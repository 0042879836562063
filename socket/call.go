package socket

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

// Call invokes method on the plugin called name with payload as its argument
// (encoded as JSON; nil for none), waits for the answer and returns it
// decoded from JSON into Go values. It waits as long as the plugin takes; use
// CallContext to bound it. id is sent along as the request's trace. Every
// error is a *CallError naming the plugin and method; an argument that does
// not encode wraps ErrBadArgument (nothing is sent), an answer that does
// not decode ErrBadResponse.
func (s *Socket) Call(id, name, method string, payload any) (any, error) {
	return s.CallContext(context.Background(), id, name, method, payload)
}

// CallContext is Call bounded by ctx: when ctx ends first, it returns an
// error wrapping ctx.Err(), the plugin is told to cancel the request if it
// understands that, and the late answer is dropped.
func (s *Socket) CallContext(ctx context.Context, id, name, method string, payload any) (any, error) {
	o := s.observer()
	in, err := encodeArg(payload)
	if err != nil {
		err = &CallError{Plugin: name, Method: method, Err: err}
		if o != nil { // never sent: no time, no bytes
			o.CallDone(CallRecord{Plugin: name, Method: method, Trace: id, Start: time.Now(), Err: err})
		}
		return nil, err
	}
	if o == nil {
		out, err := s.callJSON(ctx, id, name, method, in)
		if err != nil {
			return nil, err
		}
		return decodeResult(name, method, out)
	}
	// Observed here rather than in CallJSON, so that a result that does
	// not decode is reported as the failure the caller gets; Duration
	// ends with the answer, as CallJSON's does.
	start := time.Now()
	out, err := s.callJSON(ctx, id, name, method, in)
	d := time.Since(start)
	var v any
	if err == nil {
		v, err = decodeResult(name, method, out)
	}
	o.CallDone(CallRecord{Plugin: name, Method: method, Trace: id, Start: start, Duration: d,
		RequestBytes: len(in), ResponseBytes: len(out), Err: err})
	return v, err
}

// CallJSON is CallContext with the argument and the result as JSON bytes,
// passed through untouched. An empty payload sends no argument; the result is
// nil when the plugin answered with none.
func (s *Socket) CallJSON(ctx context.Context, id, name, method string, payload json.RawMessage) (json.RawMessage, error) {
	if o := s.observer(); o != nil {
		start := time.Now()
		out, err := s.callJSON(ctx, id, name, method, payload)
		observeCall(o, id, name, method, start, payload, out, err, false)
		return out, err
	}
	return s.callJSON(ctx, id, name, method, payload)
}

func (s *Socket) callJSON(ctx context.Context, id, name, method string, payload json.RawMessage) (json.RawMessage, error) {
	p, err := s.lookup(name)
	if err != nil {
		return nil, &CallError{Plugin: name, Method: method, Err: err}
	}
	out, err := call(ctx, p, id, method, payload)
	if err != nil {
		return nil, &CallError{Plugin: name, Method: method, Err: err}
	}
	return out, nil
}

// Broadcast invokes method with payload on every connected plugin in
// parallel and returns when each has answered or failed: every plugin is in
// exactly one of the two maps, under its name.
func (s *Socket) Broadcast(id, method string, payload any) (map[string]any, map[string]error) {
	return s.BroadcastContext(context.Background(), id, method, payload)
}

// BroadcastContext is Broadcast with every call bounded by ctx.
func (s *Socket) BroadcastContext(ctx context.Context, id, method string, payload any) (map[string]any, map[string]error) {
	results, errs := map[string]any{}, map[string]error{}
	in, err := encodeArg(payload)
	if err != nil {
		errs["*"] = &CallError{Plugin: "*", Method: method, Err: err}
		if o := s.observer(); o != nil { // refused as a whole, as BroadcastJSON reports it
			o.BroadcastDone(BroadcastRecord{Method: method, Trace: id, Start: time.Now(), Err: errs["*"]})
		}
		return results, errs
	}
	// Each result is decoded before that plugin's part is reported, so
	// that one that does not decode is reported as the failure the caller
	// gets.
	errs = s.broadcast(ctx, id, method, in, nil, func(name string, out []byte) error {
		v, err := decodeResult(name, method, out)
		if err == nil {
			results[name] = v
		}
		return err
	})
	return results, errs
}

// BroadcastJSON is BroadcastContext with the argument and the results as
// JSON bytes. With the socket shut down, errs holds ErrShutdown under "*";
// with a payload too large to send (ErrMessageTooLarge), that error, and
// no plugin is sent anything.
func (s *Socket) BroadcastJSON(ctx context.Context, id, method string, payload json.RawMessage) (map[string]json.RawMessage, map[string]error) {
	results := map[string]json.RawMessage{}
	return results, s.broadcast(ctx, id, method, payload, results, nil)
}

// BroadcastJSONCheck is BroadcastJSON for a caller that turns each result
// into values of its own, which fails when it cannot: check is called on
// the calling goroutine with each answering plugin's name and result (nil
// when it answered none) before that plugin's part is reported to the
// observer. An error check returns is that plugin's failure, in errs as a
// *CallError wrapping ErrBadResponse and the error, and reported so; the
// result is then not in results. It blocks as BroadcastJSON does.
func (s *Socket) BroadcastJSONCheck(ctx context.Context, id, method string, payload json.RawMessage,
	check func(name string, result json.RawMessage) error) (map[string]json.RawMessage, map[string]error) {
	results := map[string]json.RawMessage{}
	return results, s.broadcast(ctx, id, method, payload, results, func(name string, out []byte) error {
		if err := check(name, out); err != nil {
			return &CallError{Plugin: name, Method: method, Err: fmt.Errorf("%w: %w", ErrBadResponse, err)}
		}
		return nil
	})
}

// broadcast is BroadcastJSON with check, when not nil, called on each
// answer before it is reported: an error it returns is that plugin's
// failure, as it is. The answers that pass go into results, unless it is
// nil (a caller that keeps values of its own); the failures are returned.
func (s *Socket) broadcast(ctx context.Context, id, method string, payload json.RawMessage,
	results map[string]json.RawMessage, check func(name string, out []byte) error) map[string]error {
	errs := map[string]error{}
	o := s.observer()
	var start time.Time
	if o != nil {
		start = time.Now()
	}
	plugins, err := s.ready()
	for _, e := range plugins {
		if err == nil {
			err = e.peer.check(id, method, payload)
		}
	}
	if err != nil {
		errs["*"] = &CallError{Plugin: "*", Method: method, Err: err}
		if o != nil {
			o.BroadcastDone(BroadcastRecord{Method: method, Trace: id, Start: start, Duration: time.Since(start), Err: errs["*"]})
		}
		return errs
	}
	// Every request is posted first, from this goroutine, then every answer
	// awaited: no goroutine per plugin, and the total time is the slowest
	// plugin's. Posting never waits for a plugin to read, so one that
	// stopped reading holds up only its own request.
	type outcome struct {
		sent sent
		out  []byte
		err  error
		took time.Duration // until the answer was collected, for the observer
	}
	out := make([]outcome, len(plugins))
	for i, e := range plugins {
		out[i].sent, out[i].err = e.peer.send(id, method, payload)
	}
	for i, e := range plugins {
		if out[i].err == nil {
			out[i].out, out[i].err = e.peer.wait(ctx, out[i].sent)
		}
		if o != nil {
			out[i].took = time.Since(start)
		}
	}
	// The answers are checked and reported once all are in, so that
	// checking one does not add to the time of the next.
	for i, e := range plugins {
		name, b, err := e.info.Name, out[i].out, out[i].err
		if err != nil {
			err = &CallError{Plugin: name, Method: method, Err: err}
		} else if check != nil {
			err = check(name, b)
		}
		if err != nil {
			errs[name] = err
		} else if results != nil {
			results[name] = b
		}
		if o != nil {
			o.CallDone(CallRecord{Plugin: name, Method: method, Trace: id, Start: start, Duration: out[i].took,
				RequestBytes: len(payload), ResponseBytes: len(b), Err: err, Broadcast: true})
		}
	}
	if o != nil {
		o.BroadcastDone(BroadcastRecord{Method: method, Trace: id, Start: start, Duration: time.Since(start),
			Plugins: len(plugins), Failed: len(errs)})
	}
	return errs
}

// encodeArg turns a Go argument into the request payload.
func encodeArg(payload any) ([]byte, error) {
	if payload == nil {
		return nil, nil
	}
	b, err := jsontok.Encode(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding the argument: %w", ErrBadArgument, err)
	}
	return b, nil
}

// decodeResult turns a plugin's answer into Go values; an error is a
// *CallError wrapping ErrBadResponse.
func decodeResult(name, method string, out []byte) (any, error) {
	if len(out) == 0 {
		return nil, nil
	}
	v, err := jsontok.Decode(out) // json.Unmarshal's value, faster
	if err != nil {
		return nil, &CallError{Plugin: name, Method: method, Err: fmt.Errorf("%w: decoding the result: %w", ErrBadResponse, err)}
	}
	return v, nil
}
