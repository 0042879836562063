package socket_test

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
)

// framings are the two framings every JSON-RPC test runs in.
var framings = []jsonrpc.Framing{jsonrpc.Lines, jsonrpc.Headers}

// jpeer is a raw JSON-RPC 2.0 plugin written in the test: it writes and
// reads messages itself over a real connection, with no code of the socket.
type jpeer struct {
	t  testing.TB
	nc net.Conn
	rd *jsonrpc.Reader
	f  jsonrpc.Framing
}

func dialJSON(t testing.TB, addr string, f jsonrpc.Framing) *jpeer {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return newJPeer(t, nc, f)
}

// newJPeer is a jpeer over nc, which the test's cleanup closes.
func newJPeer(t testing.TB, nc net.Conn, f jsonrpc.Framing) *jpeer {
	t.Cleanup(func() { nc.Close() })
	return &jpeer{t: t, nc: nc, rd: jsonrpc.NewReader(nc, 64<<20), f: f}
}

// msg is a message as the peer writes or reads it.
type msg = map[string]any

func (p *jpeer) write(m msg) {
	p.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		p.t.Fatal(err)
	}
	p.writeRaw(jsonrpc.Append(nil, p.f, b))
}

func (p *jpeer) writeRaw(b []byte) {
	p.t.Helper()
	_ = p.nc.SetWriteDeadline(time.Now().Add(deadline))
	if _, err := p.nc.Write(b); err != nil {
		p.t.Fatal(err)
	}
}

// read returns the next message from the host, with the raw bytes.
func (p *jpeer) read() (msg, []byte) {
	p.t.Helper()
	_ = p.nc.SetReadDeadline(time.Now().Add(deadline))
	b, err := p.rd.Read()
	if err != nil {
		p.t.Fatalf("reading from the host: %v", err)
	}
	if p.rd.Framing() != p.f {
		p.t.Fatalf("host answered in the %v framing, the peer speaks %v", p.rd.Framing(), p.f)
	}
	var m msg
	if err := json.Unmarshal(b, &m); err != nil {
		p.t.Fatalf("host sent %q: %v", b, err)
	}
	return m, append([]byte(nil), b...)
}

// readEOF waits for the host to close the connection.
func (p *jpeer) readEOF() {
	p.t.Helper()
	_ = p.nc.SetReadDeadline(time.Now().Add(deadline))
	b, err := p.rd.Read()
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		var ne net.Error
		if !errors.As(err, &ne) || ne.Timeout() {
			p.t.Fatalf("read %q, %v; want the connection closed", b, err)
		}
	}
}

// register sends the registration (fields added to name's) and returns
// the host's answer.
func (p *jpeer) register(name string, extra msg) msg {
	p.t.Helper()
	params := msg{"name": name, "version": "1.0", "functions": msg{
		"echo": msg{"input": msg{"type": "any"}, "output": msg{"type": "any"}},
	}}
	for k, v := range extra {
		params[k] = v
	}
	p.write(msg{"jsonrpc": "2.0", "id": 1, "method": "register", "params": params})
	m, _ := p.read()
	return m
}

// mustRegister registers and fails the test unless the host accepted.
func (p *jpeer) mustRegister(name string, extra msg) {
	p.t.Helper()
	m := p.register(name, extra)
	res, _ := m["result"].(msg)
	if m["id"] != 1.0 || res["name"] != name {
		p.t.Fatalf("registration answered %v", m)
	}
}

// answer sends a response to the request req.
func (p *jpeer) answer(req msg, result any) {
	p.t.Helper()
	p.write(msg{"jsonrpc": "2.0", "id": req["id"], "result": result})
}

// fail sends an error response to req.
func (p *jpeer) fail(req msg, code int, message string) {
	p.t.Helper()
	p.write(msg{"jsonrpc": "2.0", "id": req["id"], "error": msg{"code": code, "message": message}})
}

// param returns the one payload of a request, checking that params is a
// one-element array as docs/jsonrpc.md says.
func param(t testing.TB, req msg) any {
	t.Helper()
	list, ok := req["params"].([]any)
	if !ok || len(list) != 1 {
		t.Fatalf("params of %v are not a one-element array", req)
	}
	return list[0]
}

// forFramings runs f once per framing.
func forFramings(t *testing.T, f func(t *testing.T, fr jsonrpc.Framing)) {
	for _, fr := range framings {
		t.Run(fr.String(), func(t *testing.T) { f(t, fr) })
	}
}
