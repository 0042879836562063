package socket

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/internal/natswire"
)

// ErrNATS wraps the errors of AttachNATS about the NATS connection.
var ErrNATS = errors.New("NATS")

// natsHub is the socket's side of one NATS system (AttachNATS): it finds
// switchboard plugins there by pinging every micro service, checks and
// registers each instance, sends the calls and routes their answers, the
// async values and the instances' goings. Its goroutine (run) is counted
// in the socket's wait group and ends after Shutdown, once every plugin it
// registered has ended.
//
// Lock order: natsHub.mu, then Socket.mu (republish only); register,
// leave and deliverAsync are called with natsHub.mu released.
type natsHub struct {
	s     *Socket
	nc    *nats.Conn
	cfg   natsConfig
	scfg  config
	log   *slog.Logger
	inbox string // replies come on inbox + seq
	pings string // answers to pings come here
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup // probes
	gone  chan struct{}  // has room for one: a plugin has ended
	subs  []*nats.Subscription

	mu        sync.Mutex
	seq       uint64
	plugins   map[string]*natsPlugin   // open plugins by service name
	instances map[string]*natsInstance // by id
	probing   map[string]string        // ids being looked at, with their names
	shunned   map[string]time.Time     // ids not to look at again before then
	pending   map[uint64]*natsCall
	live      int // plugins made and not yet ended
}

// natsInstance is one micro service instance of a plugin.
type natsInstance struct {
	id       string
	svc      string
	where    string // what its metadata says of where it runs
	plugin   *natsPlugin
	subjects map[string]string // the endpoint's subject by method
	seen     time.Time         // the last answer to a ping; under hub.mu
	// suspect is set, under hub.mu, when a request to the instance found
	// no subscriber (its process is gone, most likely): calls avoid it
	// until it answers a ping again, or is lost.
	suspect bool
}

// natsCall is a call waiting for its answer.
type natsCall struct {
	inst  *natsInstance
	ch    chan reply
	reply string
}

// shunFor is how long an instance refused (a bad token, a name taken) or
// told to stop is not looked at again.
const shunFor = time.Minute

// AttachNATS makes the plugins served as micro services on the NATS system
// nc is connected to (plugin.Serve with a nats:// SWITCHBOARD_ADDR, or any
// service following docs/nats.md) plugins of this socket, beside those
// that dial it: the same registry, calls, broadcasts, async values,
// connect and disconnect events, Unplug. The instances of one name are
// one plugin; calls are spread over them; the plugin connects with its
// first instance and disconnects with its last. An instance is pinged
// (WithNATSLiveness) and lost when it stops answering; the calls in flight
// on it then fail with ErrDisconnected. A token set with WithToken is
// checked, through a challenge, before an instance is registered.
//
// AttachNATS subscribes, starts looking for plugins and returns without
// waiting for them; it fails with ErrShutdown after Shutdown. Shutdown
// detaches: the calls in flight are waited for as for other plugins, the
// instances are left serving (other hosts may use them), and the
// subscriptions end; nc is not closed. AttachNATS may be called once per
// NATS system.
func (s *Socket) AttachNATS(nc *nats.Conn, opts ...NATSOption) error {
	s.init()
	cfg := natsConfig{ping: DefaultNATSPing, lost: DefaultNATSLost, maxInstances: MaxNATSInstances}
	for _, o := range opts {
		if o == nil {
			return fmt.Errorf("%w: nil NATS option", ErrInvalidOption)
		}
		if err := o(&cfg); err != nil {
			return err
		}
	}
	if nc == nil {
		return fmt.Errorf("%w: nil NATS connection", ErrInvalidOption)
	}
	s.mu.Lock()
	scfg := s.cfg
	s.mu.Unlock()
	h := &natsHub{
		s: s, nc: nc, cfg: cfg, scfg: scfg,
		log:       scfg.log.With("transport", "nats"),
		inbox:     nc.NewInbox() + ".",
		pings:     nc.NewInbox(),
		gone:      make(chan struct{}, 1),
		plugins:   map[string]*natsPlugin{},
		instances: map[string]*natsInstance{},
		probing:   map[string]string{},
		shunned:   map[string]time.Time{},
		pending:   map[uint64]*natsCall{},
	}
	h.ctx, h.stop = context.WithCancel(context.Background())
	for subj, cb := range map[string]nats.MsgHandler{
		h.inbox + "*": h.onReply, h.pings: h.onPing,
		natswire.OutAll: h.onOut,
	} {
		sub, err := nc.Subscribe(subj, cb)
		if err != nil {
			h.unsubscribe()
			h.stop()
			return fmt.Errorf("%w: subscribing to %s: %w", ErrNATS, subj, err)
		}
		h.subs = append(h.subs, sub)
	}
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		h.unsubscribe()
		h.stop()
		return ErrShutdown
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go h.run()
	return nil
}

func (h *natsHub) unsubscribe() {
	for _, sub := range h.subs {
		_ = sub.Unsubscribe()
	}
	h.subs = nil
}

// run pings, looks for lost instances, and after Shutdown waits for every
// plugin to end before it unsubscribes and returns.
func (h *natsHub) run() {
	defer h.s.wg.Done()
	t := time.NewTicker(h.cfg.ping)
	defer t.Stop()
	cut := h.nc.StatusChanged(nats.RECONNECTING, nats.DISCONNECTED)
	defer h.nc.RemoveStatusListener(cut)
	done := h.s.done
	h.ping()
	for {
		select {
		case <-cut:
			h.failAll(errors.New("the host's NATS connection was cut; the answer may be lost"))
		case <-t.C:
			h.ping()
			h.checkLost()
		case <-done:
			done = nil
			h.stop() // probes end
		case <-h.gone:
		}
		if done == nil {
			h.mu.Lock()
			live := h.live
			h.mu.Unlock()
			if live == 0 {
				break
			}
		}
	}
	h.wg.Wait()
	h.unsubscribe()
	h.log.Info("detached from NATS")
}
