package socket

import "context"

// peer is one plugin connection as the registry, the call paths, Unplug and
// Shutdown see it, whatever carries its messages. conn, the brpc protocol
// over a stream, is one; every other kind of plugin connection implements
// the same methods, so nothing above the socket learns which kind a plugin
// uses.
//
// A peer is served by a goroutine the Socket starts and counts in s.wg,
// and goes through these steps:
//
//   - it is put in s.peers (with a nil description) under s.mu, unless the
//     socket is closing, before its goroutine starts, as ServeConn does for
//     a conn: from then on Shutdown reaches it;
//   - s.register(p, info) once the plugin has described itself: the
//     registry then holds p under the name register returns;
//   - s.deliverAsync(name, raw) for every value the plugin sends on its own;
//   - s.leave(p, graceful) once, when the connection has ended and before
//     the calls pending on it fail, registered or not.
//
// The methods below are called from any goroutine.
type peer interface {
	// check returns the error send would fail with for a request that this
	// peer can never be sent (ErrMessageTooLarge), without sending it.
	check(trace, method string, payload []byte) error
	// send posts one request and returns without waiting for the plugin
	// to read it. When it fails, nothing was sent; when it succeeds, wait
	// must follow, once.
	send(trace, method string, payload []byte) (sent, error)
	// wait waits for the answer to what send sent, ctx, or the end of the
	// connection. After ctx ends it tells the plugin to cancel the
	// request, if the plugin understands that, and drops the late answer.
	wait(ctx context.Context, s sent) ([]byte, error)
	// requestStop asks the plugin to finish the calls in flight and close;
	// a plugin that has not closed within the stop timeout is cut. trace
	// goes with the request. It does nothing once a stop was requested.
	requestStop(trace string)
	// cut closes the connection at once; why is logged. The calls pending
	// on it fail with ErrDisconnected.
	cut(why string)
	// done is closed when the peer's goroutine has ended.
	done() <-chan struct{}
}

// sent is a request a peer's send sent and its wait waits for: its number
// on that peer and the channel its reply arrives on.
type sent struct {
	seq uint64
	ch  chan reply
}

// reply is what a pending call receives.
type reply struct {
	payload []byte
	err     error
}

// call sends one request to p and waits for its answer.
func call(ctx context.Context, p peer, trace, method string, payload []byte) ([]byte, error) {
	s, err := p.send(trace, method, payload)
	if err != nil {
		return nil, err
	}
	return p.wait(ctx, s)
}
