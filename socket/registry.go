package socket

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// entry is a peer with the description it was registered with (nil until
// it is). The description is the registry's: register sets its name, and
// it never changes after.
type entry struct {
	peer peer
	info *plugin.Info
}

// withFunctions is DeepCopy's argument for a copy of the whole
// description, its functions included.
const withFunctions = true

// Connected returns the connected plugins by name. With full false only Name
// and Version are filled in. The result is a copy the caller may change.
// The copies are made after the socket's lock is released (a plugin's Info
// never changes once registered), so a large description delays only the
// caller.
func (s *Socket) Connected(full bool) map[string]*plugin.Info {
	s.init()
	s.mu.Lock()
	out := make(map[string]*plugin.Info, len(s.plugins))
	for name, e := range s.plugins {
		out[name] = e.info
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
	info := s.plugins[name].info // nil when there is none
	s.mu.Unlock()
	return info.DeepCopy(withFunctions)
}

// MethodInfo returns a copy of the description of one method of the plugin
// called name, and false when no such plugin is connected or its
// description does not list that method. It copies only that method, off
// the socket's lock as PluginInfo does, so it is cheap enough for every
// call. It does not block.
func (s *Socket) MethodInfo(name, method string) (plugin.Function, bool) {
	s.init()
	s.mu.Lock()
	info := s.plugins[name].info // nil when there is none; never changed once registered
	s.mu.Unlock()
	if info == nil {
		return plugin.Function{}, false
	}
	f, ok := info.Functions[method]
	if !ok {
		return plugin.Function{}, false
	}
	return f.DeepCopy(), true
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
	e, ok := s.plugins[name]
	if ok {
		delete(s.plugins, name)
	}
	s.mu.Unlock()
	if ok {
		e.peer.requestStop(id)
	}
}

// register makes p visible under the name info gives, or a sequenced
// variant of it, and wakes those waiting for it. The registry keeps info
// and sets its Name to the name returned. The observer, if any, is told
// after the socket's lock is released.
func (s *Socket) register(p peer, info *plugin.Info) (string, error) {
	name, err := s.enroll(p, info)
	if o := s.observer(); o != nil && err == nil {
		o.Connected(peerRecord(p, name, info.Version))
	}
	return name, err
}

// enroll is register without the observer.
func (s *Socket) enroll(p peer, info *plugin.Info) (string, error) {
	copies := s.events.copiesFor(evConnect, info) // before the lock: see copiesFor
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return "", ErrShutdown
	}
	if err := s.checkRoom(); err != nil {
		return "", err
	}
	name, err := s.freeName(info.Name)
	if err != nil {
		return "", err
	}
	info.Name = name
	s.plugins[name] = entry{peer: p, info: info}
	s.peers[p] = info
	close(s.changed)
	s.changed = make(chan struct{})
	// Announced under s.mu, as Subscribe registers under s.mu: a
	// subscriber either sees this event or finds the plugin already
	// connected, never both and never neither.
	s.events.publish(event{kind: evConnect, info: info, copies: copies})
	return name, nil
}

// freeName returns, under s.mu, name or, when it is taken, the first free
// name the key sequencer makes of it.
func (s *Socket) freeName(name string) (string, error) {
	if _, taken := s.plugins[name]; !taken {
		return name, nil
	}
	if s.cfg.sequencer == nil {
		return "", fmt.Errorf("a plugin named %q is already connected", name)
	}
	next := name
	for range s.cfg.attempts {
		next = s.cfg.sequencer(next)
		if _, taken := s.plugins[next]; !taken && next != "" {
			return next, nil
		}
	}
	return "", fmt.Errorf("a plugin named %q is already connected and no free name was found in %d attempts",
		name, s.cfg.attempts)
}

// leave drops p from the peers being served and, if it was registered,
// from the registry (if it is still there under its name), and announces
// its departure (under s.mu, like register).
func (s *Socket) leave(p peer, graceful bool) {
	s.mu.Lock()
	info := s.peers[p]
	if info == nil {
		delete(s.peers, p)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	copies := s.events.copiesFor(evDisconnect, info) // off the lock: see copiesFor
	s.mu.Lock()
	delete(s.peers, p)
	if s.plugins[info.Name].peer == p {
		delete(s.plugins, info.Name)
	}
	s.events.publish(event{kind: evDisconnect, info: info, graceful: graceful, copies: copies})
	s.mu.Unlock()
	if o := s.observer(); o != nil {
		o.Disconnected(peerRecord(p, info.Name, info.Version), graceful)
	}
}

// lookup returns the peer registered as name.
func (s *Socket) lookup(name string) (peer, error) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, ErrShutdown
	}
	e, ok := s.plugins[name]
	if !ok {
		return nil, ErrPluginNotFound
	}
	return e.peer, nil
}

// ready returns the registered plugins.
func (s *Socket) ready() ([]entry, error) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, ErrShutdown
	}
	out := make([]entry, 0, len(s.plugins))
	for _, e := range s.plugins {
		out = append(out, e)
	}
	return out, nil
}
