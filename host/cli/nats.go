package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// natsOptions are the flags that put the host on a NATS system
// (docs/nats.md).
type natsOptions struct {
	urls    string // -nats: servers to join
	creds   string
	ca      string
	listen  string // -nats-listen: an embedded server's client address
	cluster string // -nats-cluster: its route listener
	routes  string // -nats-routes: other servers' route listeners
	spawn   bool   // spawned plugins serve over NATS
}

// setNATSFlags registers the NATS flags of run and repl.
func setNATSFlags(fs *flag.FlagSet, o *natsOptions) {
	fs.StringVar(&o.urls, "nats", "",
		"join the NATS servers `url[,url...]` (nats://[user:pass@|token@]host:4222) and reach the plugins served there")
	fs.StringVar(&o.creds, "nats-creds", "", "authenticate to NATS with the credentials `file` (user JWT and nkey seed)")
	fs.StringVar(&o.ca, "nats-ca", "", "connect to NATS with TLS, trusting the CA certificates in `file`")
	fs.StringVar(&o.listen, "nats-listen", "",
		"run a NATS server in the host on `addr` (host:port, loopback when the host is left out) and join it")
	fs.StringVar(&o.cluster, "nats-cluster", "",
		"let other hosts' NATS servers route to this one's on `addr` (with -nats-listen)")
	fs.StringVar(&o.routes, "nats-routes", "",
		"route this host's NATS server to the others' `url[,url...]` (nats://host:port of their -nats-cluster)")
	fs.BoolVar(&o.spawn, "nats-spawn", false,
		"spawned plugins serve over NATS (their SWITCHBOARD_ADDR is the NATS URL) instead of dialling the host")
}

// check tells the flags that do not go together.
func (o *natsOptions) check() error {
	switch {
	case o.urls != "" && o.listen != "":
		return errors.New("-nats and -nats-listen do not go together: join servers, or run one")
	case (o.cluster != "" || o.routes != "") && o.listen == "":
		return errors.New("-nats-cluster and -nats-routes need -nats-listen")
	case (o.creds != "" || o.ca != "") && o.urls == "":
		return errors.New("-nats-creds and -nats-ca go with -nats")
	case o.spawn && o.urls == "" && o.listen == "":
		return errors.New("-nats-spawn needs -nats or -nats-listen")
	}
	return nil
}

func (o *natsOptions) enabled() bool { return o.urls != "" || o.listen != "" }

// natsSession is the host's part of a NATS system: its connection and,
// with -nats-listen, the server it runs.
type natsSession struct {
	srv *server.Server
	nc  *nats.Conn
	url string // what spawned plugins connect to
}

// openNATS runs the embedded server when asked, connects, and attaches
// sock. exposed says whether a non-loopback address is allowed. The
// connection's asynchronous errors are written to errw (natsErrors).
func openNATS(o *natsOptions, sock *socket.Socket, log *slog.Logger, errw io.Writer, exposed bool) (*natsSession, error) {
	ns := &natsSession{url: o.urls}
	if o.listen != "" {
		srv, err := startNATSServer(o, exposed)
		if err != nil {
			return nil, err
		}
		ns.srv, ns.url = srv, srv.ClientURL()
		if a, ok := srv.Addr().(*net.TCPAddr); ok {
			ns.url = "nats://" + dialAddr(a) // 127.0.0.1 for a server on every interface
		}
		log.Debug("NATS server running", "url", ns.url)
	}
	opts := []nats.Option{nats.Name("switchboard host"), nats.MaxReconnects(-1), nats.ReconnectWait(250 * time.Millisecond),
		nats.ErrorHandler(natsErrors(errw))}
	if o.creds != "" {
		opts = append(opts, nats.UserCredentials(o.creds))
	}
	if o.ca != "" {
		opts = append(opts, nats.RootCAs(o.ca))
	}
	nc, err := nats.Connect(ns.url, opts...)
	if err != nil {
		ns.close()
		return nil, fmt.Errorf("connecting to NATS: %w", err)
	}
	ns.nc = nc
	if err := sock.AttachNATS(nc); err != nil {
		ns.close()
		return nil, err
	}
	return ns, nil
}

// natsErrors returns the handler of a connection's asynchronous errors (a
// subscription the server refuses, a slow consumer): it writes each on a
// line of w, in the words nats.go's default handler writes to os.Stderr,
// so that w (the session's progress, hence the REPL's screen while it
// prompts) decides where it goes.
func natsErrors(w io.Writer) nats.ErrHandler {
	return func(nc *nats.Conn, sub *nats.Subscription, err error) {
		cid, _ := nc.GetClientID()
		if sub != nil {
			fmt.Fprintf(w, "%s on connection [%d] for subscription on %q\n", err, cid, sub.Subject)
			return
		}
		fmt.Fprintf(w, "%s on connection [%d]\n", err, cid)
	}
}

// spawnEnv is what spawned plugins get to serve over NATS.
func (ns *natsSession) spawnEnv(o *natsOptions) (map[string]string, error) {
	env := map[string]string{plugin.EnvAddr: ns.url}
	for key, file := range map[string]string{plugin.EnvCA: o.ca, plugin.EnvNATSCreds: o.creds} {
		if file == "" {
			continue
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, err
		}
		env[key] = abs
	}
	return env, nil
}

// close disconnects and stops the embedded server, if any. It is safe on
// a nil session.
func (ns *natsSession) close() {
	if ns == nil {
		return
	}
	if ns.nc != nil {
		ns.nc.Close()
	}
	if ns.srv != nil {
		ns.srv.Shutdown()
		ns.srv.WaitForShutdown()
	}
}

// startNATSServer starts the embedded NATS server -nats-listen asks for.
func startNATSServer(o *natsOptions, exposed bool) (*server.Server, error) {
	host, port, err := splitListen("-nats-listen", o.listen, exposed)
	if err != nil {
		return nil, err
	}
	so := &server.Options{ServerName: "switchboard-" + strconv.Itoa(port), Host: host, Port: port, NoLog: true, NoSigs: true}
	if port == 0 {
		so.Port = server.RANDOM_PORT
		so.ServerName = ""
	}
	if o.cluster != "" || o.routes != "" {
		so.Cluster.Name = "switchboard"
		so.Cluster.Host, so.Cluster.Port = "127.0.0.1", server.RANDOM_PORT
		if o.cluster != "" {
			h, p, err := splitListen("-nats-cluster", o.cluster, exposed)
			if err != nil {
				return nil, err
			}
			so.Cluster.Host, so.Cluster.Port = h, p
		}
		for _, r := range strings.Split(o.routes, ",") {
			if r = strings.TrimSpace(r); r == "" {
				continue
			}
			u, err := url.Parse(r)
			if err != nil || u.Host == "" {
				return nil, fmt.Errorf("bad -nats-routes URL %q", r)
			}
			so.Routes = append(so.Routes, u)
		}
	}
	srv, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("starting the NATS server: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("the NATS server did not start on %s", o.listen)
	}
	return srv, nil
}

// splitListen reads a host:port (or :port, or port) to listen on; no host
// means loopback, and another host than loopback needs exposed.
func splitListen(flagName, addr string, exposed bool) (string, int, error) {
	if !strings.Contains(addr, ":") {
		addr = ":" + addr
	}
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("bad %s address %q: %w", flagName, addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad %s port %q", flagName, p)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if !exposed && !isLoopback(host) {
		return "", 0, fmt.Errorf("%w: %s %s", errExposed, flagName, addr)
	}
	return host, port, nil
}

// joinNATS puts the host on the NATS system the flags name, if any (nil
// without); with -nats-spawn, what spawned plugins get in their
// environment (lis.env) then points them at it. On failure nothing is left
// open.
func joinNATS(o *options, sock *socket.Socket, lis *listener, log *slog.Logger, errw io.Writer) (*natsSession, error) {
	no := &o.nats
	if !no.enabled() {
		return nil, nil
	}
	ns, err := openNATS(no, sock, log, errw, o.token != "" || o.insecure)
	if err != nil {
		return nil, err
	}
	if no.spawn {
		env, err := ns.spawnEnv(no)
		if err != nil {
			ns.close()
			return nil, err
		}
		if lis.env == nil {
			lis.env = map[string]string{}
		}
		// The listener's TLS settings are not the NATS servers'.
		delete(lis.env, plugin.EnvCA)
		delete(lis.env, plugin.EnvTLSServerName)
		for k, v := range env {
			lis.env[k] = v
		}
	}
	return ns, nil
}

// banner is what the REPL's first line says of NATS: where the plugins
// serving there connect, or nothing without NATS.
func (ns *natsSession) banner() string {
	if ns == nil {
		return ""
	}
	return " or serve on NATS at " + redactURLs(ns.url)
}

// redactURLs drops the user information of each URL in a list.
func redactURLs(list string) string {
	urls := strings.Split(list, ",")
	for i, u := range urls {
		if p, err := url.Parse(strings.TrimSpace(u)); err == nil && p.User != nil {
			p.User = nil
			urls[i] = p.String()
		}
	}
	return strings.Join(urls, ",")
}
