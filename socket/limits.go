package socket

import (
	"fmt"
)

// Defaults of the connection limits.
const (
	// DefaultMaxPlugins is how many plugins may be connected to one socket
	// at once unless WithMaxPlugins says otherwise.
	DefaultMaxPlugins = 4096
	// DefaultMaxInFlight is how many calls may wait for one plugin's
	// answers at once unless WithMaxInFlight says otherwise.
	DefaultMaxInFlight = 1024
	// defaultPreAuthMessages is how many messages of the largest size
	// (WithMaxMessage) the connections that have not completed their
	// handshake may hold together unless WithPreAuthBudget says
	// otherwise: 64 MiB with the default message limit.
	defaultPreAuthMessages = 4
)

// preAuthBudget is the size of the pre-authentication budget.
func (c *config) preAuthBudget() int {
	if c.preAuthBytes > 0 {
		return c.preAuthBytes
	}
	return defaultPreAuthMessages * c.maxMessage
}

// WithPreAuthBudget bounds the memory that the connections which have not
// completed their handshake hold together, in bytes (default: four messages
// of the largest size, 64 MiB with the default WithMaxMessage): the bytes of
// the messages they are sending and of the type definitions they have sent
// are charged to it until the handshake is read (or the connection ends). A
// connection that would go past it is refused, with the reason logged; the
// others are not affected. n must be at least the message limit, so that one
// handshake of the largest size fits; less, zero included, is an invalid
// option.
func WithPreAuthBudget(n int) Option {
	return atLeastOne("pre-authentication budget", n, func(c *config) { c.preAuthBytes = n })
}

// WithMaxPlugins bounds how many plugins may be connected at once (default
// 4096). A plugin that completes its handshake while the socket is full is
// rejected before it is registered or announced, with a reason saying so
// (the SDK's Start returns it wrapped in plugin.ErrRejected); the plugins
// already connected are not affected. n must be at least 1; zero is an
// invalid option.
func WithMaxPlugins(n int) Option {
	return atLeastOne("max plugins", n, func(c *config) { c.maxPlugins = n })
}

// WithMaxInFlight bounds how many calls (Call, CallContext, CallJSON and each
// plugin's share of a Broadcast) may wait for one plugin's answers at once
// (default 1024). A call past the bound is not queued: it fails at once with
// a *CallError wrapping ErrTooManyCalls, and the plugin is not sent it. n
// must be at least 1; zero is an invalid option.
func WithMaxInFlight(n int) Option {
	return atLeastOne("max in-flight calls", n, func(c *config) { c.maxInFlight = n })
}

// checkRoom reports, under s.mu, whether one more plugin may be registered.
func (s *Socket) checkRoom() error {
	if n := len(s.plugins); n >= s.cfg.maxPlugins {
		return fmt.Errorf("too many plugins connected (the socket's limit is %d)", s.cfg.maxPlugins)
	}
	return nil
}

// acquireCall counts one more call waiting for c's answers, or fails with
// ErrTooManyCalls when c already has the most its configuration allows.
// Every successful acquireCall is paired with one releaseCall.
func (c *conn) acquireCall() error {
	if n := c.inflight.Add(1); n > int64(c.cfg.maxInFlight) {
		c.inflight.Add(-1)
		return tooManyCalls(n-1, c.cfg.maxInFlight)
	}
	return nil
}

// tooManyCalls is the error of a call past the in-flight limit.
func tooManyCalls(waiting int64, limit int) error {
	return fmt.Errorf("%w: %d calls already waiting for this plugin (limit %d)", ErrTooManyCalls, waiting, limit)
}

// releaseCall ends what acquireCall counted.
func (c *conn) releaseCall() { c.inflight.Add(-1) }
