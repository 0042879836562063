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

// natsConfig is what the NATS options set.
type natsConfig struct {
	ping time.Duration
	lost time.Duration
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
