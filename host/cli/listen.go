package cli

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// errExposed is the refusal to listen where others can connect unchecked.
var errExposed = errors.New("refusing to listen on a non-loopback address without -token or -tls-cert (pass -insecure to do it anyway)")

// listener is where the host listens for plugins.
type listener struct {
	net.Listener
	// addr is the address plugins dial, as SWITCHBOARD_ADDR spells it:
	// "host:port", "unix:/path" or "tls://host:port".
	addr string
	// env is what spawned plugins need besides the address and the token
	// to dial it: for TLS, the certificate to trust (SWITCHBOARD_CA) and,
	// when the certificate is not valid for the address's host, the name
	// to check it against (SWITCHBOARD_TLS_SERVER_NAME).
	env map[string]string
}

// listen opens the listener the options ask for: TCP or a Unix socket,
// with TLS when a certificate is given. It refuses a non-loopback TCP
// address without a token or TLS unless o.insecure is set.
func listen(o *options) (*listener, error) {
	var (
		tlsConf *tls.Config
		leaf    *x509.Certificate
	)
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS key pair: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		leaf = cert.Leaf
	}
	var (
		l   *listener
		err error
	)
	if path, ok := strings.CutPrefix(o.listen, "unix:"); ok {
		if tlsConf != nil {
			return nil, errors.New("-tls-cert needs a TCP -listen address: plugins do not dial TLS over a Unix socket (which is private to its owner already)")
		}
		l, err = listenUnix(path)
	} else {
		l, err = listenTCP(o.listen, o.token != "" || tlsConf != nil || o.insecure)
	}
	if err != nil {
		return nil, err
	}
	if tlsConf != nil {
		l.Listener = tls.NewListener(l.Listener, tlsConf)
		if err := l.trustFor(o.tlsCert, leaf); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// trustFor makes l's address a tls:// one and tells spawned plugins to
// trust the host's own certificate file (a self-signed certificate is its
// own authority; Go also trusts a leaf found among the roots), checked
// against the address's host or, when the certificate is not valid for it,
// against the certificate's first DNS name (or IP address).
func (l *listener) trustFor(certFile string, leaf *x509.Certificate) error {
	ca, err := filepath.Abs(certFile)
	if err != nil {
		return fmt.Errorf("TLS certificate: %w", err)
	}
	l.env = map[string]string{plugin.EnvCA: ca}
	host, _, err := net.SplitHostPort(l.addr)
	if err != nil {
		return err
	}
	if leaf != nil && leaf.VerifyHostname(host) != nil {
		switch {
		case len(leaf.DNSNames) > 0:
			l.env[plugin.EnvTLSServerName] = leaf.DNSNames[0]
		case len(leaf.IPAddresses) > 0:
			l.env[plugin.EnvTLSServerName] = leaf.IPAddresses[0].String()
		}
	}
	l.addr = "tls://" + l.addr
	return nil
}

// listenTCP listens on a TCP address; guarded says a token, TLS or
// -insecure allows a non-loopback one.
func listenTCP(addr string, guarded bool) (*listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("bad -listen address %q: %w", addr, err)
	}
	if !guarded && !isLoopback(host) {
		return nil, fmt.Errorf("%w: %s", errExposed, addr)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	return &listener{Listener: lis, addr: dialAddr(lis.Addr().(*net.TCPAddr))}, nil
}

// isLoopback reports whether host names only the loopback interface.
// An empty host means every interface; a host name other than localhost
// could resolve anywhere, so it counts as exposed.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dialAddr is the address a local plugin dials to reach a TCP listener:
// a listener on every interface (dual-stack) is reached on 127.0.0.1.
func dialAddr(a *net.TCPAddr) string {
	ip := a.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(a.Port))
}

// listenUnix listens on a Unix socket only its owner may use (mode 0600).
// A stale socket file that nobody listens on is removed first.
func listenUnix(path string) (*listener, error) {
	if path == "" {
		return nil, errors.New("bad -listen address: unix: needs a path")
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("listening: %s is in use", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("removing stale socket: %w", err)
		}
	}
	lis, err := listenPrivate(path)
	if err != nil {
		return nil, fmt.Errorf("listening: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		lis.Close()
		return nil, fmt.Errorf("listening: %w", err)
	}
	return &listener{Listener: lis, addr: "unix:" + path}, nil
}
