package cli

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

// envToken names the environment variable that -token defaults to.
const envToken = "SWITCHBOARD_TOKEN"

// options holds the flags of run and repl.
type options struct {
	nats natsOptions // -nats and the other NATS flags (nats.go)

	listen      string
	token       string
	tlsCert     string
	tlsKey      string
	insecure    bool
	spawn       []string
	wait        []string
	waitTimeout time.Duration
	logLevel    slog.Level
	maxPlugins  int
	maxInFlight int
	eventMemory int    // bytes of events waiting for a script, each
	http        string // -http: the monitor's address, or ""

	// run only
	grace   time.Duration
	summary bool   // -summary (monitor.go)
	calls   string // -calls FILE

	// repl only
	lang    string
	history string

	// types only
	output   string // -o
	declLang string // -lang ts|lua
}

// stringsFlag is a repeatable string flag.
type stringsFlag struct{ list *[]string }

func (f stringsFlag) String() string {
	if f.list == nil {
		return ""
	}
	return strings.Join(*f.list, ", ")
}

func (f stringsFlag) Set(v string) error {
	*f.list = append(*f.list, v)
	return nil
}

// defaultListen is the address a host listens on without --listen: a free
// loopback TCP port.
const defaultListen = "127.0.0.1:0"

// setSharedFlags registers the flags run and repl have in common.
func setSharedFlags(fs *flag.FlagSet, o *options) {
	fs.StringVar(&o.listen, "listen", defaultListen,
		"listen for plugins on `addr`: host:port for TCP, or unix:/path for a Unix socket (mode 0600)")
	fs.StringVar(&o.token, "token", "",
		"shared `secret` plugins must present (default $"+envToken+")")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "serve TLS with the certificate in `file` (needs -tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "the TLS private key `file` (needs -tls-cert)")
	fs.BoolVar(&o.insecure, "insecure", false,
		"allow listening on a non-loopback address without a token or TLS")
	fs.Var(stringsFlag{&o.spawn}, "spawn",
		"start the plugin `'cmd args'` before the script (repeatable; a Go package directory is built first)")
	fs.Var(stringsFlag{&o.wait}, "wait", "wait until the plugin `name` is connected before the script (repeatable)")
	fs.DurationVar(&o.waitTimeout, "wait-timeout", 30*time.Second, "how long -wait waits for each plugin (in repl, also a call to a spawned plugin still starting)")
	fs.IntVar(&o.maxPlugins, "max-plugins", socket.DefaultMaxPlugins,
		"refuse plugins past `n` connected at once")
	fs.IntVar(&o.maxInFlight, "max-in-flight", socket.DefaultMaxInFlight,
		"fail calls at once past `n` waiting for one plugin")
	o.eventMemory = scripting.DefaultEventMemory
	fs.Var(byteSize{&o.eventMemory}, "event-memory",
		"let socket events wait for the script up to `size` (such as 64MiB); past it the oldest are dropped, counted and logged")
	fs.StringVar(&o.http, "http", "",
		"serve metrics (/metrics), a live page (/) and its JSON API on `addr` (loopback unless -token is set)")
	// Warnings only by default: a script's output stays readable, and log
	// records do not land in the REPL's line. info shows connections and
	// the output of spawned plugins.
	setNATSFlags(fs, &o.nats)
	fs.TextVar(&o.logLevel, "log-level", slog.LevelWarn, "log `level`: debug, info (connections, plugin output), warn or error")
}

// finish applies what the flags leave to the environment and checks the
// flags against each other.
func (o *options) finish(fs *flag.FlagSet, st *state) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["token"] {
		o.token = st.getenv(envToken)
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	if (set["max-plugins"] && o.maxPlugins < 1) || (set["max-in-flight"] && o.maxInFlight < 1) {
		return errors.New("-max-plugins and -max-in-flight must be at least 1")
	}
	if o.waitTimeout <= 0 && len(o.wait) > 0 {
		return fmt.Errorf("-wait-timeout must be positive, not %v", o.waitTimeout)
	}
	if o.grace < 0 {
		return fmt.Errorf("-grace must not be negative, not %v", o.grace)
	}
	if err := o.nats.check(); err != nil {
		return err
	}
	switch o.lang {
	case "", "js", "lua":
	default:
		return fmt.Errorf("-lang must be js or lua, not %q", o.lang)
	}
	return nil
}
