package plugin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Environment variables read by Serve. The switchboard host sets them for the
// plugins it spawns.
const (
	// EnvAddr is the socket's address: "host:port" for TCP, "unix:/path"
	// for a Unix socket, "tls://host:port" for TLS over TCP, or
	// "nats://host:4222[,nats://...]" for a NATS system (docs/nats.md).
	EnvAddr = "SWITCHBOARD_ADDR"
	// EnvToken is the shared secret, when the socket requires one.
	EnvToken = "SWITCHBOARD_TOKEN"
	// EnvCA names a PEM file of the certificate authorities (or the
	// self-signed certificate) that a tls:// socket's certificate must
	// chain to. Without it the system's roots are used.
	EnvCA = "SWITCHBOARD_CA"
	// EnvTLSServerName is the name the tls:// socket's certificate must be
	// valid for, when it is not the host part of the address (a
	// certificate for "switchboard.internal" dialled at 10.0.0.7, say).
	EnvTLSServerName = "SWITCHBOARD_TLS_SERVER_NAME"
)

// tlsScheme prefixes a SWITCHBOARD_ADDR that is dialled with TLS.
const tlsScheme = "tls://"

// dialTimeout bounds connecting to the socket, the TLS handshake included.
const dialTimeout = 10 * time.Second

// ErrNoAddress is returned by Serve when SWITCHBOARD_ADDR is not set.
var ErrNoAddress = errors.New("plugin: " + EnvAddr + " is not set")

// Serve is the whole main of a plugin program: it dials the socket named by
// SWITCHBOARD_ADDR, sends SWITCHBOARD_TOKEN when it is set, and serves v with
// Start until the socket stops the plugin or the process receives SIGINT or
// SIGTERM, on which it stops cleanly (requests in flight are answered
// first). It is the one function of the SDK that reads the environment and
// handles signals.
//
// SWITCHBOARD_ADDR is "host:port" (TCP), "unix:/path" (a Unix socket) or
// "tls://host:port" (TLS over TCP, at least TLS 1.2). For TLS the socket's
// certificate is verified against the authorities in the PEM file named by
// SWITCHBOARD_CA (the system's roots when it is not set) and must be valid
// for SWITCHBOARD_TLS_SERVER_NAME, or for the host of the address when that
// is not set. Serve never skips verification; a failed handshake is returned
// as an error. The switchboard host sets all of these for the plugins it
// spawns.
//
// SWITCHBOARD_ADDR may also be a comma-separated list of nats:// URLs
// (with user:password@ or token@ where the servers need them): the plugin
// is then served as a NATS micro service with StartNATS, which any host on
// that NATS system can call. SWITCHBOARD_CA then makes the connection TLS,
// and SWITCHBOARD_NATS_CREDS names a credentials file.
//
// opts configure the Plugin as New's do (SWITCHBOARD_TOKEN comes first, so
// WithToken overrides it); an invalid one is returned, wrapping
// ErrInvalidOption, before anything is dialled.
func Serve(v any, info *Info, opts ...Option) error {
	addr := os.Getenv(EnvAddr)
	if addr == "" {
		return ErrNoAddress
	}
	if tok := os.Getenv(EnvToken); tok != "" {
		opts = append([]Option{WithToken(tok)}, opts...)
	}
	p, err := New(opts...)
	if err != nil {
		return err
	}
	if isNATS(addr) {
		return serveNATS(p, v, info, addr)
	}
	conn, err := dial(addr, os.Getenv(EnvCA), os.Getenv(EnvTLSServerName))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		p.Stop()
	}()
	err = p.Start(v, info, conn, nil)
	stop()
	return err
}

// dial connects to a socket address as SWITCHBOARD_ADDR spells it; caFile and
// serverName configure a tls:// address.
func dial(addr, caFile, serverName string) (net.Conn, error) {
	d := &net.Dialer{Timeout: dialTimeout}
	if hostport, ok := strings.CutPrefix(addr, tlsScheme); ok {
		conf, err := clientTLS(hostport, caFile, serverName)
		if err != nil {
			return nil, fmt.Errorf("plugin: dialing %s: %w", addr, err)
		}
		td := &tls.Dialer{NetDialer: d, Config: conf}
		conn, err := td.Dial("tcp", hostport) // handshakes, within the timeout
		if err != nil {
			return nil, fmt.Errorf("plugin: dialing %s: %w", addr, err)
		}
		return conn, nil
	}
	network, address := "tcp", addr
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, address = "unix", path
	}
	conn, err := d.Dial(network, address)
	if err != nil {
		return nil, fmt.Errorf("plugin: dialing %s: %w", addr, err)
	}
	return conn, nil
}

// clientTLS is the TLS configuration for dialling hostport.
func clientTLS(hostport, caFile, serverName string) (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if serverName == "" {
		host, _, err := net.SplitHostPort(hostport)
		if err != nil {
			return nil, err
		}
		conf.ServerName = host
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", EnvCA, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate in %s", EnvCA, caFile)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}
