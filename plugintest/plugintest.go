// Package plugintest connects plugins and sockets inside one process, for
// the unit tests of plugin authors and of programs that embed the socket.
// No network is involved: the two ends talk over net.Pipe, through the same
// code paths as a real connection.
package plugintest

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Timeout bounds how long Connect waits for a plugin to register and how
// long the cleanups wait for things to stop.
const Timeout = 10 * time.Second

// NewSocket returns a socket configured by opts that is shut down when the
// test ends.
func NewSocket(tb testing.TB, opts ...socket.Option) *socket.Socket {
	tb.Helper()
	s, err := socket.New(opts...)
	if err != nil {
		tb.Fatalf("plugintest: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		if err := s.ShutdownContext(ctx, "plugintest"); err != nil {
			tb.Errorf("plugintest: shutting the socket down: %v", err)
		}
	})
	return s
}

// Conn is a plugin attached to a socket in the same process.
type Conn struct {
	// Plugin is the SDK side of the connection.
	Plugin *plugin.Plugin
	// Name is the name the socket registered the plugin under.
	Name string

	ended chan struct{} // closed when Start has returned, with err set
	err   error
}

// Wait blocks until the plugin's Start has returned and returns its error.
// It may be called any number of times, from any goroutine; each call gets
// the same error.
func (c *Conn) Wait() error {
	<-c.ended
	return c.err
}

// Connect serves v as a plugin described by info on s, over net.Pipe, and
// waits until s has registered it. When the test ends the plugin is stopped
// (if it still runs) and its Start must have returned. opts configure the
// plugin side, as plugin.New's do; an invalid one fails the test.
func Connect(tb testing.TB, s *socket.Socket, v any, info *plugin.Info, opts ...plugin.Option) *Conn {
	tb.Helper()
	p, err := plugin.New(opts...)
	if err != nil {
		tb.Fatalf("plugintest: %v", err)
	}
	a, b := net.Pipe()
	registered := make(chan string, 1)
	before := s.Connected(false) // names and versions only
	stop := s.OnConnect(func(i *plugin.Info) {
		// The name may have been changed by a key sequencer.
		if _, old := before[i.Name]; !old && strings.HasPrefix(i.Name, info.Name) {
			select {
			case registered <- i.Name:
			default:
			}
		}
	})
	defer stop()
	s.ServeConn(a)
	c := &Conn{Plugin: p, ended: make(chan struct{})}
	go func() {
		c.err = p.Start(v, info, b, nil)
		close(c.ended)
	}()
	tb.Cleanup(func() {
		p.Stop()
		select {
		case <-c.ended:
		case <-time.After(Timeout):
			tb.Errorf("plugintest: plugin %q did not stop", info.Name)
		}
	})
	select {
	case c.Name = <-registered:
	case <-c.ended:
		tb.Fatalf("plugintest: plugin %q ended before it registered: %v", info.Name, c.err)
	case <-time.After(Timeout):
		tb.Fatalf("plugintest: plugin %q did not register within %v", info.Name, Timeout)
	}
	return c
}
