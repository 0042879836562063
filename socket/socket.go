package socket

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// Socket is the hub plugins connect to. It accepts connections, checks each
// plugin's handshake, keeps a registry of connected plugins by name, routes
// calls to them and fans out what they send on their own.
//
// The zero Socket is ready to use with the defaults; New applies options.
// All methods are safe for concurrent use. A Socket that has been shut down
// stays shut down.
//
// Lock order: Socket.mu, then broker.mu, then a subscriber's queue; and
// Socket.mu, then the backlog's queue (apply sets its bound). The queues'
// locks and conn.mu are never held while taking another lock.
type Socket struct {
	initOnce sync.Once

	mu        sync.Mutex
	cfg       config
	plugins   map[string]entry      // ready plugins by registered name
	peers     map[peer]*plugin.Info // every peer being served; see entry
	listeners map[net.Listener]struct{}
	changed   chan struct{} // closed and replaced whenever a plugin registers
	closing   bool
	done      chan struct{} // closed when Shutdown begins
	finished  chan struct{} // closed when Shutdown has finished

	preauth *wire.Budget // shared by connections before their handshake; see limits.go

	wg      sync.WaitGroup // accept loops and connections
	events  broker
	backlog backlog

	asyncDropped  atomic.Uint64
	eventsDropped atomic.Uint64
	refused       atomic.Uint64

	obs atomic.Pointer[Observer] // cfg.observer, read without s.mu; see observer.go
}

// New returns a Socket configured by opts, or an error wrapping
// ErrInvalidOption.
func New(opts ...Option) (*Socket, error) {
	s := &Socket{}
	if err := s.apply(opts); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Socket) init() {
	s.initOnce.Do(func() {
		s.cfg = defaultConfig()
		s.plugins = map[string]entry{}
		s.peers = map[peer]*plugin.Info{}
		s.listeners = map[net.Listener]struct{}{}
		s.changed = make(chan struct{})
		s.done = make(chan struct{})
		s.finished = make(chan struct{})
		s.backlog.init(s.cfg.asyncMemory, s.cfg.log, &s.asyncDropped)
		s.preauth = wire.NewBudget(int64(s.cfg.preAuthBudget()))
	})
}

// apply validates opts and, only if all are valid, applies them.
func (s *Socket) apply(opts []Option) error {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := s.cfg
	for _, o := range opts {
		if o == nil {
			return fmt.Errorf("%w: nil option", ErrInvalidOption)
		}
		if err := o(&cfg); err != nil {
			return err
		}
	}
	if cfg.preAuthBytes != 0 && cfg.preAuthBytes < cfg.maxMessage {
		return fmt.Errorf("%w: pre-authentication budget of %d bytes is below the message limit of %d",
			ErrInvalidOption, cfg.preAuthBytes, cfg.maxMessage)
	}
	if n := cfg.preAuthBudget(); n != s.cfg.preAuthBudget() {
		// Connections already reading keep the budget they were given.
		s.preauth = wire.NewBudget(int64(n))
	}
	s.cfg = cfg
	if cfg.observer != nil {
		s.obs.Store(&cfg.observer)
	}
	s.backlog.configure(cfg.asyncMemory, cfg.log)
	return nil
}

// Serve accepts plugin connections on lis in the background and returns at
// once. Serve may be called for several listeners; Shutdown closes them all.
//
// opts are the brpc-compatible form of New's options, for
// new(socket.Socket).Serve(lis, socket.WithKeySequencer(...)): they
// configure the whole socket as New's would, for the connections accepted
// after Serve is called (those already open keep the configuration they
// started with). Serve returns nothing, so an invalid option can only be
// logged, and lis is closed instead of served; give options to New.
func (s *Socket) Serve(lis net.Listener, opts ...Option) {
	if err := s.apply(opts); err != nil {
		s.logger().Error("socket: not serving", "addr", lis.Addr(), "err", err)
		_ = lis.Close()
		return
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = lis.Close()
		return
	}
	s.listeners[lis] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go s.accept(lis)
}

func (s *Socket) accept(lis net.Listener) {
	defer s.wg.Done()
	log := s.logger().With("addr", lis.Addr().String())
	log.Info("listening")
	var backoff time.Duration
	for {
		nc, err := lis.Accept()
		if err != nil {
			if s.isClosing() || errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors and the like: wait a little, as
			// net/http does, instead of spinning.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			log.Warn("accept failed", "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-s.done:
				return
			}
			continue
		}
		backoff = 0
		s.ServeConn(nc)
	}
}

// ServeConn serves one plugin already connected through nc (one end of a
// net.Pipe, for instance, for a plugin in the same process) in the
// background, exactly as if a listener had accepted it. The plugin may speak
// the brpc protocol (gob) or JSON-RPC 2.0 (docs/jsonrpc.md): the socket tells
// them apart from the first bytes.
func (s *Socket) ServeConn(nc net.Conn) {
	s.init()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		_ = nc.Close()
		return
	}
	cfg, preauth := s.cfg, s.preauth
	sn := &sniffing{nc: nc, ended: make(chan struct{})}
	s.peers[sn] = nil
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		// The peer is served from here, not from inside sniffed: the
		// goroutine parks in its read loop for as long as the plugin is
		// idle, and its stack shrinks only while what it holds is small.
		if p := s.sniffed(sn, &cfg, preauth); p != nil {
			p.serve()
		}
	}()
}

// servedPeer is a peer with the goroutine that serves it.
type servedPeer interface {
	peer
	serve()
}

// sniffed reads the connection's first bytes and puts the peer that speaks
// its protocol in the place of sn, and returns it to be served; nil when
// the socket is closing (the connection is closed then).
func (s *Socket) sniffed(sn *sniffing, cfg *config, preauth *wire.Budget) servedPeer {
	b, n := sniff(sn.nc, cfg.handshakeTimeout)
	r := &prefixed{Conn: sn.nc, pre: b, n: n}
	var p servedPeer
	if n == sniffLen && isJSONRPC(b) {
		p = newJSONConn(s, sn.nc, r, *cfg, preauth)
	} else {
		c := newConn(s, sn.nc, *cfg, preauth)
		c.r = r
		p = c
	}
	s.mu.Lock()
	delete(s.peers, sn)
	closing := s.closing
	if !closing {
		s.peers[p] = nil
	}
	s.mu.Unlock()
	close(sn.ended)
	if closing {
		_ = sn.nc.Close()
		return nil
	}
	return p
}

// Done returns a channel that is closed when Shutdown begins.
func (s *Socket) Done() <-chan struct{} {
	s.init()
	return s.done
}

func (s *Socket) isClosing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing
}

func (s *Socket) logger() *slog.Logger {
	s.init()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.log
}

// Shutdown stops the socket: it stops accepting, asks every plugin to stop
// (they finish the calls in flight, answer them and close), waits for them
// for at most the stop timeout (default 10s) and then cuts the connections
// that are left. It returns when every goroutine of the socket has ended.
// Later calls fail with ErrShutdown. id is sent with the stop requests as
// their trace. Shutdown is safe to call more than once; later calls wait for
// the first to finish and return nil.
func (s *Socket) Shutdown(id string) error {
	s.init()
	s.mu.Lock()
	d := s.cfg.stopTimeout
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return s.ShutdownContext(ctx, id)
}

// ShutdownContext is Shutdown with the wait for plugins bounded by ctx
// instead of the stop timeout. It returns an error wrapping ctx.Err() when
// connections had to be cut.
func (s *Socket) ShutdownContext(ctx context.Context, id string) error {
	s.init()
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		<-s.finished
		return nil
	}
	s.closing = true
	close(s.done)
	for lis := range s.listeners {
		_ = lis.Close()
	}
	peers := make([]entry, 0, len(s.peers))
	for p, info := range s.peers {
		peers = append(peers, entry{peer: p, info: info})
	}
	s.mu.Unlock()

	for _, e := range peers {
		if e.info != nil { // registered, perhaps unplugged since
			e.peer.requestStop(id)
		} else {
			e.peer.cut("socket shutting down")
		}
	}
	var err error
	left := 0
	for _, e := range peers {
		select {
		case <-e.peer.done():
		case <-ctx.Done():
			e.peer.cut("socket shut down before the plugin stopped")
			<-e.peer.done()
			left++
		}
	}
	if left > 0 {
		err = fmt.Errorf("socket: %d plugin(s) did not stop in time and were cut: %w", left, ctx.Err())
	}
	s.wg.Wait()
	s.events.close()
	s.backlog.close()
	close(s.finished)
	return err
}

// Stats are counters a host can report.
type Stats struct {
	// Plugins is the number of connected plugins.
	Plugins int
	// AsyncDropped counts async values the Async backlog dropped.
	AsyncDropped uint64
	// EventsDropped counts events subscribers lost by being too slow, for
	// all subscribers together.
	EventsDropped uint64
	// Refused counts connections refused before registration: a handshake
	// that was malformed, hostile, past a bound, late, unauthenticated or
	// rejected (each is logged with its reason).
	Refused uint64
	// PreAuthBytes is what the connections that have not completed their
	// handshake hold now of the pre-authentication budget (see
	// WithPreAuthBudget).
	PreAuthBytes int64
}

// Stats returns the socket's counters.
func (s *Socket) Stats() Stats {
	s.init()
	s.mu.Lock()
	n := len(s.plugins)
	budget := s.preauth
	s.mu.Unlock()
	return Stats{Plugins: n, AsyncDropped: s.asyncDropped.Load(), EventsDropped: s.eventsDropped.Load(),
		Refused: s.refused.Load(), PreAuthBytes: budget.Used()}
}
