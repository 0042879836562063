package scripttest

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/wire"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

// RawPlugin is a hostile plugin: it speaks the wire protocol itself, over a
// real loopback TCP connection, and answers every request with whatever
// bytes its answer function returns, JSON or not, so that tests can send
// the host what the SDK never would.
type RawPlugin struct {
	conn net.Conn
	enc  *wire.Encoder
	done chan struct{}

	mu   sync.Mutex
	seen []string // methods of the requests received, in order
}

// AttachRaw connects a RawPlugin named name, announcing methods, to s over
// TCP (s is served on a new loopback port) and waits until s has
// registered it. Each request is answered with answer(method, payload) as
// the result's bytes. The connection is closed at the end of the test.
func AttachRaw(t testing.TB, s *socket.Socket, name string, methods []string, answer func(method string, payload []byte) []byte) *RawPlugin {
	t.Helper()
	conn, err := net.Dial("tcp", Listen(t, s))
	if err != nil {
		t.Fatal(err)
	}
	p := &RawPlugin{conn: conn, enc: wire.NewEncoder(conn, 10*time.Second), done: make(chan struct{})}
	t.Cleanup(func() {
		_ = conn.Close()
		<-p.done
	})
	fns := map[string]plugin.Function{}
	for _, m := range methods {
		fns[m] = plugin.Function{Name: m}
	}
	if err := p.enc.Send(&wire.Hello[plugin.Function]{Name: name, Version: "1.0", Functions: fns}); err != nil {
		t.Fatal(err)
	}
	go p.serve(answer)
	WaitFor(t, 10*time.Second, func() error {
		if s.PluginInfo(name) == nil {
			return fmt.Errorf("raw plugin %q not registered", name)
		}
		return nil
	})
	return p
}

// serve answers requests until the connection ends or the socket asks the
// plugin to stop.
func (p *RawPlugin) serve(answer func(string, []byte) []byte) {
	defer close(p.done)
	defer p.conn.Close()
	dec := wire.NewDecoder(p.conn, 0)
	for {
		var env wire.Envelope
		if err := dec.DecodeEnvelope(&env); err != nil {
			return
		}
		if env.Method == wire.MethodShutdown {
			return
		}
		if env.Method == wire.MethodCancel {
			continue
		}
		p.mu.Lock()
		p.seen = append(p.seen, env.Method)
		p.mu.Unlock()
		out := wire.Envelope{Seq: env.Seq, Method: env.Method, Payload: answer(env.Method, env.Payload)}
		if err := p.enc.SendEnvelope(&out); err != nil {
			return
		}
	}
}

// Notify sends payload as an async value, as it is.
func (p *RawPlugin) Notify(payload []byte) error {
	if err := p.enc.SendEnvelope(&wire.Envelope{Method: wire.MethodAsync, Payload: payload}); err != nil {
		return fmt.Errorf("raw plugin: sending an async value: %w", err)
	}
	return nil
}

// Seen returns the methods of the requests the plugin has received.
func (p *RawPlugin) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// Deep returns JSON arrays nested n deep.
func Deep(n int) []byte {
	b := make([]byte, 2*n)
	for i := range n {
		b[i], b[2*n-1-i] = '[', ']'
	}
	return b
}

// HostileDepth is how deep the answers of the "bad" plugin SetupHostile
// attaches nest: 3,000,000 levels (6 MB), which overflowed the host's
// stack through goja's JSON.parse.
const HostileDepth = 3_000_000

// SetupHostile is Setup with a RawPlugin named "bad" attached too. Its
// Deep answers arrays nested HostileDepth deep, Text a JSON string holding
// them, Junk and Echo answer bytes that are not JSON, and Emit sends a deep async value and then the async
// value 1 before answering 1.
func SetupHostile(t *testing.T, cfg scripting.Config) *Env {
	t.Helper()
	env := Setup(t, cfg)
	deep := Deep(HostileDepth)
	var bad atomic.Pointer[RawPlugin]
	p := AttachRaw(t, env.Sock, "bad", []string{"Deep", "Text", "Junk", "Echo", "Emit"}, func(method string, _ []byte) []byte {
		switch method {
		case "Deep":
			return deep
		case "Text":
			return []byte(`"` + string(deep) + `"`)
		case "Emit":
			_ = bad.Load().Notify(deep)
			_ = bad.Load().Notify([]byte("1"))
			return []byte("1")
		}
		return []byte(`{"not": json`)
	})
	bad.Store(p)
	return env
}

// smallMessage is the socket's max message in SmallMessages.
const smallMessage = 64 << 10

// SmallMessages is Setup over a socket whose max message is 64 KiB, so
// that tests of the message limit need not build 16 MiB arguments.
func SmallMessages(t *testing.T) *Env {
	t.Helper()
	s := Socket(t, socket.WithMaxMessage(smallMessage))
	Attach(t, s, "echo")
	AttachControl(t, s)
	return NewEnv(t, s, scripting.Config{})
}
