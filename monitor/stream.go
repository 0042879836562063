package monitor

import (
	"encoding/json"
	"fmt"
	"time"
)

// streamBuffer is how many messages wait for one page's stream; past it
// the messages for that page are dropped and counted, and the page is told
// to fetch the lists again.
const streamBuffer = 256

// streamWriteTimeout bounds how long a write to a page's stream may wait
// for the page to read; past it the stream ends (the page reconnects if
// it is still there).
const streamWriteTimeout = 10 * time.Second

// streamTimeout is streamWriteTimeout, or the shorter one a test set.
func (m *Monitor) streamTimeout() time.Duration {
	if m.writeTimeout > 0 {
		return m.writeTimeout
	}
	return streamWriteTimeout
}

// maxStreams bounds the pages streaming at once; a page past it is
// refused (503).
const maxStreams = 64

// stream is one page's server-sent events: the messages waiting for it.
type stream struct {
	ch      chan []byte
	dropped bool // a message was dropped since the last resync
}

// streams are the pages streaming now. Its methods are called with
// Monitor.mu held.
type streams struct {
	set     map[*stream]struct{}
	closed  bool
	done    chan struct{} // closed by close
	dropped uint64        // messages dropped, for all pages
}

func (ss *streams) doneCh() chan struct{} {
	if ss.done == nil {
		ss.done = make(chan struct{})
	}
	return ss.done
}

// add makes a stream, or returns nil when there are maxStreams already or
// the monitor is closed.
func (ss *streams) add() *stream {
	ss.doneCh()
	if ss.closed || len(ss.set) >= maxStreams {
		return nil
	}
	if ss.set == nil {
		ss.set = map[*stream]struct{}{}
	}
	s := &stream{ch: make(chan []byte, streamBuffer)}
	ss.set[s] = struct{}{}
	return s
}

func (ss *streams) remove(s *stream) { delete(ss.set, s) }

// active reports whether a page is streaming.
func (ss *streams) active() bool { return len(ss.set) > 0 }

// send queues an event of type kind with v as its JSON data for every
// stream, without blocking. It encodes v only when a page is streaming.
func (ss *streams) send(kind string, v any) {
	if len(ss.set) == 0 {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	msg := fmt.Appendf(nil, "event: %s\ndata: %s\n\n", kind, b)
	for s := range ss.set {
		if s.dropped {
			// Tell the page to fetch the lists again before anything else.
			select {
			case s.ch <- []byte("event: resync\ndata: {}\n\n"):
				s.dropped = false
			default:
				ss.dropped++
				continue
			}
		}
		select {
		case s.ch <- msg:
		default:
			s.dropped = true
			ss.dropped++
		}
	}
}

// close ends every stream.
func (ss *streams) close() {
	if !ss.closed {
		ss.closed = true
		close(ss.doneCh())
	}
}
