package scripting

import "context"

// awaitStarting waits, up to Config.StartTimeout, for the plugin name to
// connect when its tracked process still runs (it is starting), and
// reports whether it did. It stops waiting when the process exits or ctx
// ends, and does not wait at all without a StartTimeout or a running
// tracked process.
func (rt *Runtime) awaitStarting(ctx context.Context, name string) bool {
	if rt.cfg.StartTimeout <= 0 || rt.sock == nil {
		return false
	}
	p := rt.process(name)
	if p == nil {
		return false
	}
	select {
	case <-p.Done():
		return false
	default:
	}
	ctx, cancel := context.WithTimeout(ctx, rt.cfg.StartTimeout)
	defer cancel()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-p.Done():
			cancel()
		case <-stop:
		}
	}()
	return rt.sock.WaitForContext(ctx, name) == nil
}
