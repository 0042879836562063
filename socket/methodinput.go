package socket

import "github.com/switchboard-rpc/switchboard/plugin"

// InspectInput calls f with the described input of method on the plugin
// called name (nil when it has none), and reports whether there is such a
// plugin and method; f is not called when there is not. Unlike
// MethodInfo, nothing is copied: f must neither keep the entity nor change
// it. f runs on the caller's goroutine, with no lock of the socket's held;
// InspectInput blocks only for as long as f does.
func (s *Socket) InspectInput(name, method string, f func(in *plugin.Entity)) bool {
	s.init()
	s.mu.Lock()
	info := s.plugins[name].info // nil when there is none; never changed once registered
	s.mu.Unlock()
	if info == nil {
		return false
	}
	fn, ok := info.Functions[method]
	if !ok {
		return false
	}
	f(fn.Input)
	return true
}
