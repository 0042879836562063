package socket

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Deferred is a call that has ended but that the observer has not been
// told of yet: CallJSONDeferred returns one so that the caller can first
// turn the result into values of its own, and a result that does not turn
// into them is reported as the failure the caller gets. Report tells the
// observer. The zero Deferred (no observer) reports nothing.
type Deferred struct {
	o   Observer
	rec CallRecord
}

// CallJSONDeferred is CallJSON for a caller that turns the result into
// values of its own and fails when it cannot (the script engines): the
// call is reported to the observer only when the caller calls the returned
// Deferred's Report, once, whatever the outcome, on any goroutine. The
// record's Duration still ends with the answer. It blocks as CallJSON
// does.
func (s *Socket) CallJSONDeferred(ctx context.Context, id, name, method string, payload json.RawMessage) (json.RawMessage, Deferred, error) {
	o := s.observer()
	if o == nil {
		out, err := s.callJSON(ctx, id, name, method, payload)
		return out, Deferred{}, err
	}
	start := time.Now()
	out, err := s.callJSON(ctx, id, name, method, payload)
	return out, Deferred{o: o, rec: CallRecord{Plugin: name, Method: method, Trace: id, Start: start,
		Duration: time.Since(start), RequestBytes: len(payload), ResponseBytes: len(out), Err: err}}, err
}

// Report tells the observer of the call. bad is nil when the caller took
// the result (or the call failed: that error is reported); otherwise it
// says why the result could not be used, and the call is reported as a
// *CallError wrapping ErrBadResponse and bad. It does not block (the
// observer's methods must not).
func (d Deferred) Report(bad error) {
	if d.o == nil {
		return
	}
	if bad != nil && d.rec.Err == nil {
		d.rec.Err = &CallError{Plugin: d.rec.Plugin, Method: d.rec.Method, Err: fmt.Errorf("%w: %w", ErrBadResponse, bad)}
	}
	d.o.CallDone(d.rec)
}
