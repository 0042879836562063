package brpc

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Socket is the hub plugins connect to: brpc's Socket, served by
// switchboard's socket.Socket with its defaults. The zero Socket is ready to
// use: new(brpc.Socket).Serve(listener). All methods are safe for
// concurrent use. A Socket that has been shut down stays shut down.
type Socket struct {
	s        socket.Socket
	once     sync.Once                               // subscribes the callback's relay
	keep     sync.Once                               // makes the socket keep async values from the start
	callback atomic.Pointer[func(*PluginInfo, bool)] // RegisterCallback's, replaced by the next
}

// Serve accepts plugin connections on listener in the background and
// returns at once; Shutdown closes listener. opts apply to the connections
// accepted from then on. Serve may be called for several listeners.
func (s *Socket) Serve(listener net.Listener, opts ...Options) {
	var so []socket.Option
	for _, o := range opts {
		if o != nil {
			so = append(so, o.socketOptions()...)
		}
	}
	s.keep.Do(func() {
		// brpc keeps every async value for a later Async call; the socket
		// keeps them once Async has been called. Before the first listener
		// no plugin can have sent any, so this call takes nothing.
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, _ = s.s.AsyncContext(ctx)
	})
	s.s.Serve(listener, so...)
}

// RegisterCallback registers callback to be called whenever a plugin
// disconnects, with the plugin's description and graceful true when it
// stopped on request (Unplug, Shutdown), false on a crash or a cut
// connection. A later call replaces the callback; nil removes it. The
// callback runs on a goroutine of the socket's, one call at a time, never
// on a connection's; it may block, which delays only later callbacks.
func (s *Socket) RegisterCallback(callback func(info *PluginInfo, graceful bool)) {
	s.callback.Store(&callback)
	s.once.Do(func() {
		s.s.OnDisconnect(func(info *plugin.Info, graceful bool) {
			if cb := s.callback.Load(); cb != nil && *cb != nil {
				(*cb)(info, graceful)
			}
		})
	})
}

// Call invokes method on the plugin called name with payload (encoded with
// encoding/json; nil sends none), waits for the answer and returns it
// decoded from JSON into Go values. It blocks as long as the plugin takes
// to answer, and returns when the plugin's connection ends. id is sent as
// the request's trace.
//
// The plugin's own error comes back as errors.New of its text; a plugin that
// is not connected is "plugin NAME not found"; ErrMethodNotFound and
// ErrShutdown are returned themselves.
func (s *Socket) Call(id, name, method string, payload any) (any, error) {
	in, err := encode(payload)
	if err != nil {
		return nil, err
	}
	out, err := s.s.CallJSON(context.Background(), id, name, method, in)
	if err != nil {
		return nil, callError(err)
	}
	return decode(out)
}

// Broadcast invokes method with payload on every connected plugin in
// parallel and returns, once each has answered or failed, their results
// and their errors by plugin name: every plugin is in exactly one of the
// two maps, and both maps are empty (never nil) when no plugin is connected
// or the socket is shut down. The errors are those of Call.
func (s *Socket) Broadcast(id, method string, payload any) (map[string]any, map[string]error) {
	results, errs := map[string]any{}, map[string]error{}
	in, err := encode(payload)
	if err == nil {
		raw, failed := s.s.BroadcastJSON(context.Background(), id, method, in)
		if err = broadcastError(failed); err == nil {
			for name, e := range failed {
				errs[name] = callError(e)
			}
			for name, b := range raw {
				v, err := decode(b)
				if err != nil {
					errs[name] = err
					continue
				}
				results[name] = v
			}
			return results, errs
		}
	}
	if err == ErrShutdown {
		return results, errs
	}
	// The request could not be sent to anyone (brpc's errors of encoding):
	// each plugin fails with the same error, as each of brpc's calls would.
	for name := range s.s.Connected(false) {
		errs[name] = err
	}
	return results, errs
}

// Async returns the next value a plugin sent through its async hook,
// blocking until there is one. Values wait for a reader that comes later,
// up to the socket's bound (64 MiB; past it the oldest are dropped, counted
// and logged). Once the socket is shut down, Async returns what is
// left and then ErrShutdown.
func (s *Socket) Async() (*AsyncData, error) {
	a, err := s.s.Async()
	if err != nil {
		return nil, ErrShutdown
	}
	return &AsyncData{Name: a.Name, Payload: a.Payload}, nil
}

// WaitFor blocks until a plugin called name is connected and returns true,
// or returns false after timeout (at once if the socket is shut down). A
// plugin that is already connected returns true at once, and any number of
// callers may wait for one name.
func (s *Socket) WaitFor(name string, timeout time.Duration) bool {
	return s.s.WaitFor(name, timeout)
}

// Connected returns the connected plugins by name, copies the caller may
// change: with full true their whole descriptions, otherwise only Name and
// Version. It does not block.
func (s *Socket) Connected(full bool) map[string]*PluginInfo {
	return s.s.Connected(full)
}

// PluginInfo returns a copy of the full description of the plugin called
// name, or nil when none is connected. It does not block.
func (s *Socket) PluginInfo(name string) *PluginInfo {
	return s.s.PluginInfo(name)
}

// Unplug sends a stop request to the plugin called name, id as its trace,
// and blocks until the plugin has gone: it finishes and answers the calls in
// flight, then closes, and a plugin that has not closed within 10 s is cut.
// The name is free as soon as Unplug is called; a call to the plugin then
// fails with "plugin NAME not found". Unplug does nothing for a name that is
// not connected, and returns at once when the socket is shutting down.
func (s *Socket) Unplug(id string, name string) {
	gone := make(chan struct{})
	var once sync.Once
	// Direct: the handler runs on the connection's own goroutine, so no
	// event is queued (or dropped); it only closes a channel.
	unsubscribe := s.s.Subscribe(socket.Handlers{Direct: true, Disconnect: func(info *plugin.Info, _ bool) {
		if info.Name == name {
			once.Do(func() { close(gone) })
		}
	}})
	defer unsubscribe()
	if s.s.PluginInfo(name) == nil {
		return
	}
	s.s.Unplug(id, name)
	select {
	case <-gone:
	case <-s.s.Done():
	}
}

// Shutdown stops the socket: it stops accepting, asks every plugin to stop
// (they finish and answer the calls in flight, then close), cuts those that
// have not closed within 10 s, and blocks until all of them and every
// goroutine of the socket have ended. id is sent with the stop requests as
// their trace. The error says how many plugins had to be cut. Later calls
// wait for the first to finish and return nil.
func (s *Socket) Shutdown(id string) error {
	return s.s.Shutdown(id)
}
