package socket

import (
	"fmt"
	"time"
)

// Defaults of AttachNATS's liveness check: every instance of a NATS plugin
// is pinged every DefaultNATSPing and is lost when it has not answered for
// DefaultNATSLost. An instance killed outright is therefore noticed within
// DefaultNATSLost + DefaultNATSPing (2.5s), and the calls in flight on it
// fail then.
const (
	DefaultNATSPing = 500 * time.Millisecond
	DefaultNATSLost = 2 * time.Second
)

// MaxNATSInstances is the default bound on the instances of one NATS
// plugin a socket keeps (WithNATSMaxInstances): one more is refused,
// logged, counted in Stats.Refused, and not looked at again for a minute.
const MaxNATSInstances = 1024

// natsConfig is what the NATS options set.
type natsConfig struct {
	ping         time.Duration
	lost         time.Duration
	maxInstances int
}

// NATSOption configures AttachNATS. A bad value is an error wrapping
// ErrInvalidOption.
type NATSOption func(*natsConfig) error

// WithNATSLiveness sets how often the instances of NATS plugins are pinged
// (default DefaultNATSPing) and after how long without an answer one is
// lost (default DefaultNATSLost). Both must be positive and lost at least
// twice ping, so that one late answer does not lose an instance.
func WithNATSLiveness(ping, lost time.Duration) NATSOption {
	return func(c *natsConfig) error {
		if ping <= 0 || lost < 2*ping {
			return fmt.Errorf("%w: NATS liveness needs a positive ping interval and a loss time at least twice it, got %v and %v",
				ErrInvalidOption, ping, lost)
		}
		c.ping, c.lost = ping, lost
		return nil
	}
}

// WithNATSMaxInstances bounds the instances of one NATS plugin the socket
// keeps (default MaxNATSInstances); each costs its description's subjects
// and a little state. An instance found past the bound is refused: logged
// as a warning, counted in Stats.Refused, and not looked at again for a
// minute; the plugin goes on with the instances it has. n must be at
// least 1.
func WithNATSMaxInstances(n int) NATSOption {
	return func(c *natsConfig) error {
		if n < 1 {
			return fmt.Errorf("%w: NATS instances per plugin must be at least 1, got %d", ErrInvalidOption, n)
		}
		c.maxInstances = n
		return nil
	}
}
