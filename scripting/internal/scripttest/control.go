package scripttest

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Control is a plugin through which a script attaches and cuts other
// in-process plugins, to provoke connects and disconnects.
type Control struct {
	s *socket.Socket

	mu    sync.Mutex
	conns map[string]net.Conn // plugin side of each attached plugin
	procs []*plugin.Plugin
	wg    sync.WaitGroup
}

// AttachControl connects a Control plugin named "ctl" to s. The plugins it
// attaches are stopped at the end of the test.
func AttachControl(t testing.TB, s *socket.Socket) *Control {
	t.Helper()
	c := &Control{s: s, conns: map[string]net.Conn{}}
	t.Cleanup(func() {
		c.mu.Lock()
		procs := c.procs
		c.mu.Unlock()
		for _, p := range procs {
			p.Stop()
		}
		c.wg.Wait()
	})
	ConnectPlugin(t, s, c, "ctl")
	return c
}

// Attach connects a test Plugin named name and returns at once, before the
// socket has registered it.
func (c *Control) Attach(_ context.Context, name string) (bool, error) {
	a, b := net.Pipe()
	p := new(plugin.Plugin)
	c.mu.Lock()
	c.conns[name] = b
	c.procs = append(c.procs, p)
	c.wg.Add(1)
	c.mu.Unlock()
	c.s.ServeConn(a)
	go func() {
		defer c.wg.Done()
		_ = p.Start(&Plugin{}, &plugin.Info{Name: name, Version: "1.0"}, b, nil)
	}()
	return true, nil
}

// Cut closes the connection of a plugin Attach connected, as a crash would.
func (c *Control) Cut(_ context.Context, name string) (bool, error) {
	c.mu.Lock()
	conn := c.conns[name]
	c.mu.Unlock()
	if conn == nil {
		return false, fmt.Errorf("no plugin %q", name)
	}
	return true, conn.Close()
}
