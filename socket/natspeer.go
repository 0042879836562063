package socket

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/switchboard-rpc/switchboard/internal/natswire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// natsPlugin is a plugin reached through NATS: every instance of one name,
// as one peer. Its fields are guarded by hub.mu, except those set once.
type natsPlugin struct {
	hub   *natsHub
	svc   string // the service's name
	ended chan struct{}
	once  sync.Once

	log        *slog.Logger // with the service's name; set once
	info       *plugin.Info // the registry's description, replaced when the instances change
	name       string       // the registered name
	registered bool
	insts      []*natsInstance
	next       int // where the next call starts looking for an instance
	npending   int
	state      connState
	detach     bool // stopping because the socket is: the instances serve on
	stopT      *time.Timer
}

var _ peer = (*natsPlugin)(nil)

func newNATSPlugin(h *natsHub, svc string) *natsPlugin {
	return &natsPlugin{hub: h, svc: svc, name: svc, ended: make(chan struct{}), log: h.log.With("plugin", svc)}
}

// requestOverhead is what a request's headers and subjects take of the
// server's max_payload, besides the payload and the trace, at most.
const requestOverhead = 512

// check refuses what the message limit or the NATS server's max_payload
// would refuse.
func (p *natsPlugin) check(trace, method string, payload []byte) error {
	if err := p.hub.scfg.checkRequest(trace, method, payload); err != nil {
		return err
	}
	if max := p.hub.nc.MaxPayload(); int64(len(payload)+len(trace)+requestOverhead) > max {
		return fmt.Errorf("%w: a request of %d bytes is past the NATS server's max_payload of %d bytes",
			ErrMessageTooLarge, len(payload), max)
	}
	return checkJSONPayload(payload)
}

// pick returns the next instance serving method, round robin, under hub.mu.
// Suspect instances are passed over while another serves the method.
func (p *natsPlugin) pick(method string) (*natsInstance, string) {
	n := len(p.insts)
	var fallback *natsInstance
	for i := range n {
		inst := p.insts[(p.next+i)%n]
		if _, ok := inst.subjects[method]; !ok {
			continue
		}
		if inst.suspect {
			if fallback == nil {
				fallback = inst
			}
			continue
		}
		p.next = (p.next + i + 1) % n
		return inst, inst.subjects[method]
	}
	if fallback != nil {
		return fallback, fallback.subjects[method]
	}
	return nil, ""
}

// send publishes the request to one instance, its reply subject naming the
// call.
func (p *natsPlugin) send(trace, method string, payload []byte) (sent, error) {
	// The server's max_payload is left to PublishMsg, which checks it
	// anyway: asking the connection for it takes the connection's lock.
	if err := p.hub.scfg.checkRequest(trace, method, payload); err != nil {
		return sent{}, err
	}
	if err := checkJSONPayload(payload); err != nil {
		return sent{}, err
	}
	h := p.hub
	h.mu.Lock()
	switch p.state {
	case connClosed:
		h.mu.Unlock()
		return sent{}, ErrDisconnected
	case connStopping, connCut:
		h.mu.Unlock()
		return sent{}, ErrShutdown
	}
	if p.npending >= h.scfg.maxInFlight {
		n := p.npending
		h.mu.Unlock()
		return sent{}, tooManyCalls(int64(n), h.scfg.maxInFlight)
	}
	inst, subj := p.pick(method)
	if inst == nil {
		h.mu.Unlock()
		return sent{}, ErrMethodNotFound
	}
	h.seq++
	seq := h.seq
	var rbuf [80]byte // the inbox is about 30 bytes: the subject is built on the stack, then copied once
	c := &natsCall{inst: inst, ch: make(chan reply, 1), reply: string(strconv.AppendUint(append(rbuf[:0], h.inbox...), seq, 36))}
	h.pending[seq] = c
	p.npending++
	h.mu.Unlock()
	var err error
	if trace == "" { // no header: no message to build
		err = h.nc.PublishRequest(subj, c.reply, payload)
	} else {
		err = h.nc.PublishMsg(&nats.Msg{Subject: subj, Reply: c.reply, Data: payload,
			Header: nats.Header{natswire.HeaderTrace: []string{trace}}})
	}
	if err != nil {
		h.forget(seq)
		if errors.Is(err, nats.ErrMaxPayload) {
			return sent{}, fmt.Errorf("%w: a request of %d bytes is past the NATS server's max_payload of %d bytes",
				ErrMessageTooLarge, len(payload), h.nc.MaxPayload())
		}
		return sent{}, fmt.Errorf("%w: publishing the request: %w", ErrDisconnected, err)
	}
	return sent{seq: seq, ch: c.ch}, nil
}

// wait waits for the answer, ctx, or the instance's loss; after ctx ends
// it asks the instance to cancel the request.
func (p *natsPlugin) wait(ctx context.Context, s sent) ([]byte, error) {
	select {
	case r := <-s.ch:
		return r.payload, r.err
	case <-ctx.Done():
	}
	c := p.hub.forget(s.seq)
	if c == nil {
		r := <-s.ch
		return r.payload, r.err
	}
	_ = p.hub.nc.PublishMsg(&nats.Msg{
		Subject: natswire.CtlSubject(c.inst.svc, c.inst.id),
		Header: nats.Header{
			natswire.HeaderControl: []string{natswire.ControlCancel},
			natswire.HeaderCancel:  []string{c.reply},
		},
	})
	return nil, ctx.Err()
}

// forget takes a call out of the pending ones and returns it, or nil when
// its answer has been or is being delivered.
func (h *natsHub) forget(seq uint64) *natsCall {
	h.mu.Lock()
	c := h.pending[seq]
	var p *natsPlugin
	if c != nil {
		delete(h.pending, seq)
		p = c.inst.plugin
		p.npending--
	}
	settled := p != nil && p.settled()
	h.mu.Unlock()
	if settled {
		p.end(true, nil)
	}
	return c
}

// onReply delivers an answer to the call its subject names.
func (h *natsHub) onReply(m *nats.Msg) {
	seq, err := strconv.ParseUint(m.Subject[len(h.inbox):], 36, 64)
	if err != nil {
		return
	}
	c := h.forget(seq)
	if c == nil {
		return // given up on, or failed with its instance
	}
	var r reply
	switch {
	case len(m.Data) == 0 && m.Header.Get("Status") == "503":
		h.mu.Lock()
		c.inst.suspect = true
		h.mu.Unlock()
		r.err = fmt.Errorf("%w: no instance %s listens on the method's subject", ErrDisconnected, c.inst.id)
	case m.Header.Get(micro.ErrorHeader) != "":
		r.err = &RemoteError{Message: m.Header.Get(micro.ErrorHeader)}
	default:
		r.payload = m.Data
	}
	c.ch <- r
}

// settle ends a plugin detaching from a stopping socket once its last
// call has been answered.
func (h *natsHub) settle(p *natsPlugin) {
	h.mu.Lock()
	done := p.settled()
	h.mu.Unlock()
	if done {
		p.end(true, nil)
	}
}

// settled reports, under hub.mu, whether a detaching plugin has no call
// left to wait for.
func (p *natsPlugin) settled() bool {
	return p.detach && p.state == connStopping && p.npending == 0
}

// requestStop, from Unplug, asks every instance of the plugin to stop and
// ends the plugin when they all have (or cuts it after the stop timeout);
// from Shutdown, it detaches: the calls in flight are waited for and the
// instances left serving.
func (p *natsPlugin) requestStop(trace string) {
	h := p.hub
	detach := h.s.isClosing()
	h.mu.Lock()
	if p.state != connOpen {
		h.mu.Unlock()
		return
	}
	p.state, p.detach = connStopping, detach
	if h.plugins[p.svc] == p {
		delete(h.plugins, p.svc) // a new instance is a new plugin
	}
	if !detach {
		until := time.Now().Add(shunFor)
		for _, inst := range p.insts {
			h.shunned[inst.id] = until
		}
		for id, svc := range h.probing { // told to stop too: not a new plugin
			if svc == p.svc {
				h.shunned[id] = until
			}
		}
	}
	p.stopT = time.AfterFunc(h.scfg.stopTimeout, func() { p.cut("did not stop in time") })
	h.mu.Unlock()
	if detach {
		h.settle(p)
		return
	}
	msg := &nats.Msg{
		Subject: natswire.CtlAllSubject(p.svc),
		Header:  nats.Header{natswire.HeaderControl: []string{natswire.ControlStop}},
	}
	if trace != "" {
		msg.Header.Set(natswire.HeaderTrace, trace)
	}
	if err := h.nc.PublishMsg(msg); err != nil {
		p.cut("stop request not sent: " + err.Error())
	}
}

// cut ends the plugin at once; its pending calls fail with ErrDisconnected.
func (p *natsPlugin) cut(why string) {
	p.log.Warn("cutting NATS plugin", "why", why)
	p.end(false, fmt.Errorf("cut: %s", why))
}

// end finishes the plugin once: it forgets its instances, leaves the
// registry, fails the calls still pending on it and tells the hub.
func (p *natsPlugin) end(graceful bool, cause error) {
	p.once.Do(func() {
		h := p.hub
		h.mu.Lock()
		p.state = connClosed
		for _, inst := range p.insts {
			if h.instances[inst.id] == inst {
				delete(h.instances, inst.id)
			}
		}
		p.insts = nil
		if h.plugins[p.svc] == p {
			delete(h.plugins, p.svc)
		}
		pending := map[uint64]chan reply{}
		for seq, c := range h.pending {
			if c.inst.plugin == p {
				delete(h.pending, seq)
				pending[seq] = c.ch
			}
		}
		p.npending = 0
		if p.stopT != nil {
			p.stopT.Stop()
		}
		registered := p.registered
		h.live--
		h.mu.Unlock()
		if cause == nil || cause == errStopped {
			cause = errStopped
		}
		h.s.peerEnded(p, p.log, registered, graceful, cause, pending)
		close(p.ended)
		select {
		case h.gone <- struct{}{}:
		default:
		}
	})
}

// done is closed when the plugin has ended.
func (p *natsPlugin) done() <-chan struct{} { return p.ended }
