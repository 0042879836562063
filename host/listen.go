package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// errExposed is the refusal to listen where others can connect unchecked.
var errExposed = errors.New("refusing to listen on a non-loopback address without -token or -tls-cert (pass -insecure to do it anyway)")

// listener is where the host listens for plugins.
type listener struct {
	net.Listener
	// addr is the address plugins dial, as SWITCHBOARD_ADDR spells it:
	// "host:port" or "unix:/path".
	addr string
}

// listen opens the listener the options ask for: TCP or a Unix socket,
// with TLS when a certificate is given. It refuses a non-loopback TCP
// address without a token or TLS unless o.insecure is set.
func listen(o *options) (*listener, error) {
	var tlsConf *tls.Config
	if o.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(o.tlsCert, o.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS key pair: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var (
		l   *listener
		err error
	)
	if path, ok := strings.CutPrefix(o.listen, "unix:"); ok {
		l, err = listenUnix(path)
	} else {
		l, err = listenTCP(o.listen, o.token != "" || tlsConf != nil || o.insecure)
	}
	if err != nil {
		return nil, err
	}
	if tlsConf != nil {
		l.Listener = tls.NewListener(l.Listener, tlsConf)
	}
	return l, nil
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
