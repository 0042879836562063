package socket_test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/internal/testcert"
	"github.com/switchboard-rpc/switchboard/socket"
)

// A JSON-RPC plugin dials a TLS listener (the certificate verified against
// the test authority, as plugins verify SWITCHBOARD_CA), registers, is
// called and sends an async value, in both framings.
func TestJSONRPCOverTLS(t *testing.T) {
	f := testcert.Write(t, "127.0.0.1")
	pem, err := os.ReadFile(f.CA)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatal("the test CA does not parse")
	}
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		rec := newRecorder()
		s := newSocket(t, socket.WithObserver(rec))
		lis, err := tls.Listen("tcp", "127.0.0.1:0", f.ServerConfig(t))
		if err != nil {
			t.Fatal(err)
		}
		s.Serve(lis)
		nc, err := tls.Dial("tcp", lis.Addr().String(), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatal(err)
		}
		exerciseJSONRPC(t, s, rec, newJPeer(t, nc, fr), "tcp")
	})
}

// The same over a Unix socket.
func TestJSONRPCOverUnix(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		// A short path: t.TempDir's can pass the 108 bytes a Unix
		// socket's path may have.
		dir, err := os.MkdirTemp("", "sbj")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		path := filepath.Join(dir, "s.sock")
		rec := newRecorder()
		s := newSocket(t, socket.WithObserver(rec))
		lis, err := net.Listen("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		s.Serve(lis)
		nc, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		exerciseJSONRPC(t, s, rec, newJPeer(t, nc, fr), "unix")
	})
}

// exerciseJSONRPC registers p as "py", calls it twice (the second time
// with a payload of 1 MiB, more than a socket buffer takes at once, so
// that both directions wait for the other side to read) and has it send an
// async value before its first answer; the observer must see a JSON-RPC
// plugin over network.
func exerciseJSONRPC(t *testing.T, s *socket.Socket, rec *recorder, p *jpeer, network string) {
	t.Helper()
	async := make(chan socket.AsyncData, 1)
	defer s.Subscribe(socket.Handlers{Direct: true, Async: func(a socket.AsyncData) {
		a.Raw = append([]byte(nil), a.Raw...)
		async <- a
	}})()
	p.mustRegister("py", nil)
	if info := s.PluginInfo("py"); info == nil || info.Functions["echo"].Name != "echo" {
		t.Fatalf("description %+v", info)
	}
	big := strings.Repeat("x", 1<<20)
	go func() {
		req, _ := p.read()
		p.write(msg{"jsonrpc": "2.0", "method": "$/async", "params": []any{msg{"n": 1}}})
		p.answer(req, strings.ToUpper(param(t, req).(string)))
		req, _ = p.read()
		p.answer(req, param(t, req))
	}()
	if out, err := s.Call("t1", "py", "echo", "hi"); err != nil || out != "HI" {
		t.Fatalf("call: %v, %v", out, err)
	}
	if a := recv(t, async); a.Name != "py" || string(a.Raw) != `{"n":1}` {
		t.Errorf("async value %s from %s", a.Raw, a.Name)
	}
	if out, err := s.Call("t2", "py", "echo", big); err != nil || out != big {
		t.Fatalf("call with 1 MiB: %d bytes, %v", len(out.(string)), err)
	}
	calls, _, peers := rec.snapshot()
	if len(peers) != 1 || peers[0].Protocol != "jsonrpc" || peers[0].Network != network {
		t.Errorf("connected %+v, want a jsonrpc plugin over %s", peers, network)
	}
	if len(calls) != 2 || calls[0].Err != nil || calls[1].Err != nil {
		t.Errorf("calls observed %+v", calls)
	}
}
