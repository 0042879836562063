package plugin

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

// DefaultMaxMessage is the largest message a plugin accepts from the socket
// unless WithMaxMessage says otherwise: 16 MiB, the socket's default too.
const DefaultMaxMessage = wire.DefaultMaxMessage

// minMaxMessage is the smallest limit WithMaxMessage accepts, as for the
// socket's option of that name.
const minMaxMessage = 1024

// DefaultWriteTimeout bounds one write to the socket unless WithWriteTimeout
// says otherwise.
const DefaultWriteTimeout = 30 * time.Second

// config is what the options set. A zero field is one no option set: the
// options refuse zero values, so the default can take its place.
type config struct {
	token        string
	log          *slog.Logger
	writeTimeout time.Duration
	maxMessage   int
	ctxKey       any
	natsInline   []string // sorted, without repeats
}

// withDefaults fills in what no option set.
func (c config) withDefaults() config {
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.writeTimeout == 0 {
		c.writeTimeout = DefaultWriteTimeout
	}
	if c.maxMessage == 0 {
		c.maxMessage = DefaultMaxMessage
	}
	return c
}

// Option configures a Plugin made with New. Options are validated by New; a
// bad value (a nil logger, a duration that is not positive, a nil option)
// makes New fail with an error wrapping ErrInvalidOption. The socket's
// options follow the same rules.
type Option func(*config) error

// New returns a Plugin configured by opts, or an error wrapping
// ErrInvalidOption. The defaults of the options not given are taken when New
// is called (the logger is slog.Default() at that moment). The zero Plugin
// is ready to use too, with the defaults taken when Start is called.
func New(opts ...Option) (*Plugin, error) {
	var cfg config
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("plugin: %w: nil option", ErrInvalidOption)
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &Plugin{cfg: cfg.withDefaults()}, nil
}

// WithToken sets the shared secret sent in the handshake. A socket that is
// configured with a token rejects plugins that send a different one or none.
// An empty token sends none, as without the option.
func WithToken(token string) Option {
	return func(c *config) error {
		c.token = token
		return nil
	}
}

// WithLogger sets the logger for connection problems (default
// slog.Default()). A nil logger is an invalid option.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("plugin: %w: nil logger", ErrInvalidOption)
		}
		c.log = l
		return nil
	}
}

// WithWriteTimeout bounds how long one write to the socket may take before
// the connection is given up (default 30s). d must be positive: zero or less
// is an invalid option, not "no bound".
func WithWriteTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("plugin: %w: write timeout must be positive, got %v", ErrInvalidOption, d)
		}
		c.writeTimeout = d
		return nil
	}
}

// WithMaxMessage sets the largest message the plugin accepts from the
// socket, in bytes (default DefaultMaxMessage, 16 MiB): a request whose
// encoded argument is larger ends the connection, and every call on it, as
// the stream cannot be read past it. Raise it for a plugin that takes large
// arguments; brpc's plugins take any size. The socket's WithMaxMessage
// bounds the other direction. n must be at least 1024; less is an invalid
// option.
func WithMaxMessage(n int) Option {
	return func(c *config) error {
		if n < minMaxMessage {
			return fmt.Errorf("plugin: %w: max message %d is below %d bytes", ErrInvalidOption, n, minMaxMessage)
		}
		c.maxMessage = n
		return nil
	}
}

// WithContextKey makes each method's context carry the request's trace id (a
// string) under key, for code that reads it with ctx.Value; Trace(ctx)
// returns it with or without this option. key must be comparable, as for
// context.WithValue, and a type of the caller's own; a nil key is an
// invalid option. Start's ctxKey argument, when not nil, is used instead.
func WithContextKey(key any) Option {
	return func(c *config) error {
		if key == nil {
			return fmt.Errorf("plugin: %w: nil context key", ErrInvalidOption)
		}
		if !reflect.TypeOf(key).Comparable() {
			return fmt.Errorf("plugin: %w: context key of type %T is not comparable", ErrInvalidOption, key)
		}
		c.ctxKey = key
		return nil
	}
}

// WithNATSInline makes StartNATS serve the named methods inline: each
// request of one of them runs on the goroutine that NATS delivers the
// method's requests on, instead of being handed to a worker goroutine.
// That saves a goroutine handoff per request (a fifth to a quarter of a
// call's time at 64 concurrent callers, measured in docs/nats.md), at the
// price of concurrency: an instance serves the requests of an inline
// method one at a time, in the order they reach it, as a plain NATS
// subscriber or a micro handler does. It holds up nothing else: other
// methods, cancellation and stopping go on while an inline method runs,
// each on its own subscription. Name only methods that return quickly and
// never wait for another call of the same method.
//
// Start, over a direct connection, serves every method concurrently and
// ignores the option. StartNATS refuses a name that is not a method it
// serves; New refuses an empty name, or no name at all, as an invalid
// option.
func WithNATSInline(methods ...string) Option {
	return func(c *config) error {
		if len(methods) == 0 {
			return fmt.Errorf("plugin: %w: WithNATSInline names no method", ErrInvalidOption)
		}
		for _, m := range methods {
			if m == "" {
				return fmt.Errorf("plugin: %w: WithNATSInline names an empty method", ErrInvalidOption)
			}
		}
		c.natsInline = slices.Compact(slices.Sorted(slices.Values(append(c.natsInline, methods...))))
		return nil
	}
}
