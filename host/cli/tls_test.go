package cli

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/testcert"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// writeKeyPair writes a certificate for 127.0.0.1 and its key.
func writeKeyPair(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	f := testcert.Write(t, "127.0.0.1")
	return f.Cert, f.Key
}

func TestListenTLS(t *testing.T) {
	certFile, keyFile := writeKeyPair(t)
	// TLS alone allows a non-loopback address.
	l, err := listen(&options{listen: "0.0.0.0:0", tlsCert: certFile, tlsKey: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			err = c.(*tls.Conn).Handshake()
			c.Close()
		}
		accepted <- err
	}()
	// Spawned plugins are told to dial with TLS and to trust the certificate.
	hostport, ok := strings.CutPrefix(l.addr, "tls://")
	if !ok || l.env[plugin.EnvCA] != certFile {
		t.Errorf("plugins are told to dial %q trusting %q", l.addr, l.env[plugin.EnvCA])
	}
	c, err := tls.Dial("tcp", hostport, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS dial: %v", err)
	}
	c.Close()
	if err := <-accepted; err != nil {
		t.Fatalf("server side: %v", err)
	}
}
