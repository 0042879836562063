package socket_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// natsOpts are the options of an embedded NATS server on a free loopback
// port, with no logging and no signal handling.
func natsOpts() *server.Options {
	return &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
}

// startNATS starts an embedded NATS server with o (natsOpts when nil) and
// stops it when the test ends.
func startNATS(t testing.TB, o *server.Options) *server.Server {
	t.Helper()
	if o == nil {
		o = natsOpts()
	}
	ns, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(deadline) {
		t.Fatal("NATS server did not start")
	}
	t.Cleanup(func() {
		ns.Shutdown()
		ns.WaitForShutdown()
	})
	return ns
}

// dialNATS connects to url and closes the connection when the test ends.
func dialNATS(t testing.TB, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// fastLiveness makes lost instances noticed sooner, in the tests that
// lose some; the others keep the defaults, which a loaded machine does not
// trip.
var fastLiveness = socket.WithNATSLiveness(200*time.Millisecond, time.Second)

// natsHost is a socket attached to the NATS server at url.
func natsHost(t testing.TB, url string, opts ...socket.Option) *socket.Socket {
	t.Helper()
	return natsHostWith(t, url, nil, opts...)
}

// natsHostWith is natsHost with NATS options.
func natsHostWith(t testing.TB, url string, nopts []socket.NATSOption, opts ...socket.Option) *socket.Socket {
	t.Helper()
	s := newSocket(t, opts...)
	if err := s.AttachNATS(dialNATS(t, url), nopts...); err != nil {
		t.Fatal(err)
	}
	return s
}

// natsPlugin is a plugin served in this process on its own NATS connection.
type natsPlugin struct {
	p    *plugin.Plugin
	done chan error
}

// serveNATS serves v as the NATS plugin name on a connection of its own to
// url; the test's cleanup stops it.
func serveNATS(t testing.TB, url, name string, v any, opts ...plugin.Option) *natsPlugin {
	t.Helper()
	nc := dialNATS(t, url)
	quiet := plugin.WithLogger(slog.New(slog.DiscardHandler))
	p, err := plugin.New(append([]plugin.Option{quiet}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	np := &natsPlugin{p: p, done: make(chan error, 1)}
	go func() { np.done <- p.StartNATS(v, &plugin.Info{Name: name, Version: "1.0"}, nc) }()
	t.Cleanup(func() {
		np.p.Stop()
		np.wait(t)
	})
	return np
}

// wait returns StartNATS's error once it has returned.
func (np *natsPlugin) wait(t testing.TB) error {
	t.Helper()
	select {
	case err := <-np.done:
		np.done <- err
		return err
	case <-time.After(deadline):
		t.Fatal("NATS plugin did not stop")
		return nil
	}
}
