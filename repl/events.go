package repl

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/switchboard-rpc/switchboard/internal/queue"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// eventOverhead is what a kept event holds besides its payload: the event,
// its slot and the closure that formats it.
const eventOverhead = 128

// event is one socket event waiting to be printed.
type event struct {
	size int           // the bytes it holds, for the bound
	line func() string // formats it as a line
}

func eventSize(e event) int { return eventOverhead + e.size }

// eventBuffer keeps the socket's events until the REPL prints them before
// its next prompt. It subscribes directly: the connection's reader adds an
// event before the answer to any later call is read, so an async value a
// plugin sends before answering is printed after that call's result, ahead
// of the next prompt. The REPL's goroutine takes the events, all at once,
// and formats them. It holds events up to a bound in bytes and counts the
// ones it had to drop, oldest first.
type eventBuffer struct {
	q      *queue.Queue[event]
	notify chan struct{} // receives when events were added

	// The REPL's goroutine only.
	reported uint64 // drops already reported
	batch    []event
}

// newEventBuffer returns a buffer holding at most limit bytes of events.
func newEventBuffer(limit int) *eventBuffer {
	return &eventBuffer{q: queue.New(limit, eventSize, nil), notify: make(chan struct{}, 1)}
}

// handlers returns the socket handlers that fill the buffer. They run on
// the socket's goroutines and only queue.
func (b *eventBuffer) handlers() socket.Handlers {
	return socket.Handlers{
		Direct: true,
		Connect: func(info *plugin.Info) {
			name, version := info.Name, info.Version
			b.add(event{len(name) + len(version), func() string { return connectLine(name, version) }})
		},
		Disconnect: func(info *plugin.Info, graceful bool) {
			name := info.Name
			b.add(event{len(name), func() string { return disconnectLine(name, graceful) }})
		},
		Async: func(a socket.AsyncData) {
			// a's decoded Payload is the socket's, shared; count it as
			// the socket does, three times the JSON.
			b.add(event{len(a.Name) + 4*len(a.Raw), func() string { return asyncLine(a) }})
		},
	}
}

func (b *eventBuffer) add(e event) {
	b.q.Push(e)
	select {
	case b.notify <- struct{}{}:
	default:
	}
}

// take returns the events kept so far as lines, preceded by a note on
// dropped ones, and empties the buffer.
func (b *eventBuffer) take() []string {
	b.batch = b.q.Drain(b.batch)
	dropped := b.q.Dropped() - b.reported
	b.reported += dropped
	var lines []string
	if dropped > 0 {
		lines = append(lines, fmt.Sprintf("[events] %d older events dropped", dropped))
	}
	for _, e := range b.batch {
		lines = append(lines, e.line())
	}
	clear(b.batch) // the closures go now, not at the next take
	return lines
}

// connectLine describes a plugin that connected; what the plugin chose
// (its name and version) is escaped.
func connectLine(name, version string) string {
	return strings.TrimSpace(fmt.Sprintf("[connect] %s %s", Escape(name), Escape(version)))
}

// disconnectLine describes a plugin that went away.
func disconnectLine(name string, graceful bool) string {
	how := "stopped"
	if !graceful {
		how = "lost (crash or cut connection)"
	}
	return fmt.Sprintf("[disconnect] %s %s", Escape(name), how)
}

// asyncLine shows an async value as compact JSON, escaped (the plugin's
// bytes are passed on as it sent them, JSON or not).
func asyncLine(a socket.AsyncData) string {
	payload := strings.TrimSpace(string(a.Raw))
	if payload == "" {
		b, err := json.Marshal(a.Payload)
		if err != nil {
			payload = fmt.Sprint(a.Payload)
		} else {
			payload = string(b)
		}
	}
	return fmt.Sprintf("[async %s] %s", Escape(a.Name), Escape(payload))
}

// flushEvents runs the engines' queued callbacks, then prints the events
// that arrived since the last prompt.
func (r *REPL) flushEvents() {
	for _, e := range r.engines {
		e.Drain()
	}
	r.printEvents()
}

// printEvents prints the socket events that arrived, in one write (above
// the prompt when one is shown).
func (r *REPL) printEvents() {
	lines := r.events.take()
	if len(lines) == 0 {
		return
	}
	fmt.Fprint(r.cfg.Out, strings.Join(lines, "\n")+"\n")
}
