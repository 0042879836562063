package brpc

import "github.com/switchboard-rpc/switchboard/socket"

// Options configures a Socket when it is given to Serve.
type Options interface {
	// socketOptions returns the socket's options that make this one.
	socketOptions() []socket.Option
}

type keySequencer struct {
	fn       func(name string) string
	attempts uint
}

func (k keySequencer) socketOptions() []socket.Option {
	if k.fn == nil || k.attempts == 0 {
		return nil // brpc's: no resolver, so a taken name is refused
	}
	return []socket.Option{socket.WithKeySequencer(k.fn, k.attempts)}
}

// WithKeySequencer returns an option that lets several plugins share a base
// name: when a plugin's name is taken, fn is applied to it (then to its
// result) up to attempts times until a free name comes out, and the plugin
// is registered under that name. When none is free the plugin is refused,
// as it is without the option. A nil fn or zero attempts is accepted and,
// as in brpc, resolves nothing.
func WithKeySequencer(fn func(name string) string, attempts uint) Options {
	return keySequencer{fn: fn, attempts: attempts}
}
