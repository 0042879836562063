package scripting

import (
	"encoding/json"
	"sync"
	"sync/atomic"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// OnAsync calls fn(name, payload) on the loop for every value a plugin
// sends on its own; payload is the value's JSON as the plugin sent it. The
// returned function unsubscribes; it is idempotent. Both must be called on
// the script's goroutine. A subscription does not keep the loop alive.
func (rt *Runtime) OnAsync(fn func(name string, payload []byte)) (unsubscribe func()) {
	return rt.subs.add(&subscriber{async: fn})
}

// OnConnect calls fn(info) on the loop when a plugin completes its
// handshake; info is the plugin's full description as JSON. See OnAsync.
func (rt *Runtime) OnConnect(fn func(info []byte)) (unsubscribe func()) {
	return rt.subs.add(&subscriber{connect: fn})
}

// OnDisconnect calls fn(info, graceful) on the loop when a plugin goes
// away: graceful is true after a stop request, false on a crash or a cut
// connection. See OnAsync.
func (rt *Runtime) OnDisconnect(fn func(info []byte, graceful bool)) (unsubscribe func()) {
	return rt.subs.add(&subscriber{disconnect: fn})
}

type subscriber struct {
	async      func(name string, payload []byte)
	connect    func(info []byte)
	disconnect func(info []byte, graceful bool)
	gone       bool
}

// subscriptions fans the socket's events out to the script's subscribers.
// The runtime subscribes to the socket once, when the first script
// subscription is made, as a direct subscriber: the socket's handler only
// queues events on the loop (PostEvent never blocks), and they are
// delivered there, in the order the socket received them relative to the
// answers of calls.
type subscriptions struct {
	rt *Runtime

	mu     sync.Mutex // guards unsub and closed
	unsub  func()
	closed bool

	// Counts of live subscribers by kind, read by the socket's goroutine
	// to skip queueing events nobody listens to.
	nAsync, nConnect, nDisconnect atomic.Int64

	list []*subscriber // script goroutine only
}

func (s *subscriptions) add(sub *subscriber) func() {
	s.ensure()
	s.list = append(s.list, sub)
	s.count(sub, 1)
	return func() {
		if sub.gone {
			return
		}
		sub.gone = true
		s.count(sub, -1)
		for i, x := range s.list {
			if x == sub {
				s.list = append(s.list[:i:i], s.list[i+1:]...)
				break
			}
		}
	}
}

func (s *subscriptions) count(sub *subscriber, d int64) {
	switch {
	case sub.async != nil:
		s.nAsync.Add(d)
	case sub.connect != nil:
		s.nConnect.Add(d)
	case sub.disconnect != nil:
		s.nDisconnect.Add(d)
	}
}

// ensure subscribes the runtime to the socket once.
func (s *subscriptions) ensure() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unsub != nil || s.closed || s.rt.sock == nil {
		return
	}
	loop := s.rt.loop
	// Direct: the handlers only queue on the loop (PostEvent never
	// blocks), and running them on the connection's goroutine puts a
	// plugin's async values on the loop ahead of the answer to a call it
	// sent after them, so a callAsync settles after their handlers ran.
	s.unsub = s.rt.sock.Subscribe(socket.Handlers{
		Direct: true,
		Async: func(a socket.AsyncData) {
			if s.nAsync.Load() > 0 {
				name, raw := a.Name, a.Raw // not a: its decoded Payload is not needed
				loop.PostEvent(Event{Plugin: name, Size: len(name) + len(raw), Run: func() {
					s.deliver(func(sub *subscriber) { sub.onAsync(name, raw) })
				}})
			}
		},
		Connect: func(info *plugin.Info) {
			if s.nConnect.Load() > 0 {
				b := infoJSON(info)
				loop.PostEvent(Event{Plugin: info.Name, Size: len(b), Run: func() {
					s.deliver(func(sub *subscriber) { sub.onConnect(b) })
				}})
			}
		},
		Disconnect: func(info *plugin.Info, graceful bool) {
			if s.nDisconnect.Load() > 0 {
				b := infoJSON(info)
				loop.PostEvent(Event{Plugin: info.Name, Size: len(b), Run: func() {
					s.deliver(func(sub *subscriber) { sub.onDisconnect(b, graceful) })
				}})
			}
		},
	})
}

// deliver calls fn for every subscriber live now, skipping those that
// unsubscribe meanwhile.
func (s *subscriptions) deliver(fn func(*subscriber)) {
	for _, sub := range append([]*subscriber(nil), s.list...) {
		if !sub.gone {
			fn(sub)
		}
	}
}

func (sub *subscriber) onAsync(name string, payload []byte) {
	if sub.async != nil {
		sub.async(name, payload)
	}
}

func (sub *subscriber) onConnect(info []byte) {
	if sub.connect != nil {
		sub.connect(info)
	}
}

func (sub *subscriber) onDisconnect(info []byte, graceful bool) {
	if sub.disconnect != nil {
		sub.disconnect(info, graceful)
	}
}

func (s *subscriptions) close() {
	s.mu.Lock()
	unsub := s.unsub
	s.closed = true
	s.mu.Unlock()
	if unsub != nil {
		unsub()
	}
}

func infoJSON(info *plugin.Info) []byte {
	if info == nil {
		return []byte("null")
	}
	b, err := json.Marshal(info)
	if err != nil {
		return []byte("null")
	}
	return b
}
