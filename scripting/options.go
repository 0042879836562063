package scripting

import (
	"bytes"
	"encoding/json"
	"math"
	"time"
)

// CallOptions are the options of call and broadcast.
type CallOptions struct {
	// Timeout bounds the call; zero means no bound other than the script's
	// own context (host shutdown, a cancelled REPL line).
	Timeout time.Duration
	// Trace is the trace id sent with the request.
	Trace string
}

// ParseCallOptions decodes the opts object of call and broadcast from its
// JSON form: {"timeout": ms or "1.5s", "trace": "id"}. Empty input and
// null give the zero options. Unknown fields are an error wrapping
// ErrBadArgument, so that a typo does not pass silently.
func ParseCallOptions(raw []byte) (CallOptions, error) {
	var o CallOptions
	if isNull(raw) {
		return o, nil
	}
	var in struct {
		Timeout json.RawMessage `json:"timeout"`
		Trace   *string         `json:"trace"`
	}
	if err := decodeStrict(raw, &in); err != nil {
		return o, badArgument("options: %v", err)
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

// SpawnOptions are the options of spawn.
type SpawnOptions struct {
	// Dir is the child's working directory (default: the host's).
	Dir string `json:"dir"`
	// Env holds extra environment variables for the child, on top of the
	// host's environment and SWITCHBOARD_ADDR/SWITCHBOARD_TOKEN.
	Env map[string]string `json:"env"`
	// Name prefixes the child's output lines in the log (default: the base
	// name of the command).
	Name string `json:"name"`
	// Restart is the restart policy: RestartNever ("never", also the
	// default when empty) or RestartOnFailure ("on-failure": a child that
	// exits with a non-zero status or dies of a signal it was not sent by
	// Kill or Close is started again, after a back-off from MinRestartDelay
	// doubling up to MaxRestartDelay).
	Restart string `json:"restart"`
	// MaxRestarts bounds the restarts of the on-failure policy; zero means
	// no bound. It needs Restart "on-failure".
	MaxRestarts int `json:"maxRestarts"`
}

// validate checks the restart policy.
func (o SpawnOptions) validate() error {
	switch o.Restart {
	case "", RestartNever, RestartOnFailure:
	default:
		return badArgument("spawn options: restart must be %q or %q, not %q", RestartNever, RestartOnFailure, o.Restart)
	}
	if o.MaxRestarts < 0 {
		return badArgument("spawn options: maxRestarts must not be negative, got %d", o.MaxRestarts)
	}
	if o.MaxRestarts > 0 && o.Restart != RestartOnFailure {
		return badArgument("spawn options: maxRestarts needs restart %q", RestartOnFailure)
	}
	return nil
}

// ParseSpawnOptions decodes the opts object of spawn from its JSON form:
// {"dir": "...", "env": {"K": "V"}, "name": "...", "restart": "on-failure",
// "maxRestarts": 3}. Empty input and null give the zero options; unknown
// fields and a bad restart policy are an error wrapping ErrBadArgument.
func ParseSpawnOptions(raw []byte) (SpawnOptions, error) {
	var o SpawnOptions
	if isNull(raw) {
		return o, nil
	}
	if err := decodeStrict(raw, &o); err != nil {
		return o, badArgument("spawn options: %v", err)
	}
	if err := o.validate(); err != nil {
		return SpawnOptions{}, err
	}
	return o, nil
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
