package socket

import (
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/switchboard-rpc/switchboard/internal/queue"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// Handlers receives the socket's events. Any field may be nil. All the
// handlers of one subscription run on one goroutine of their own, one at a
// time, in the order the events happened: for one plugin, Connect first, then
// its async values in the order it sent them, then Disconnect.
type Handlers struct {
	// Connect is called when a plugin has completed its handshake and can
	// be called. info is the plugin's full description, a copy.
	Connect func(info *plugin.Info)
	// Disconnect is called when a plugin has gone away: graceful is true
	// after a stop request (Unplug, Shutdown), false on a crash or a cut
	// connection.
	Disconnect func(info *plugin.Info, graceful bool)
	// Async is called for every value a plugin sends on its own.
	Async func(a AsyncData)
	// Direct makes the handlers run on the goroutine that produced the
	// event (a connection's reader, under the socket's locks) instead of
	// the subscription's own goroutine. Events then reach the handlers
	// before the answer to any call that the plugin sent after them: a
	// handler that queues the value somewhere sees it ahead of the
	// answer. A direct handler must return at once, must not block, must
	// not call the Socket, and the subscription must not be ended from
	// inside it. Nothing is dropped, since nothing is queued.
	Direct bool
}

// AsyncData is a value a plugin sent on its own, with the plugin's name.
type AsyncData struct {
	// Name is the plugin that sent the value.
	Name string `json:"name,omitempty"`
	// Payload is the value, decoded from JSON into Go values (maps,
	// slices, float64, string, bool, nil). It is decoded once and shared
	// by every subscriber and the Async backlog: treat it as read-only, or
	// decode Raw into a value of your own.
	Payload any `json:"payload,omitempty"`
	// Raw is the value's JSON exactly as the plugin sent it.
	Raw []byte `json:"-"`
}

type eventKind uint8

const (
	evConnect eventKind = iota
	evDisconnect
	evAsync
)

type event struct {
	kind     eventKind
	info     *plugin.Info
	graceful bool
	async    AsyncData
	// copies are copies of info made for the direct subscribers before
	// the socket's locks were taken (see copiesFor); a direct handler
	// takes one, and only copies under the locks when none is left.
	copies []*plugin.Info
}

// copiesFor makes, off every lock but b's read lock, one copy of info for
// each direct subscriber that handles events of kind, so that publishing
// under the socket's lock does not copy a large description there (the
// name is filled in when the copy is handed out: it may not be final yet).
func (b *broker) copiesFor(kind eventKind, info *plugin.Info) []*plugin.Info {
	b.mu.RLock()
	n := 0
	for s := range b.subs {
		if s.h.Direct && s.handles(kind) {
			n++
		}
	}
	b.mu.RUnlock()
	if n == 0 {
		return nil
	}
	out := make([]*plugin.Info, n)
	for i := range out {
		out[i] = info.DeepCopy(withFunctions)
	}
	return out
}

// infoCopy returns a copy of e.info for one handler.
func (e *event) infoCopy() *plugin.Info {
	if n := len(e.copies); n > 0 {
		c := e.copies[n-1]
		e.copies = e.copies[:n-1]
		c.Name, c.Version = e.info.Name, e.info.Version
		return c
	}
	return e.info.DeepCopy(withFunctions)
}

// broker fans events out to subscribers without ever blocking the publisher.
type broker struct {
	mu   sync.RWMutex
	subs map[*subscriber]struct{}
	wg   sync.WaitGroup
}

func (b *broker) subscribe(h Handlers, limit int, log *slog.Logger, dropped *atomic.Uint64) func() {
	s := &subscriber{h: h, dropped: dropped}
	if !h.Direct {
		s.q = queue.New(limit, eventSize, func(first event) {
			log.Warn("subscriber too slow: oldest events dropped",
				"plugin", first.plugin(), "dropped_total", s.q.Dropped(), "queue_bytes", limit)
		})
	}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*subscriber]struct{}{}
	}
	b.subs[s] = struct{}{}
	if !h.Direct {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			s.run()
		}()
	}
	b.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs, s)
			b.mu.Unlock()
			s.stop(dropQueued)
		})
	}
}

func (b *broker) publish(e event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	queued := e
	queued.copies = nil // a queued event is copied on its subscriber's goroutine
	for s := range b.subs {
		if s.h.Direct {
			s.deliver(&e)
		} else {
			s.push(queued)
		}
	}
}

// close delivers what is queued, then ends every subscription and waits for
// their goroutines.
func (b *broker) close() {
	b.mu.Lock()
	subs := b.subs
	b.subs = nil
	b.mu.Unlock()
	for s := range subs {
		s.stop(deliverQueued)
	}
	b.wg.Wait()
}

// eventOverhead is what a queued connect or disconnect event holds: the
// event and its slot. The description it points to is the registry's own,
// not a copy (handlers get copies made on the subscriber's goroutine).
const eventOverhead = 256

// eventSize is what a queued event holds, for the queue's bound.
func eventSize(e event) int {
	if e.kind == evAsync {
		return asyncSize(e.async)
	}
	return eventOverhead
}

// plugin names the plugin the event is about.
func (e *event) plugin() string {
	if e.kind == evAsync {
		return e.async.Name
	}
	if e.info != nil {
		return e.info.Name
	}
	return ""
}

// subscriber is one subscription: a queue bounded in bytes (none for a
// direct one) and the goroutine that empties it into the handlers, a batch
// at a time.
type subscriber struct {
	h       Handlers
	q       *queue.Queue[event]
	dropped *atomic.Uint64 // the socket's total, for Stats

	stopped atomic.Bool
	flush   atomic.Bool // deliver what is queued before stopping
}

// push queues e, dropping the oldest events past the bound. It never
// blocks; after stop it does nothing.
func (s *subscriber) push(e event) {
	if n := s.q.Push(e); n > 0 {
		s.dropped.Add(uint64(n))
	}
}

// queued says what a subscriber that stops does with the events still in
// its queue.
type queued bool

const (
	dropQueued    queued = false // unsubscribing: no handler call starts after
	deliverQueued queued = true  // Shutdown: every queued event is handled first
)

func (s *subscriber) stop(q queued) {
	if q == deliverQueued {
		s.flush.Store(true)
	}
	s.stopped.Store(true)
	if s.q != nil {
		s.q.Close() // later pushes do nothing; run wakes up
	}
}

// run delivers the queued events, all those waiting at a time, until the
// subscriber stops.
func (s *subscriber) run() {
	var batch []event
	for {
		ready := s.q.Ready()
		batch = s.q.Drain(batch)
		for i := range batch {
			if s.stopped.Load() && !s.flush.Load() {
				s.q.Clear()
				return
			}
			s.deliver(&batch[i])
		}
		if len(batch) > 0 {
			continue
		}
		if s.stopped.Load() {
			return
		}
		<-ready
	}
}

// handles reports whether s has a handler for events of kind.
func (s *subscriber) handles(kind eventKind) bool {
	switch kind {
	case evConnect:
		return s.h.Connect != nil
	case evDisconnect:
		return s.h.Disconnect != nil
	}
	return s.h.Async != nil
}

func (s *subscriber) deliver(e *event) {
	switch e.kind {
	case evConnect:
		if s.h.Connect != nil {
			s.h.Connect(e.infoCopy())
		}
	case evDisconnect:
		if s.h.Disconnect != nil {
			s.h.Disconnect(e.infoCopy(), e.graceful)
		}
	case evAsync:
		if s.h.Async != nil {
			s.h.Async(e.async)
		}
	}
}
