package socket

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/micro"

	"github.com/switchboard-rpc/switchboard/internal/natswire"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// pingAll is where every micro service answers a ping.
const pingAll = "$SRV.PING"

// maxProbes bounds the instances being described at once; one found past
// it is described after a later ping.
const maxProbes = 64

// ping asks every micro service on the NATS system for its identity; the
// answers (onPing) keep known instances alive and reveal new ones.
func (h *natsHub) ping() {
	if err := h.nc.PublishRequest(pingAll, h.pings, nil); err != nil {
		h.log.Debug("ping not sent", "err", err)
	}
	now := time.Now()
	h.mu.Lock()
	for id, until := range h.shunned {
		if now.After(until) {
			delete(h.shunned, id)
		}
	}
	h.mu.Unlock()
}

// onPing handles one service's answer to a ping.
func (h *natsHub) onPing(m *nats.Msg) {
	var p micro.Ping
	if err := json.Unmarshal(m.Data, &p); err != nil || p.Metadata[natswire.MetaProtocol] == "" {
		return // not a switchboard plugin
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if inst := h.instances[p.ID]; inst != nil {
		inst.seen, inst.suspect = time.Now(), false
		return
	}
	_, probing := h.probing[p.ID]
	_, shunned := h.shunned[p.ID]
	if probing || shunned || h.ctx.Err() != nil || !natswire.ValidName(p.Name) || !natswire.ValidName(p.ID) {
		return
	}
	if len(h.probing) >= maxProbes {
		return // the next ping finds it again
	}
	h.probing[p.ID] = p.Name
	h.wg.Add(1)
	go h.probe(p.Name, p.ID)
}

// checkLost loses the instances that have not answered a ping for the
// loss time.
func (h *natsHub) checkLost() {
	now := time.Now()
	var lost []*natsInstance
	h.mu.Lock()
	for _, inst := range h.instances {
		if now.Sub(inst.seen) > h.cfg.lost {
			lost = append(lost, inst)
		}
	}
	h.mu.Unlock()
	for _, inst := range lost {
		h.lose(inst, false, fmt.Errorf("no answer to pings for %v", h.cfg.lost))
	}
}

// probe reads an instance's description, checks its token, and adds it.
func (h *natsHub) probe(svc, id string) {
	defer h.wg.Done()
	defer func() {
		h.mu.Lock()
		delete(h.probing, id)
		h.mu.Unlock()
	}()
	log := h.log.With("plugin", svc, "instance", id)
	ctx, cancel := context.WithTimeout(h.ctx, h.cfg.lost)
	defer cancel()
	info, subjects, where, err := h.describe(ctx, svc, id)
	if err != nil {
		// Perhaps not yet reachable from here (interest travels through a
		// cluster in its own time): the next ping that finds it tries again.
		log.Debug("NATS plugin instance not described", "err", err)
		return
	}
	if h.scfg.token != "" {
		if err := h.challenge(ctx, svc, id); err != nil {
			if !errors.Is(err, errBadToken) {
				log.Debug("NATS plugin instance not checked", "err", err)
				return
			}
			if h.ctx.Err() == nil {
				log.Warn("NATS plugin instance refused", "err", err)
				h.s.refused.Add(1)
				h.shun(id)
			}
			return
		}
	}
	h.add(&natsInstance{id: id, svc: svc, where: where, subjects: subjects}, info)
}

// describe reads an instance's $SRV.INFO.
func (h *natsHub) describe(ctx context.Context, svc, id string) (*plugin.Info, map[string]string, string, error) {
	subj, err := micro.ControlSubject(micro.InfoVerb, svc, id)
	if err != nil {
		return nil, nil, "", err
	}
	m, err := h.nc.RequestWithContext(ctx, subj, nil)
	if err != nil {
		return nil, nil, "", fmt.Errorf("asking for its description: %w", err)
	}
	var mi micro.Info
	if err := json.Unmarshal(m.Data, &mi); err != nil {
		return nil, nil, "", fmt.Errorf("its description is not JSON: %w", err)
	}
	if mi.Name != svc || mi.ID != id {
		return nil, nil, "", fmt.Errorf("its description is of %s/%s", mi.Name, mi.ID)
	}
	info := &plugin.Info{Name: svc, Version: mi.Version, Functions: map[string]plugin.Function{}}
	if v, ok := mi.Metadata[natswire.MetaVersion]; ok {
		info.Version = v
	}
	subjects := make(map[string]string, len(mi.Endpoints))
	for _, ep := range mi.Endpoints {
		f := plugin.Function{Name: ep.Name}
		if d := ep.Metadata[natswire.MetaFunction]; d != "" {
			if err := json.Unmarshal([]byte(d), &f); err != nil {
				return nil, nil, "", fmt.Errorf("the description of %s is not JSON: %w", ep.Name, err)
			}
			f.Name = ep.Name
		}
		if ep.Subject == "" || strings.ContainsAny(ep.Subject, "*> ") {
			return nil, nil, "", fmt.Errorf("the endpoint %s has no subject a request can go to (%q)", ep.Name, ep.Subject)
		}
		info.Functions[ep.Name] = f
		subjects[ep.Name] = ep.Subject
	}
	return info, subjects, mi.Metadata[natswire.MetaWhere], nil
}

// challenge checks that the instance knows the socket's token.
func (h *natsHub) challenge(ctx context.Context, svc, id string) error {
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce)
	m, err := h.nc.RequestMsgWithContext(ctx, &nats.Msg{
		Subject: natswire.CtlSubject(svc, id),
		Header:  nats.Header{natswire.HeaderControl: []string{natswire.ControlHello}},
		Data:    nonce,
	})
	if err != nil {
		return fmt.Errorf("asking for its token: %w", err)
	}
	if !hmac.Equal(m.Data, []byte(natswire.Proof(h.scfg.token, nonce))) {
		return errBadToken
	}
	return nil
}

// errBadToken is a failed challenge.
var errBadToken = errors.New("wrong or missing token")

// shun keeps id from being looked at again for a while.
func (h *natsHub) shun(id string) {
	h.mu.Lock()
	h.shunned[id] = time.Now().Add(shunFor)
	h.mu.Unlock()
}

// add makes an instance part of the plugin of its name, registering the
// plugin with the socket when it is the first.
func (h *natsHub) add(inst *natsInstance, info *plugin.Info) {
	id, svc := inst.id, inst.svc
	inst.seen = time.Now()
	h.mu.Lock()
	if _, shunned := h.shunned[id]; shunned || h.ctx.Err() != nil || h.instances[id] != nil {
		h.mu.Unlock()
		return
	}
	if p := h.plugins[svc]; p != nil {
		if len(p.insts) >= h.cfg.maxInstances {
			// Not kept in h.instances: an instance there has a plugin.
			h.shunned[id] = time.Now().Add(shunFor)
			h.mu.Unlock()
			p.log.Warn("NATS plugin instance refused: too many instances", "instance", id, "limit", h.cfg.maxInstances)
			h.s.refused.Add(1)
			return
		}
		h.instances[id] = inst
		inst.plugin = p
		p.insts = append(p.insts, inst)
		n := len(p.insts)
		h.mu.Unlock()
		p.log.Info("NATS plugin instance added", "instance", id, "instances", n)
		p.republish()
		return
	}
	p := newNATSPlugin(h, svc)
	h.instances[id] = inst
	inst.plugin = p
	p.insts = []*natsInstance{inst}
	h.plugins[svc] = p
	h.live++
	h.mu.Unlock()

	s := h.s
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		p.end(false, ErrShutdown)
		return
	}
	s.peers[p] = nil
	s.mu.Unlock()
	info = withInstances(info, []*natsInstance{inst})
	name, err := s.register(p, info) // sets info.Name
	if err != nil {
		p.log.Warn("NATS plugin not registered", "err", err)
		s.refused.Add(1)
		h.shun(id)
		p.end(false, err)
		return
	}
	h.mu.Lock()
	p.name, p.registered, p.info = name, true, info
	h.mu.Unlock()
	p.log.Info("NATS plugin registered", "as", name, "instance", id)
	p.republish() // other instances may have come meanwhile
}

// lose takes an instance away, fails the calls in flight on it, and ends
// its plugin when it was the last.
func (h *natsHub) lose(inst *natsInstance, graceful bool, why error) {
	h.mu.Lock()
	if h.instances[inst.id] != inst {
		h.mu.Unlock()
		return
	}
	delete(h.instances, inst.id)
	p := inst.plugin
	for i, x := range p.insts {
		if x == inst {
			p.insts = append(p.insts[:i], p.insts[i+1:]...)
			break
		}
	}
	var failed []chan reply
	for seq, c := range h.pending {
		if c.inst == inst {
			delete(h.pending, seq)
			p.npending--
			failed = append(failed, c.ch)
		}
	}
	last := len(p.insts) == 0
	h.mu.Unlock()
	if graceful {
		p.log.Info("NATS plugin instance stopped", "instance", inst.id)
	} else {
		p.log.Warn("NATS plugin instance lost", "instance", inst.id, "why", why, "pending", len(failed))
	}
	if last {
		p.end(graceful, why) // leaves the registry before its calls fail
	} else {
		p.republish()
	}
	err := fmt.Errorf("%w: instance %s: %w", ErrDisconnected, inst.id, why)
	for _, ch := range failed {
		ch <- reply{err: err}
	}
	h.settle(p)
}

// onOut handles an instance's own messages: async values, its going, its
// reconnection. One subscription takes them all, so they are handled in
// the order the instance sent them.
func (h *natsHub) onOut(m *nats.Msg) {
	parts := strings.Split(strings.TrimPrefix(m.Subject, natswire.OutPrefix), ".")
	if len(parts) != 3 {
		return
	}
	svc, id, kind := parts[0], parts[1], parts[2]
	h.mu.Lock()
	inst := h.instances[id]
	if inst != nil && inst.svc != svc {
		inst = nil
	}
	var name string
	if inst != nil && inst.plugin.registered {
		name = inst.plugin.name
	}
	h.mu.Unlock()
	if inst == nil {
		return // not an instance this host has registered
	}
	switch kind {
	case natswire.KindAsync:
		if name != "" {
			h.s.deliverAsync(name, m.Data)
		}
	case natswire.KindGone:
		h.lose(inst, true, errStopped)
	case natswire.KindReset:
		h.onReset(inst)
	}
}

// errStopped is why an instance that said it stopped went.
var errStopped = errors.New("stopped")

// onReset fails the calls in flight on an instance whose NATS connection
// was cut and made again: their requests or answers may be lost.
func (h *natsHub) onReset(inst *natsInstance) {
	h.failWhere(func(c *natsCall) bool { return c.inst == inst },
		errors.New("the instance's NATS connection was cut; the request or its answer may be lost"))
}

// failAll fails every call in flight, with ErrDisconnected and why.
func (h *natsHub) failAll(why error) {
	h.failWhere(func(*natsCall) bool { return true }, why)
}

// failWhere fails the calls in flight that match, never to be retried.
func (h *natsHub) failWhere(match func(*natsCall) bool, why error) {
	var failed []*natsCall
	h.mu.Lock()
	for seq, c := range h.pending {
		if match(c) {
			delete(h.pending, seq)
			c.inst.plugin.npending--
			failed = append(failed, c)
		}
	}
	h.mu.Unlock()
	if len(failed) > 0 {
		h.log.Warn("calls failed", "calls", len(failed), "why", why)
	}
	err := fmt.Errorf("%w: %w", ErrDisconnected, why)
	for _, c := range failed {
		c.ch <- reply{err: err}
		h.settle(c.inst.plugin)
	}
}
