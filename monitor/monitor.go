package monitor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/socket"
)

// Defaults of Config's bounds.
const (
	// DefaultMaxSeries bounds the (plugin, method) pairs the monitor keeps
	// apart in metrics and the summary; the calls past it are counted
	// under plugin and method "_other".
	DefaultMaxSeries = 1000
	// DefaultRecent is how many calls, and how many events, the live page
	// and the JSON API keep.
	DefaultRecent = 200
)

// closeTimeout bounds how long Close waits for HTTP requests in flight.
const closeTimeout = 2 * time.Second

// Other is the plugin and method label of the calls past Config.MaxSeries.
const Other = "_other"

// OutcomeOK is the outcome of a call that succeeded; a failed call's is
// its scripting error code (scripting.Code: "timeout", "remote", ...).
const OutcomeOK = "ok"

// Config configures a Monitor. The zero value works.
type Config struct {
	// Calls, when set, receives every call as one JSON line (see
	// CallLine); it is buffered and flushed by Close.
	Calls io.Writer
	// ScriptEventsDropped, when set, returns how many socket events the
	// scripts lost by not keeping up (the sum of their runtimes' Dropped),
	// for switchboard_script_events_dropped_total.
	ScriptEventsDropped func() uint64
	// MaxSeries bounds the (plugin, method) pairs kept apart
	// (DefaultMaxSeries when zero).
	MaxSeries int
	// Recent is how many calls and events are kept for the page and the
	// API (DefaultRecent when zero).
	Recent int
}

// Monitor watches a Socket as its socket.Observer and serves what it sees:
// Prometheus metrics, a live web page with a JSON API behind it, a summary
// table and a file of calls. New makes one; pass it to socket.WithObserver,
// then Attach the socket. All methods are safe for concurrent use; the
// observer's methods never wait for a page (a slow page loses updates,
// counted), but with Config.Calls a call waits for the writer whenever
// the calls' 4 KiB buffer fills, and the others for that call's lock.
type Monitor struct {
	cfg     Config
	reg     *prometheus.Registry
	metrics *metrics
	now     func() time.Time

	sockMu sync.Mutex
	sock   *socket.Socket

	buckets  *bucketIndex // shared by the series
	seriesMu sync.RWMutex
	series   map[seriesKey]*series // the series made, by their labels
	// fast is a copy of series, replaced (never changed) when a series
	// is made, for the lookup of every call without a lock and without
	// hashing an interface (the pairs past the bound take seriesMu).
	fast  atomic.Pointer[map[seriesKey]*series]
	names map[string]string // plugin names kept apart, for labels of their own

	mu       sync.Mutex          // what follows
	calls    *slotRing[CallLine] // takes no lock of the monitor's
	events   *ring[Event]
	peers    map[string]peerState
	callsOut *bufio.Writer
	callErr  error // the first error writing Config.Calls
	stream   streams
	// streaming counts the pages streaming (stream's set), read without mu.
	streaming atomic.Int32
	// writeTimeout, when set (by tests, before Serve), replaces
	// streamWriteTimeout.
	writeTimeout time.Duration

	srvMu  sync.Mutex
	srv    *http.Server
	served chan struct{}
	closed bool
}

// peerState is what the monitor knows of a connected plugin beyond its
// description.
type peerState struct {
	rec   socket.PeerRecord
	since time.Time
	// live counts the connections under the name that have not gone: a
	// plugin unplugged can go after another took its name.
	live int
}

// New returns a Monitor configured by cfg. It starts nothing: Serve starts
// the HTTP server, Close stops it.
// It does not block.
func New(cfg Config) *Monitor {
	if cfg.MaxSeries <= 0 {
		cfg.MaxSeries = DefaultMaxSeries
	}
	if cfg.Recent <= 0 {
		cfg.Recent = DefaultRecent
	}
	m := &Monitor{
		cfg:     cfg,
		reg:     prometheus.NewRegistry(),
		now:     time.Now,
		series:  map[seriesKey]*series{},
		buckets: newBucketIndex(),
		names:   map[string]string{},
		calls:   newSlotRing[CallLine](cfg.Recent),
		events:  newRing[Event](cfg.Recent),
		peers:   map[string]peerState{},
	}
	if cfg.Calls != nil {
		m.callsOut = bufio.NewWriter(cfg.Calls)
	}
	m.metrics = newMetrics(m)
	return m
}

// Attach gives the monitor the socket it observes, for the plugins'
// descriptions and the socket's counters. Call it before the socket
// serves plugins.
// It does not block.
func (m *Monitor) Attach(s *socket.Socket) {
	m.sockMu.Lock()
	defer m.sockMu.Unlock()
	m.sock = s
}

func (m *Monitor) socket() *socket.Socket {
	m.sockMu.Lock()
	defer m.sockMu.Unlock()
	return m.sock
}

// Registry returns the Prometheus registry of the monitor's metrics (the
// Go runtime's and the process's collectors included), to gather or serve
// elsewhere.
// It does not block.
func (m *Monitor) Registry() *prometheus.Registry { return m.reg }

// Outcome returns the outcome label of a call that ended with err:
// OutcomeOK for nil, else its scripting error code.
// It does not block.
func Outcome(err error) string {
	if err == nil {
		return OutcomeOK
	}
	return scripting.Code(err)
}

// CallDone records one call (socket.Observer). It does not block, but for
// writing to Config.Calls when its buffer is full.
func (m *Monitor) CallDone(c socket.CallRecord) {
	outcome := Outcome(c.Err)
	line := CallLine{
		// Names and traces come from scripts, of any length: shortened as
		// errors are, so that the calls kept and the pages' queues are
		// bounded in bytes.
		Time: c.Start, Plugin: shorten(c.Plugin, maxShort), Method: shorten(c.Method, maxShort), Trace: shorten(c.Trace, maxShort),
		DurationSeconds: c.Duration.Seconds(), Outcome: outcome,
		RequestBytes: c.RequestBytes, ResponseBytes: c.ResponseBytes, Broadcast: c.Broadcast,
	}
	if c.Err != nil {
		line.Error = shorten(c.Err.Error(), maxShort)
	}
	m.seriesOf(c.Plugin, c.Method).add(outcome, c.Duration)
	m.calls.push(line)
	if m.callsOut == nil && m.streaming.Load() == 0 {
		return // the common case: no lock taken
	}
	// line stays on the stack unless a file or a page wants it.
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.callsOut != nil && m.callErr == nil {
		l := line
		m.callErr = writeLine(m.callsOut, &l)
	}
	if m.stream.active() {
		l := line
		m.stream.send("call", &l)
	}
}

// BroadcastDone records one broadcast (socket.Observer). It does not block.
func (m *Monitor) BroadcastDone(b socket.BroadcastRecord) {
	m.metrics.broadcasts.Inc()
	text := fmt.Sprintf("%s to %d plugin(s), %d failed", shorten(b.Method, maxShort), b.Plugins, b.Failed)
	if b.Err != nil {
		text = shorten(b.Err.Error(), maxShort)
	}
	m.event(Event{Time: b.Start, Kind: "broadcast", Text: text})
}

// AsyncReceived records one async value, shortened for the page
// (socket.Observer). It does not block.
func (m *Monitor) AsyncReceived(plugin string, payload []byte) {
	m.metrics.async.WithLabelValues(m.nameOf(plugin)).Inc()
	m.event(Event{Time: m.now(), Kind: "async", Plugin: plugin, Text: shortenBytes(payload, maxShort)})
}

// Connected records a plugin that registered (socket.Observer). It does
// not block.
func (m *Monitor) Connected(p socket.PeerRecord) {
	now := m.now()
	m.metrics.connects.Inc()
	m.mu.Lock()
	m.peers[p.Name] = peerState{rec: p, since: now, live: m.peers[p.Name].live + 1}
	m.mu.Unlock()
	m.event(Event{Time: now, Kind: "connect", Plugin: p.Name,
		Text: fmt.Sprintf("%s %s, %s", p.Name, p.Version, how(p))})
}

// Disconnected records a plugin that went away (socket.Observer). It does
// not block.
func (m *Monitor) Disconnected(p socket.PeerRecord, graceful bool) {
	m.metrics.disconnects.WithLabelValues(fmt.Sprint(graceful)).Inc()
	m.mu.Lock()
	if st := m.peers[p.Name]; st.live > 1 {
		st.live--
		m.peers[p.Name] = st
	} else {
		delete(m.peers, p.Name)
	}
	m.mu.Unlock()
	how := "stopped"
	if !graceful {
		how = "lost (crash or cut connection)"
	}
	m.event(Event{Time: m.now(), Kind: "disconnect", Plugin: p.Name, Text: p.Name + " " + how})
}

// Restarted records a restart of the spawned plugin name (for
// spawn.Config.OnRestart).
// It does not block.
func (m *Monitor) Restarted(name string) {
	m.metrics.restarts.WithLabelValues(m.nameOf(name)).Inc()
	m.event(Event{Time: m.now(), Kind: "restart", Plugin: name, Text: name + " restarted"})
}

// event keeps e for the page and sends it to the page's streams.
func (m *Monitor) event(e Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events.push(e)
	m.stream.send("event", &e)
}

// Serve serves the monitor's HTTP handler (see Handler) on lis in the
// background; token, when not empty, is required of every request. Close
// stops it. Serve may be called once. The server's timeouts and its bound
// on connections are in conns.go (docs/monitoring.md).
// It does not block: the server runs on a goroutine of the monitor's, which
// Close stops.
func (m *Monitor) Serve(lis net.Listener, token string) error {
	m.srvMu.Lock()
	defer m.srvMu.Unlock()
	if m.srv != nil || m.closed {
		lis.Close()
		return errors.New("monitor: already serving or closed")
	}
	m.srv = &http.Server{Handler: m.Handler(token), ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout: idleTimeout, MaxHeaderBytes: maxHeaderBytes}
	m.served = make(chan struct{})
	lim := newLimitListener(lis, maxConns)
	go func() {
		defer close(m.served)
		_ = m.srv.Serve(lim) // ErrServerClosed after Close
	}()
	return nil
}

// Close ends the page's streams, stops serving and flushes the calls file.
// It returns the first error writing the calls file, if any. Safe to call
// more than once; it waits for the server's goroutine.
// It blocks until the server has stopped: requests in flight get up to
// closeTimeout (2 s), then their connections are closed.
func (m *Monitor) Close() error {
	m.mu.Lock()
	m.stream.close()
	m.mu.Unlock()
	m.srvMu.Lock()
	srv, served, was := m.srv, m.served, m.closed
	m.closed = true
	m.srvMu.Unlock()
	if srv != nil && !was {
		// The streams have ended, so every connection goes idle at once.
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		if srv.Shutdown(ctx) != nil {
			_ = srv.Close()
		}
		cancel()
		<-served
	}
	return m.Flush()
}

// Flush writes out the calls buffered for Config.Calls, for a process
// about to end without Close. It returns the first error writing the
// calls file, if any. It blocks while it writes (and while another
// method holds the monitor's lock); safe to call at any time, also after
// Close.
func (m *Monitor) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.callsOut != nil && m.callErr == nil {
		m.callErr = m.callsOut.Flush()
	}
	if m.callErr != nil {
		return fmt.Errorf("writing the calls file: %w", m.callErr)
	}
	return nil
}

// how says how a plugin is connected: "brpc over tcp from 127.0.0.1:4000".
func how(p socket.PeerRecord) string {
	s := p.Protocol + " over " + p.Network
	if p.Remote != "" {
		s += " from " + p.Remote
	}
	return s
}
