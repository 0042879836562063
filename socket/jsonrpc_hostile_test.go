package socket_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Before registration, bytes that are not a JSON-RPC registration, a line
// or a Content-Length past the message limit, and a malformed header are
// refused with an error response saying why, and counted.
func TestJSONRPCRefusesGarbageAndOversizedRegistrations(t *testing.T) {
	cases := []struct{ send, want string }{
		{"{ garbage }\n", "not JSON"},
		{"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"register\",\"params\":{\"name\":\"" + strings.Repeat("x", 2000) + "\"}}\n", "too large"},
		{"Content-Length: 5000\r\n\r\n", "too large"},
		{"Content-Length: many\r\n\r\n{}", "not a length"},
		{"Content-Type: x\r\n\r\n{}", "without Content-Length"},
		{"Content-Length: 2\r\n" + strings.Repeat("X-Filler: 1\r\n", 20) + "\r\n{}", "header lines"},
		{"Content-Length: " + strings.Repeat("1", 2000) + "\r\n\r\n", "header line longer"},
		{"  [1,2]\n", "register"},
		{"{\"jsonrpc\":\"2.0\",\"method\":\"register\",\"params\":{\"name\":\"n\"}}\n", "register"},
	}
	s := newSocket(t, socket.WithMaxMessage(1024))
	addr := listen(t, s)
	for i, c := range cases {
		p := dialJSON(t, addr, jsonrpc.Lines)
		p.writeRaw([]byte(c.send))
		p.f = jsonrpc.Unknown
		_ = p.nc.SetReadDeadline(time.Now().Add(deadline))
		b, err := p.rd.Read()
		if err != nil || !strings.Contains(string(b), `"error"`) || !strings.Contains(string(b), c.want) {
			t.Fatalf("case %d %.40q: host answered %q, %v; want an error saying %q", i, c.send, b, err, c.want)
		}
		p.readEOF()
		if got := s.Stats().Refused; got != uint64(i+1) {
			t.Fatalf("case %d: refused %d", i, got)
		}
	}
	if len(s.Connected(false)) != 0 {
		t.Fatal("a plugin registered")
	}
}

// A registered plugin that sends garbage, a message past the limit or a
// broken header is disconnected, and the call pending on it fails.
func TestJSONRPCGarbageAfterRegistration(t *testing.T) {
	for _, bad := range []struct {
		f    jsonrpc.Framing
		send string
	}{
		{jsonrpc.Lines, "not json at all\n"},
		{jsonrpc.Lines, "{\"jsonrpc\":\"2.0\",\"method\":\"$/async\",\"params\":[\"" + strings.Repeat("y", 3000) + "\"]}\n"},
		{jsonrpc.Headers, "Content-Length: 3000\r\n\r\n"},
		{jsonrpc.Headers, "Content-Length: 5\r\n\r\n{\"a\":"},
		{jsonrpc.Lines, "{\"jsonrpc\":\"2.0\"}\n"},
	} {
		s := newSocket(t, socket.WithMaxMessage(2048))
		gone := make(chan bool, 1)
		s.OnDisconnect(func(_ *plugin.Info, graceful bool) { gone <- graceful })
		p := dialJSON(t, listen(t, s), bad.f)
		p.mustRegister("py", nil)
		done := make(chan error, 1)
		go func() {
			_, err := s.Call("", "py", "work", nil)
			done <- err
		}()
		p.read()
		p.writeRaw([]byte(bad.send))
		if err := recv(t, done); err == nil || !strings.Contains(err.Error(), "py.work") {
			t.Fatalf("%.30q: call returned %v", bad.send, err)
		}
		if recv(t, gone) {
			t.Fatalf("%.30q: graceful", bad.send)
		}
	}
}

// A connection that says nothing, or starts a registration and stops, is
// refused after the handshake timeout.
func TestJSONRPCSilentConnections(t *testing.T) {
	var logs logBuffer
	s := newSocket(t, socket.WithHandshakeTimeout(100*time.Millisecond), socket.WithLogger(logs.logger()))
	addr := listen(t, s)
	silent := dialJSON(t, addr, jsonrpc.Lines)
	silent.readEOF()
	partial := dialJSON(t, addr, jsonrpc.Lines)
	partial.writeRaw([]byte(`{"jsonrpc":"2.0","id":1,"meth`))
	m, _ := partial.read()
	if e, _ := m["error"].(map[string]any); e == nil || !strings.Contains(e["message"].(string), "no registration within 100ms") {
		t.Fatalf("answered %v", m)
	}
	partial.readEOF()
	checkFor(t, func() bool { return s.Stats().Refused == 2 }, "two refusals, have %d", s.Stats().Refused)
	logs.waitLog(t, "no handshake within 100ms")
}

// The registrations being read are charged to the pre-authentication
// budget: while one holds all of it another is refused, and the charge is
// given back once the first has registered.
func TestJSONRPCPreAuthBudget(t *testing.T) {
	const limit = 1 << 16
	s := newSocket(t, socket.WithMaxMessage(limit), socket.WithPreAuthBudget(limit))
	addr := listen(t, s)
	a := dialJSON(t, addr, jsonrpc.Lines)
	pad := strings.Repeat("v", 40000)
	a.writeRaw([]byte(`{"jsonrpc":"2.0","id":1,"method":"register","params":{"name":"a","version":"` + pad))
	checkFor(t, func() bool { return s.Stats().PreAuthBytes == limit }, "the budget to fill, have %d", s.Stats().PreAuthBytes)
	b := dialJSON(t, addr, jsonrpc.Lines)
	b.writeRaw([]byte(`{"jsonrpc":"2.0","id":1,"method":"register","params":{"name":"b","version":"` + pad + `"}}` + "\n"))
	m, _ := b.read()
	if e, _ := m["error"].(map[string]any); e == nil || !strings.Contains(fmt.Sprint(e["message"]), "budget") {
		t.Fatalf("b answered %v", m)
	}
	a.writeRaw([]byte(`"}}` + "\n"))
	if m, _ := a.read(); m["result"] == nil {
		t.Fatalf("a answered %v", m)
	}
	if got := s.Stats().PreAuthBytes; got != 0 {
		t.Fatalf("%d bytes still charged", got)
	}
}
