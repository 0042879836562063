package scripting

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// CallOptions are the options of call and broadcast.
type CallOptions struct {
	// Timeout bounds the call; zero means no bound other than the script's
	// own context (host shutdown, a cancelled REPL line).
	Timeout time.Duration
	// Trace is the trace id sent with the request.
	Trace string
	// NoFieldCheck sends the payload without checking its fields against
	// the method's described input (option checkFields: false). By
	// default a field the description does not have is a bad_argument
	// before anything is sent.
	NoFieldCheck bool
}

// ParseCallOptions decodes the opts object of call and broadcast from its
// JSON form: {"timeout": ms or "1.5s", "trace": "id", "checkFields":
// false}. Empty input and
// null give the zero options. Unknown fields are an error wrapping
// ErrBadArgument, so that a typo does not pass silently.
func ParseCallOptions(raw []byte) (CallOptions, error) {
	var o CallOptions
	if isNull(raw) {
		return o, nil
	}
	var in struct {
		Timeout     json.RawMessage `json:"timeout"`
		Trace       *string         `json:"trace"`
		CheckFields *bool           `json:"checkFields"`
	}
	if err := decodeStrict(raw, &in); err != nil {
		return o, badArgument("options: %v", optionsHint(err))
	}
	if in.CheckFields != nil {
		o.NoFieldCheck = !*in.CheckFields
	}
	if in.Trace != nil {
		o.Trace = *in.Trace
	}
	d, err := ParseDuration(in.Timeout)
	if err != nil {
		return o, err
	}
	o.Timeout = d
	return o, nil
}

// ParseDuration decodes a script's duration from its JSON form: a number
// of milliseconds or a Go duration string such as "1.5s". Empty input and
// null give 0; a negative, non-finite or malformed value is an error
// wrapping ErrBadArgument.
func ParseDuration(raw []byte) (time.Duration, error) {
	if isNull(raw) {
		return 0, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, badArgument("duration: %v", err)
	}
	switch x := v.(type) {
	case float64:
		return Millis(x)
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			return 0, badArgument("duration: %v", err)
		}
		if d < 0 {
			return 0, badArgument("duration %q is negative", x)
		}
		return d, nil
	}
	return 0, badArgument("duration must be a number of milliseconds or a string such as \"1.5s\", not %s", raw)
}

// Millis converts a number of milliseconds to a duration; negative and
// non-finite values are an error wrapping ErrBadArgument.
func Millis(ms float64) (time.Duration, error) {
	if math.IsNaN(ms) || ms < 0 || ms > float64(math.MaxInt64/int64(time.Millisecond)) {
		return 0, badArgument("duration %v ms is out of range", ms)
	}
	return time.Duration(ms * float64(time.Millisecond)), nil
}

func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func decodeStrict(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// optionsHint turns json's `json: unknown field "timeuot"` into `unknown
// field "timeuot" (did you mean "timeout"?)`.
func optionsHint(err error) string {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	var name string
	if _, e := fmt.Sscanf(msg, "unknown field %q", &name); e == nil {
		if c := closest(name, []string{"timeout", "trace", "checkFields"}); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
	}
	return msg
}
