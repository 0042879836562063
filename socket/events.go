package socket

import (
	"log/slog"
	"sync"
	"sync/atomic"

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

func (b *broker) subscribe(h Handlers, max int, log *slog.Logger, dropped *atomic.Uint64) func() {
	s := &subscriber{h: h, max: max, log: log, dropped: dropped,
		wake: make(chan struct{}, 1), quit: make(chan struct{})}
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

// subscriber is one subscription: a bounded queue and the goroutine that
// empties it into the handlers.
type subscriber struct {
	h       Handlers
	max     int
	log     *slog.Logger
	dropped *atomic.Uint64 // the socket's total, for Stats

	mu      sync.Mutex
	queue   []event
	lost    uint64
	stopped bool
	flush   bool // deliver what is queued before stopping
	wake    chan struct{}
	quit    chan struct{}
}

// push queues e, dropping the oldest event when the queue is full.
func (s *subscriber) push(e event) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	if len(s.queue) >= s.max {
		s.queue[0] = event{}
		s.queue = s.queue[1:]
		s.lost++
		s.dropped.Add(1)
		if s.lost&(s.lost-1) == 0 { // 1, 2, 4, 8, ...: counted, never a flood
			s.log.Warn("subscriber too slow: oldest events dropped", "dropped", s.lost, "queue", s.max)
		}
	}
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
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
	s.mu.Lock()
	if !s.stopped {
		s.stopped, s.flush = true, q == deliverQueued
		close(s.quit)
	}
	s.mu.Unlock()
}

func (s *subscriber) run() {
	for {
		select {
		case <-s.wake:
		case <-s.quit:
		}
		for {
			s.mu.Lock()
			if s.stopped && !s.flush {
				s.queue = nil
				s.mu.Unlock()
				return
			}
			if len(s.queue) == 0 {
				stopped := s.stopped
				s.mu.Unlock()
				if stopped {
					return
				}
				break
			}
			e := s.queue[0]
			s.queue[0] = event{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			s.deliver(&e)
		}
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
