package plugin

// lifecycle is where a Plugin is in its life. The states are ordered: a
// Plugin only moves forward, except that stateFinished may be entered from
// any state once Start has started.
type lifecycle uint8

const (
	// stateNew: Start has not been called; Stop does nothing.
	stateNew lifecycle = iota
	// stateServing: requests are dispatched to workers.
	stateServing
	// stateStopping: a stop request (from the socket or Stop) or a broken
	// connection; new requests are refused with wire.TextShutdown, those
	// in flight finish.
	stateStopping
	// stateDrained: a graceful stop answered everything and closed the
	// connection; the read loop's error that follows is not one, and Start
	// returns nil.
	stateDrained
	// stateFinished: the read loop has ended and Start is returning; no
	// graceful stop may start any more.
	stateFinished
)
