package benchkit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// natsTimeout bounds one raw request: a lost reply fails the figure
// instead of hanging it.
const natsTimeout = 10 * time.Second

// NATS is an embedded nats-server on a loopback port with, on connections
// of their own, a socket attached to it (Socket.AttachNATS), an Echo plugin
// served over it (plugin.StartNATS) as p0, the same served inline
// (plugin.WithNATSInline) as p1, and the raw baseline: a subscriber
// answering each request on "raw.echo" with its data, and a client sending
// them.
type NATS struct {
	// S is the socket attached to the server.
	S *socket.Socket

	srv     *server.Server
	conns   []*nats.Conn
	plugs   []*plugin.Plugin
	done    chan error
	raw     *nats.Conn
	arg     []byte
	started int // the plugins' goroutines, each sends on done once
}

// NewNATS starts the server, the socket, the plugin and the raw echo, and
// returns once p0 is registered. It blocks for that (at most a minute).
func NewNATS() (*NATS, error) {
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		return nil, fmt.Errorf("benchkit: nats-server: %w", err)
	}
	go srv.Start()
	n := &NATS{srv: srv, done: make(chan error, 2)}
	if !srv.ReadyForConnections(natsTimeout) {
		n.Close()
		return nil, fmt.Errorf("benchkit: nats-server did not start")
	}
	if err := n.start(); err != nil {
		n.Close()
		return nil, err
	}
	return n, nil
}

func (n *NATS) dial() (*nats.Conn, error) {
	nc, err := nats.Connect(n.srv.ClientURL())
	if err != nil {
		return nil, fmt.Errorf("benchkit: connect to nats-server: %w", err)
	}
	n.conns = append(n.conns, nc)
	return nc, nil
}

func (n *NATS) start() error {
	arg, err := json.Marshal(Text{Sample})
	if err != nil {
		return err
	}
	n.arg = arg
	s, err := socket.New(socket.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return err
	}
	n.S = s
	hc, err := n.dial()
	if err != nil {
		return err
	}
	if err := s.AttachNATS(hc); err != nil {
		return err
	}
	quiet := plugin.WithLogger(slog.New(slog.DiscardHandler))
	if err := n.serve("p0", quiet); err != nil {
		return err
	}
	if err := n.serve("p1", quiet, plugin.WithNATSInline("Echo")); err != nil {
		return err
	}
	rc, err := n.dial()
	if err != nil {
		return err
	}
	if _, err := rc.Subscribe("raw.echo", func(m *nats.Msg) { _ = m.Respond(m.Data) }); err != nil {
		return err
	}
	if err := rc.Flush(); err != nil {
		return err
	}
	if n.raw, err = n.dial(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, name := range []string{"p0", "p1"} {
		if err := s.WaitForContext(ctx, name); err != nil {
			return fmt.Errorf("NATS plugin %s did not register: %w", name, err)
		}
	}
	return nil
}

// serve starts the Echo plugin name with opts on a connection of its own.
func (n *NATS) serve(name string, opts ...plugin.Option) error {
	pc, err := n.dial()
	if err != nil {
		return err
	}
	p, err := plugin.New(opts...)
	if err != nil {
		return err
	}
	n.plugs = append(n.plugs, p)
	n.started++
	go func() { n.done <- p.StartNATS(Echo{}, &plugin.Info{Name: name, Version: "1.0.0"}, pc) }()
	return nil
}

// Calls makes count typed calls of Echo on p0 with Text{Sample} through the
// socket, shared among callers concurrent callers, and returns how long
// they took.
func (n *NATS) Calls(count, callers int) (time.Duration, error) {
	return n.calls("p0", count, callers)
}

// InlineCalls is Calls on p1, whose Echo is served inline.
func (n *NATS) InlineCalls(count, callers int) (time.Duration, error) {
	return n.calls("p1", count, callers)
}

func (n *NATS) calls(name string, count, callers int) (time.Duration, error) {
	arg := Text{Sample}
	return spread(count, callers, func(int) error {
		out, err := n.S.Call("", name, "Echo", arg)
		if err == nil {
			if m, ok := out.(map[string]any); !ok || m["text"] != Sample {
				err = fmt.Errorf("echo returned %v", out)
			}
		}
		return err
	})
}

// Raw makes count raw nats.go requests on "raw.echo" with the JSON of
// Text{Sample}, shared among callers concurrent callers on one connection,
// and returns how long they took.
func (n *NATS) Raw(count, callers int) (time.Duration, error) {
	return spread(count, callers, func(int) error {
		m, err := n.raw.Request("raw.echo", n.arg, natsTimeout)
		if err == nil && len(m.Data) != len(n.arg) {
			err = fmt.Errorf("raw echo returned %d bytes of %d", len(m.Data), len(n.arg))
		}
		return err
	})
}

// Close shuts the socket down, stops the plugin, closes the connections
// and the server, and waits for each. It blocks until they are gone.
func (n *NATS) Close() {
	if n.S != nil {
		_ = n.S.Shutdown("")
	}
	for _, p := range n.plugs {
		p.Stop()
	}
	// Closing its connection also ends a plugin stopped before it started.
	for _, nc := range n.conns {
		nc.Close()
	}
	for range n.started {
		<-n.done
	}
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
}
