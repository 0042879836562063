package plugin_test

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/testcert"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// tlsSocket serves a real socket on a TLS listener with the key pair of f
// and returns it with its tls:// address.
func tlsSocket(t *testing.T, f testcert.Files) (*socket.Socket, string) {
	t.Helper()
	s, err := socket.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown("") })
	lis, err := tls.Listen("tcp", "127.0.0.1:0", f.ServerConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(lis)
	return s, "tls://" + lis.Addr().String()
}

// serveInBackground runs plugin.Serve with the environment set by env and
// returns the channel its error arrives on.
func serveInBackground(t *testing.T, env map[string]string) chan error {
	t.Helper()
	for _, k := range []string{plugin.EnvAddr, plugin.EnvToken, plugin.EnvCA, plugin.EnvTLSServerName} {
		t.Setenv(k, env[k])
	}
	done := make(chan error, 1)
	go func() { done <- plugin.Serve(&calc{}, &plugin.Info{Name: "calc"}) }()
	return done
}

func serveResult(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(deadline):
		t.Fatal("Serve did not return")
		return nil
	}
}

// TestServeDialsTLS: Serve dials a tls:// socket, checks its certificate
// against SWITCHBOARD_CA, and serves through it.
func TestServeDialsTLS(t *testing.T) {
	f := testcert.Write(t, "127.0.0.1")
	s, addr := tlsSocket(t, f)
	done := serveInBackground(t, map[string]string{plugin.EnvAddr: addr, plugin.EnvCA: f.CA})
	if !s.WaitFor("calc", deadline) {
		t.Fatalf("the plugin did not connect over TLS: %v", serveResult(t, done))
	}
	got, err := s.Call("", "calc", "Add", Sum{A: 2, B: 3})
	if err != nil || got != 5.0 {
		t.Fatalf("call over TLS: %v, %v", got, err)
	}
	if err := s.Shutdown(""); err != nil {
		t.Fatal(err)
	}
	if err := serveResult(t, done); err != nil {
		t.Fatalf("Serve = %v after a stop request", err)
	}
}

// TestServeTLSServerName: a certificate for a name, not for the address
// dialled, is accepted only when SWITCHBOARD_TLS_SERVER_NAME names it.
func TestServeTLSServerName(t *testing.T) {
	f := testcert.Write(t, "switchboard.test")
	s, addr := tlsSocket(t, f)
	done := serveInBackground(t, map[string]string{plugin.EnvAddr: addr, plugin.EnvCA: f.CA})
	var verr *tls.CertificateVerificationError
	if err := serveResult(t, done); !errors.As(err, &verr) || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Serve with a certificate for another name = %v; want a verification error naming %s", err, addr)
	}
	done = serveInBackground(t, map[string]string{plugin.EnvAddr: addr, plugin.EnvCA: f.CA,
		plugin.EnvTLSServerName: "switchboard.test"})
	if !s.WaitFor("calc", deadline) {
		t.Fatalf("the plugin did not connect with the server name set: %v", serveResult(t, done))
	}
	s.Unplug("", "calc")
	if err := serveResult(t, done); err != nil {
		t.Fatalf("Serve = %v after Unplug", err)
	}
}

// TestServeTLSRefusesUnknownAuthority: without the right CA the handshake
// fails and Serve says why; it never falls back to an unverified connection.
func TestServeTLSRefusesUnknownAuthority(t *testing.T) {
	f := testcert.Write(t, "127.0.0.1")
	other := testcert.Write(t, "127.0.0.1")
	_, addr := tlsSocket(t, f)
	for name, ca := range map[string]string{"system roots": "", "another CA": other.CA} {
		t.Run(name, func(t *testing.T) {
			err := serveResult(t, serveInBackground(t, map[string]string{plugin.EnvAddr: addr, plugin.EnvCA: ca}))
			var verr *tls.CertificateVerificationError
			if !errors.As(err, &verr) {
				t.Fatalf("Serve = %v; want a certificate verification error", err)
			}
		})
	}
}

func TestServeTLSBadCAFile(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing listens: the CA is read before dialling.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "tls://" + lis.Addr().String()
	lis.Close()
	for ca, want := range map[string]string{
		filepath.Join(t.TempDir(), "missing.pem"): "reading " + plugin.EnvCA,
		notPEM: "no PEM certificate",
	} {
		err := serveResult(t, serveInBackground(t, map[string]string{plugin.EnvAddr: addr, plugin.EnvCA: ca}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CA %s: Serve = %v; want an error saying %q", ca, err, want)
		}
	}
}

// TestServeChecksOptionsFirst: a bad option is Serve's error before it
// dials (the address leads nowhere, so a dial would fail differently).
func TestServeChecksOptionsFirst(t *testing.T) {
	t.Setenv(plugin.EnvAddr, "unix:"+filepath.Join(t.TempDir(), "none.sock"))
	t.Setenv(plugin.EnvToken, "")
	err := plugin.Serve(&calc{}, &plugin.Info{Name: "calc"}, plugin.WithLogger(nil))
	if !errors.Is(err, plugin.ErrInvalidOption) {
		t.Fatalf("Serve = %v, want an error wrapping ErrInvalidOption", err)
	}
}
