package socket

import (
	"github.com/switchboard-rpc/switchboard/plugin"
)

// withInstances returns a new description: base's, with insts as its
// Instances. base is never changed (the registry's descriptions are
// copied off the socket's lock), so its functions are shared.
func withInstances(base *plugin.Info, insts []*natsInstance) *plugin.Info {
	info := *base
	info.Instances = make([]plugin.Instance, len(insts))
	for i, inst := range insts {
		info.Instances[i] = plugin.Instance{ID: inst.id, Where: inst.where}
	}
	return &info
}

// reinfo puts, under s.mu, a new description of a registered peer in the
// registry, after its instances changed: the one the registry had is left
// as it was, for those copying it.
func (s *Socket) reinfo(p peer, info *plugin.Info) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.peers[p] == nil {
		return // not registered, or gone
	}
	s.peers[p] = info
	if e, ok := s.plugins[info.Name]; ok && e.peer == p {
		s.plugins[info.Name] = entry{peer: p, info: info}
	}
}

// republish puts the plugin's description, with its instances as they are
// now, in the registry.
func (p *natsPlugin) republish() {
	h := p.hub
	h.mu.Lock()
	if !p.registered || p.state == connClosed {
		h.mu.Unlock()
		return
	}
	defer h.mu.Unlock()
	p.info = withInstances(p.info, p.insts)
	h.s.reinfo(p, p.info) // under hub.mu: descriptions are put in the order they were made
}
