package socket

import (
	"context"
	"encoding/json"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// Subscribe registers h for the socket's events and returns a function that
// ends the subscription. Each subscription has its own goroutine and its own
// bounded queue (see WithEventQueue), so a slow handler delays only itself
// and never a plugin's connection; when its queue is full the oldest events
// are dropped, counted in Stats and logged. After the returned function has
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
	return s.events.subscribe(h, s.cfg.eventQueue, s.cfg.log, &s.eventsDropped)
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
// need be. Values are kept for a reader that comes later, up to the backlog
// (see WithAsyncBacklog). Once the socket is shut down, Async hands out what
// is left and then fails with ErrShutdown.
func (s *Socket) Async() (*AsyncData, error) {
	return s.AsyncContext(context.Background())
}

// AsyncContext is Async bounded by ctx.
func (s *Socket) AsyncContext(ctx context.Context) (*AsyncData, error) {
	s.init()
	return s.backlog.pop(ctx)
}

// deliverAsync decodes one async value and hands it to the backlog and the
// subscribers. It runs on the plugin's read loop and never blocks.
func (s *Socket) deliverAsync(name string, raw []byte) {
	a := AsyncData{Name: name, Raw: raw}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a.Payload); err != nil {
			s.logger().Warn("async value is not JSON; passed on raw", "plugin", name, "err", err)
		}
	}
	s.backlog.push(a)
	s.events.publish(event{kind: evAsync, async: a})
}
