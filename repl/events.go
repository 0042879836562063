package repl

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// eventBuffer keeps the socket's events until the REPL prints them before
// its next prompt. It subscribes directly: the connection's reader adds an
// event before the answer to any later call is read, so an async value a
// plugin sends before answering is printed after that call's result, ahead
// of the next prompt. The REPL's goroutine takes the events and formats
// them. It holds at most max events and counts the ones it had to drop.
type eventBuffer struct {
	max     int
	mu      sync.Mutex
	events  []func() string // each formats one event as a line
	dropped int
}

func newEventBuffer(max int) *eventBuffer { return &eventBuffer{max: max} }

// handlers returns the socket handlers that fill the buffer. They run on
// the socket's goroutines and only queue.
func (b *eventBuffer) handlers() socket.Handlers {
	return socket.Handlers{
		Direct: true,
		Connect: func(info *plugin.Info) {
			name, version := info.Name, info.Version
			b.add(func() string { return connectLine(name, version) })
		},
		Disconnect: func(info *plugin.Info, graceful bool) {
			name := info.Name
			b.add(func() string { return disconnectLine(name, graceful) })
		},
		Async: func(a socket.AsyncData) { b.add(func() string { return asyncLine(a) }) },
	}
}

func (b *eventBuffer) add(line func() string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.events) == b.max {
		copy(b.events, b.events[1:])
		b.events = b.events[:len(b.events)-1]
		b.dropped++
	}
	b.events = append(b.events, line)
}

// take returns the events kept so far as lines, preceded by a note on
// dropped ones, and empties the buffer.
func (b *eventBuffer) take() []string {
	b.mu.Lock()
	events, dropped := b.events, b.dropped
	b.events, b.dropped = nil, 0
	b.mu.Unlock()
	var lines []string
	if dropped > 0 {
		lines = append(lines, fmt.Sprintf("[events] %d older events dropped", dropped))
	}
	for _, line := range events {
		lines = append(lines, line())
	}
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
	for _, line := range r.events.take() {
		fmt.Fprintln(r.cfg.Out, line)
	}
}
