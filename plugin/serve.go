package plugin

import (
	"context"
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
	// EnvAddr is the socket's address: "host:port" for TCP or "unix:/path".
	EnvAddr = "SWITCHBOARD_ADDR"
	// EnvToken is the shared secret, when the socket requires one.
	EnvToken = "SWITCHBOARD_TOKEN"
)

// ErrNoAddress is returned by Serve when SWITCHBOARD_ADDR is not set.
var ErrNoAddress = errors.New("plugin: " + EnvAddr + " is not set")

// Serve is the whole main of a plugin program: it dials the socket named by
// SWITCHBOARD_ADDR ("host:port" or "unix:/path"), sends SWITCHBOARD_TOKEN
// when it is set, and serves v with Start until the socket stops the plugin
// or the process receives SIGINT or SIGTERM, on which it stops cleanly
// (requests in flight are answered first). It is the one function of the SDK
// that reads the environment and handles signals.
func Serve(v any, info *Info, opts ...Option) error {
	addr := os.Getenv(EnvAddr)
	if addr == "" {
		return ErrNoAddress
	}
	if tok := os.Getenv(EnvToken); tok != "" {
		opts = append([]Option{WithToken(tok)}, opts...)
	}
	conn, err := dial(addr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	p := New(opts...)
	go func() {
		<-ctx.Done()
		p.Stop()
	}()
	err = p.Start(v, info, conn, nil)
	stop()
	return err
}

// dial connects to a socket address as SWITCHBOARD_ADDR spells it.
func dial(addr string) (net.Conn, error) {
	network, address := "tcp", addr
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, address = "unix", path
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	conn, err := d.Dial(network, address)
	if err != nil {
		return nil, fmt.Errorf("plugin: dialing %s: %w", addr, err)
	}
	return conn, nil
}
