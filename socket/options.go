package socket

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// Defaults of the options, which each option's comment states. They are
// exported so that a program can size its own bounds from them.
const (
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultStopTimeout      = 10 * time.Second
	DefaultMaxMessage       = wire.DefaultMaxMessage
)

// DefaultEventMemory is the default bound, in bytes, of each queue of
// events: the values kept for Async (WithAsyncMemory) and each
// subscriber's queue (WithEventMemory). 64 MiB holds a burst of 100,000
// small values several times over.
const DefaultEventMemory = 64 << 20

// config is what the options set. It is copied whole when a connection
// starts, so a connection never sees a half-applied change.
type config struct {
	log              *slog.Logger
	sequencer        func(string) string
	attempts         uint
	handshakeTimeout time.Duration
	writeTimeout     time.Duration
	stopTimeout      time.Duration
	maxMessage       int
	asyncMemory      int
	eventMemory      int
	token            string
	maxPlugins       int // see limits.go
	maxInFlight      int
	preAuthBytes     int // 0: preAuthMessages messages of the largest size
	observer         Observer
	types            *wire.TypeCache // the gob type definitions the socket's connections share
}

func defaultConfig() config {
	return config{
		log:              slog.Default(),
		handshakeTimeout: DefaultHandshakeTimeout,
		writeTimeout:     DefaultWriteTimeout,
		stopTimeout:      DefaultStopTimeout,
		maxMessage:       DefaultMaxMessage,
		asyncMemory:      DefaultEventMemory,
		eventMemory:      DefaultEventMemory,
		maxPlugins:       DefaultMaxPlugins,
		maxInFlight:      DefaultMaxInFlight,
		types:            wire.NewTypeCache(),
	}
}

// Option configures a Socket. Options are validated where they are applied
// (New, or Serve's brpc-compatible form); a bad value (a nil logger or
// function, a duration that is not positive, a count below its minimum, a
// nil option) is an error wrapping ErrInvalidOption. The plugin SDK's
// options follow the same rules.
type Option func(*config) error

// WithLogger sets the logger for connection events and problems (default
// slog.Default(), as it is when the Socket is made: by New, or at its first
// use for the zero Socket). A nil logger is an invalid option.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.log = l
		return nil
	}
}

// WithKeySequencer lets several plugins share a base name: when a name is
// taken, fn is applied to it (then to its result) up to attempts times until
// a free name comes out, which the plugin is registered under. Without a
// sequencer a second plugin with a taken name is rejected. A nil fn or zero
// attempts is an invalid option.
func WithKeySequencer(fn func(string) string, attempts uint) Option {
	return func(c *config) error {
		if fn == nil || attempts == 0 {
			return fmt.Errorf("%w: key sequencer needs a function and at least one attempt", ErrInvalidOption)
		}
		c.sequencer, c.attempts = fn, attempts
		return nil
	}
}

// WithHandshakeTimeout bounds the time between accepting a connection and
// receiving its handshake (default 10s). d must be positive: zero or less is
// an invalid option, not "no bound".
func WithHandshakeTimeout(d time.Duration) Option {
	return positive("handshake timeout", d, func(c *config) { c.handshakeTimeout = d })
}

// WithWriteTimeout bounds one write to a plugin; a plugin that stops reading
// is disconnected after it (default 10s). d must be positive, as for
// WithHandshakeTimeout.
func WithWriteTimeout(d time.Duration) Option {
	return positive("write timeout", d, func(c *config) { c.writeTimeout = d })
}

// WithStopTimeout bounds how long Shutdown and Unplug wait for a plugin to
// finish its calls and close before its connection is cut (default 10s). d
// must be positive, as for WithHandshakeTimeout.
func WithStopTimeout(d time.Duration) Option {
	return positive("stop timeout", d, func(c *config) { c.stopTimeout = d })
}

// WithMaxMessage sets the largest message accepted from a plugin, in bytes
// (default 16 MiB). A larger one closes that plugin's connection. It also
// bounds the requests sent to plugins, whose SDK refuses messages past the
// same default: a call or broadcast whose request would be larger fails at
// once with ErrMessageTooLarge, and nothing is sent. n must be at least
// 1024; less is an invalid option.
func WithMaxMessage(n int) Option {
	return func(c *config) error {
		if n < 1024 {
			return fmt.Errorf("%w: max message %d is below 1024 bytes", ErrInvalidOption, n)
		}
		c.maxMessage = n
		return nil
	}
}

// WithAsyncMemory bounds, in bytes, the async values Async keeps for its
// reader (default DefaultEventMemory, 64 MiB). Values are kept only from
// the first call of Async on; past the bound the oldest are dropped,
// counted (Stats.AsyncDropped) and logged once per burst with the plugin's
// name. A value's size is its JSON, four times over (the JSON and its
// decoded Payload), plus 160 bytes. Zero turns the backlog off, for hosts
// that use subscriptions; a negative n is an invalid option.
func WithAsyncMemory(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("%w: negative async memory %d", ErrInvalidOption, n)
		}
		c.asyncMemory = n
		return nil
	}
}

// WithEventMemory bounds, in bytes, the events each subscriber may have
// waiting (default DefaultEventMemory, 64 MiB); past it the oldest are
// dropped, counted (Stats.EventsDropped) and logged once per burst with the
// plugin's name. An async value counts as for WithAsyncMemory, a connect or
// disconnect event as 256 bytes. n must be at least 1 (one event is always
// kept, however large); less is an invalid option.
func WithEventMemory(n int) Option {
	return atLeastOne("event memory", n, func(c *config) { c.eventMemory = n })
}

// WithToken makes the socket require this shared secret in every handshake.
// Plugins sending a different token, or none, are rejected before they are
// registered. An empty token turns the check off, as without the option.
func WithToken(token string) Option {
	return func(c *config) error {
		c.token = token
		return nil
	}
}

func positive(what string, d time.Duration, set func(*config)) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("%w: %s must be positive, got %v", ErrInvalidOption, what, d)
		}
		set(c)
		return nil
	}
}

// atLeastOne is an option that sets a count, which must be 1 or more.
func atLeastOne(what string, n int, set func(*config)) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("%w: %s must be at least 1, got %d", ErrInvalidOption, what, n)
		}
		set(c)
		return nil
	}
}
