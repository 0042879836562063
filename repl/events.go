package repl

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// eventBuffer keeps the socket's events, as printable lines, until the REPL
// prints them before its next prompt. The socket's subscriber goroutine
// adds; the REPL's goroutine takes. It holds at most max lines and counts
// the ones it had to drop.
type eventBuffer struct {
	max     int
	mu      sync.Mutex
	lines   []string
	dropped int
}

func newEventBuffer(max int) *eventBuffer { return &eventBuffer{max: max} }

// handlers returns the socket handlers that fill the buffer.
func (b *eventBuffer) handlers() socket.Handlers {
	return socket.Handlers{
		Connect:    func(info *plugin.Info) { b.add(connectLine(info)) },
		Disconnect: func(info *plugin.Info, graceful bool) { b.add(disconnectLine(info, graceful)) },
		Async:      func(a socket.AsyncData) { b.add(asyncLine(a)) },
	}
}

func (b *eventBuffer) add(line string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.lines) == b.max {
		copy(b.lines, b.lines[1:])
		b.lines = b.lines[:len(b.lines)-1]
		b.dropped++
	}
	b.lines = append(b.lines, line)
}

// take returns the lines kept so far, preceded by a note on dropped ones,
// and empties the buffer.
func (b *eventBuffer) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	lines := b.lines
	if b.dropped > 0 {
		lines = append([]string{fmt.Sprintf("[events] %d older events dropped", b.dropped)}, lines...)
	}
	b.lines, b.dropped = nil, 0
	return lines
}

// connectLine describes a plugin that connected.
func connectLine(info *plugin.Info) string {
	return strings.TrimSpace(fmt.Sprintf("[connect] %s %s", info.Name, info.Version))
}

// disconnectLine describes a plugin that went away.
func disconnectLine(info *plugin.Info, graceful bool) string {
	how := "stopped"
	if !graceful {
		how = "lost (crash or cut connection)"
	}
	return fmt.Sprintf("[disconnect] %s %s", info.Name, how)
}

// asyncLine shows an async value as compact JSON.
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
	return fmt.Sprintf("[async %s] %s", a.Name, payload)
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
