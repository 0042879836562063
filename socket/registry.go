package socket

import (
	"context"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Connected returns the connected plugins by name. With full false only Name
// and Version are filled in. The result is a copy the caller may change.
// The copies are made after the socket's lock is released (a plugin's Info
// never changes once registered), so a large description delays only the
// caller.
func (s *Socket) Connected(full bool) map[string]*plugin.Info {
	s.init()
	s.mu.Lock()
	out := make(map[string]*plugin.Info, len(s.plugins))
	for name, c := range s.plugins {
		out[name] = c.info
	}
	s.mu.Unlock()
	for name, info := range out {
		out[name] = info.DeepCopy(full)
	}
	return out
}

// PluginInfo returns a copy of the full description of the plugin called
// name, or nil when none is connected. The copy is made off the socket's
// lock, as in Connected.
func (s *Socket) PluginInfo(name string) *plugin.Info {
	s.init()
	s.mu.Lock()
	var info *plugin.Info
	if c := s.plugins[name]; c != nil {
		info = c.info
	}
	s.mu.Unlock()
	return info.DeepCopy(true)
}

// WaitFor waits until a plugin called name is connected and returns true, or
// returns false after timeout (or at once if the socket is shut down). It
// returns true at once for a plugin that is already connected; any number of
// callers may wait for the same name.
func (s *Socket) WaitFor(name string, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.WaitForContext(ctx, name) == nil
}

// WaitForContext waits until a plugin called name is connected. It returns
// nil then, ctx.Err() when ctx ends first, or ErrShutdown.
func (s *Socket) WaitForContext(ctx context.Context, name string) error {
	s.init()
	for {
		s.mu.Lock()
		_, ok := s.plugins[name]
		closing := s.closing
		changed := s.changed
		s.mu.Unlock()
		switch {
		case ok:
			return nil
		case closing:
			return ErrShutdown
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.done:
		}
	}
}

// Unplug asks the plugin called name to stop: it leaves the registry at once
// (new calls fail with ErrPluginNotFound and the name is free again), finishes
// and answers the calls in flight, then closes; its connection is cut if it
// has not closed within the stop timeout. Disconnect handlers then see it go
// with graceful true (false if it had to be cut). id is sent as the stop
// request's trace. Unplug does not wait; it does nothing for an unknown name.
func (s *Socket) Unplug(id, name string) {
	s.init()
	s.mu.Lock()
	c := s.plugins[name]
	if c != nil {
		delete(s.plugins, name)
	}
	s.mu.Unlock()
	if c != nil {
		c.requestStop(id)
	}
}
