package socket

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/switchboard-rpc/switchboard/internal/queue"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// Subscribe registers h for the socket's events and returns a function that
// ends the subscription. Each subscription has its own goroutine and its own
// queue, bounded in bytes (see WithEventMemory) and emptied in batches, so
// that an idle handler keeps up with any burst and a slow one delays only
// itself and never a plugin's connection; past the bound the oldest events
// are dropped, counted in Stats and logged once per burst. After the returned function has
// returned no new handler call starts; it may be called more than once and
// from inside a handler (but see Handlers.Direct, which trades the queue for
// ordering). Shutdown delivers what is queued, then ends every subscription.
//
// A subscriber sees the connect event of every plugin that registers after
// Subscribe returns, and of none that Connected already showed before.
func (s *Socket) Subscribe(h Handlers) (unsubscribe func()) {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return func() {}
	}
	return s.events.subscribe(h, s.cfg.eventMemory, s.cfg.log, &s.eventsDropped)
}

// OnAsync subscribes fn to the values plugins send on their own.
func (s *Socket) OnAsync(fn func(a AsyncData)) (unsubscribe func()) {
	return s.Subscribe(Handlers{Async: fn})
}

// OnConnect subscribes fn to plugins completing their handshake.
func (s *Socket) OnConnect(fn func(info *plugin.Info)) (unsubscribe func()) {
	return s.Subscribe(Handlers{Connect: fn})
}

// OnDisconnect subscribes fn to plugins going away; see Handlers.Disconnect.
func (s *Socket) OnDisconnect(fn func(info *plugin.Info, graceful bool)) (unsubscribe func()) {
	return s.Subscribe(Handlers{Disconnect: fn})
}

// RegisterCallback calls callback whenever a plugin disconnects: graceful is
// true when it stopped on request, false on a crash or a cut connection. It
// is OnDisconnect without a way to unsubscribe, as brpc has it.
func (s *Socket) RegisterCallback(callback func(info *plugin.Info, graceful bool)) {
	s.OnDisconnect(callback)
}

// Async returns the next value a plugin sent on its own, waiting for one if
// need be. The socket keeps values for Async from its first call on (a call
// with a context that is already done is enough to start), in order, up to
// a bound in bytes (see WithAsyncMemory), so that a reader that loops keeps
// up with any burst; values sent before the first call are not kept. Once
// the socket is shut down, Async hands out what is left and then fails with
// ErrShutdown.
func (s *Socket) Async() (*AsyncData, error) {
	return s.AsyncContext(context.Background())
}

// AsyncContext is Async bounded by ctx.
func (s *Socket) AsyncContext(ctx context.Context) (*AsyncData, error) {
	s.init()
	s.backlog.reading.Store(true)
	a, err := s.backlog.q.Wait(ctx)
	if errors.Is(err, queue.ErrClosed) {
		return nil, ErrShutdown
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// deliverAsync decodes one async value and hands it to the backlog and the
// subscribers. It runs on the plugin's read loop and never blocks.
func (s *Socket) deliverAsync(name string, raw []byte) {
	if o := s.observer(); o != nil {
		o.AsyncReceived(name, raw)
	}
	a := AsyncData{Name: name, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.Payload); err != nil {
			s.logger().Warn("async value is not JSON; passed on raw", "plugin", name, "err", err)
		}
	}
	s.backlog.push(a)
	s.events.publish(event{kind: evAsync, async: a})
}
