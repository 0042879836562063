package plugin

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/nats-io/nats.go"
)

// EnvNATSCreds names a NATS credentials file (a user JWT and its nkey
// seed) that Serve uses for a nats:// SWITCHBOARD_ADDR.
const EnvNATSCreds = "SWITCHBOARD_NATS_CREDS"

// natsScheme prefixes a SWITCHBOARD_ADDR that names NATS servers.
const natsScheme = "nats://"

// isNATS reports whether a SWITCHBOARD_ADDR names NATS servers.
func isNATS(addr string) bool { return strings.HasPrefix(addr, natsScheme) }

// serveNATS is Serve for a nats:// address: a comma-separated list of
// server URLs, with user:password@ or token@ when the servers want them.
// SWITCHBOARD_CA, when set, is the authority a TLS server's certificate
// must chain to (and makes the connection TLS); SWITCHBOARD_NATS_CREDS
// names a credentials file.
func serveNATS(p *Plugin, v any, info *Info, addr string) error {
	opts := []nats.Option{
		nats.Name("switchboard plugin " + info.Name),
		nats.MaxReconnects(-1),
	}
	if ca := os.Getenv(EnvCA); ca != "" {
		opts = append(opts, nats.RootCAs(ca))
	}
	if creds := os.Getenv(EnvNATSCreds); creds != "" {
		opts = append(opts, nats.UserCredentials(creds))
	}
	nc, err := nats.Connect(addr, opts...)
	if err != nil {
		return fmt.Errorf("plugin: connecting to NATS at %s: %w", redact(addr), err)
	}
	defer nc.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		p.Stop()
	}()
	err = p.StartNATS(v, info, nc)
	stop()
	return err
}

// redact drops the user information of every URL in a list, for messages.
func redact(addr string) string {
	urls := strings.Split(addr, ",")
	for i, u := range urls {
		if at := strings.LastIndexByte(u, '@'); at >= 0 {
			scheme, _, _ := strings.Cut(u, "://")
			urls[i] = scheme + "://" + u[at+1:]
		}
	}
	return strings.Join(urls, ",")
}
