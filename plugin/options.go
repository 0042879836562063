package plugin

import (
	"log/slog"
	"time"
)

// Option configures a Plugin made with New.
type Option func(*Plugin)

// WithToken sets the shared secret sent in the handshake. A socket that is
// configured with a token rejects plugins that send a different one or none.
func WithToken(token string) Option {
	return func(p *Plugin) { p.token = token }
}

// WithLogger sets the logger for connection problems (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(p *Plugin) {
		if l != nil {
			p.log = l
		}
	}
}

// WithWriteTimeout bounds how long one write to the socket may take before the
// connection is given up (default 30s; zero or less disables the bound).
func WithWriteTimeout(d time.Duration) Option {
	return func(p *Plugin) { p.writeTimeout = d; p.writeTimeoutSet = true }
}

// New returns a Plugin configured by opts. The zero Plugin is ready to use
// too, with the defaults.
func New(opts ...Option) *Plugin {
	p := &Plugin{}
	for _, o := range opts {
		o(p)
	}
	return p
}
