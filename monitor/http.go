package monitor

import (
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/switchboard-rpc/switchboard/plugin"
)

//go:embed page
var page embed.FS

// Handler returns the monitor's HTTP handler: /metrics (Prometheus text
// format), / (the live page, with app.js and style.css) and the JSON API
// under /api/ (docs/monitoring.md): plugins, calls, events, summary and
// stream (server-sent events). With a token, every request must carry it,
// as "Authorization: Bearer TOKEN" or as ?token=TOKEN (the page passes on
// the one it was opened with); others get 401. Without a token, a request
// must name the host by IP address or as localhost (others get 403): a web
// page elsewhere cannot then read the API through a DNS name rebound to
// the loopback address.
// Handler does not block; the stream's requests last as long as their page
// stays (or until Close).
func (m *Monitor) Handler(token string) http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(page, "page") // cannot fail: the directory is embedded
	files := pageHeaders(http.FileServerFS(static))
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /app.js", files)
	mux.Handle("GET /style.css", files)
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/plugins", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, m.Plugins()) })
	mux.HandleFunc("GET /api/calls", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, m.Calls()) })
	mux.HandleFunc("GET /api/events", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, m.Events()) })
	mux.HandleFunc("GET /api/summary", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, m.Summary()) })
	mux.HandleFunc("GET /api/stream", m.serveStream)
	if token == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !literalHost(r.Host) {
				http.Error(w, "without a token, name the host by IP address or as localhost", http.StatusForbidden)
				return
			}
			mux.ServeHTTP(w, r)
		})
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := r.URL.Query().Get("token")
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			got = bearer
		}
		// Hashed first, so that the time taken tells nothing of the
		// token's length either (ConstantTimeCompare returns at once on
		// a length that differs), as the socket compares plugin tokens.
		if gotSum := sha256.Sum256([]byte(got)); subtle.ConstantTimeCompare(gotSum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
			http.Error(w, "a token is required: Authorization: Bearer TOKEN, or ?token=TOKEN", http.StatusUnauthorized)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// pageHeaders adds to the page's files the headers that keep it to its own
// scripts and styles.
func pageHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		h.ServeHTTP(w, r)
	})
}

// literalHost reports whether host (a Host header, perhaps with a port) is
// an IP address, localhost or a name under .localhost.
func literalHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return net.ParseIP(host) != nil || host == "localhost" || strings.HasSuffix(host, ".localhost")
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// Plugin is a connected plugin as the JSON API shows it.
type Plugin struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// Protocol is "brpc", "jsonrpc" or "nats"; Network "tcp", "unix",
	// "pipe" or "nats"; Remote a TCP plugin's address.
	Protocol string `json:"protocol,omitempty"`
	Network  string `json:"network,omitempty"`
	Remote   string `json:"remote,omitempty"`
	// Instances are a NATS plugin's instances: one plugin name served by
	// several processes. Empty for a plugin that dials the socket.
	Instances []plugin.Instance `json:"instances,omitempty"`
	// Since is when the plugin connected.
	Since time.Time `json:"since"`
	// Methods are the plugin's methods, by name, with their input and
	// output types as the plugin describes them.
	Methods []plugin.Function `json:"methods"`
}

// Plugins returns the connected plugins, sorted by name. It does not block
// beyond the socket's lock.
func (m *Monitor) Plugins() []Plugin {
	s := m.socket()
	if s == nil {
		return []Plugin{}
	}
	infos := s.Connected(true)
	m.mu.Lock()
	out := make([]Plugin, 0, len(infos))
	for name, info := range infos {
		p := Plugin{Name: name, Version: info.Version, Methods: []plugin.Function{}, Instances: info.Instances}
		if st, ok := m.peers[name]; ok {
			p.Protocol, p.Network, p.Remote, p.Since = st.rec.Protocol, st.rec.Network, st.rec.Remote, st.since
		}
		for fname, f := range info.Functions {
			f.Name = fname
			p.Methods = append(p.Methods, f)
		}
		slices.SortFunc(p.Methods, func(a, b plugin.Function) int { return strings.Compare(a.Name, b.Name) })
		out = append(out, p)
	}
	m.mu.Unlock()
	slices.SortFunc(out, func(a, b Plugin) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Calls returns the latest calls kept (Config.Recent), oldest first. It
// does not block.
func (m *Monitor) Calls() []CallLine {
	return m.calls.list()
}

// Events returns the latest events kept (Config.Recent), oldest first. It
// does not block.
func (m *Monitor) Events() []Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.events.list()
}

// serveStream sends the page what happens as server-sent events: "call"
// (a CallLine), "event" (an Event), and "resync" when messages were
// dropped because the page did not keep up (it then fetches the lists
// again). It ends when the client goes or the monitor closes.
func (m *Monitor) serveStream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	m.mu.Lock()
	s := m.stream.add()
	done := m.stream.doneCh()
	if s != nil {
		m.streaming.Add(1)
	}
	m.mu.Unlock()
	if s == nil {
		http.Error(w, "too many pages streaming, or shutting down", http.StatusServiceUnavailable)
		return
	}
	defer func() {
		m.mu.Lock()
		m.stream.remove(s)
		m.streaming.Add(-1)
		m.mu.Unlock()
	}()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	// A page that stops reading (a suspended tab, a client that is gone
	// without a FIN) would hold its place among the maxStreams for good:
	// a write that cannot go within streamWriteTimeout ends the stream.
	rc := http.NewResponseController(w)
	write := func(msg []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(m.streamTimeout())) // unsupported: no bound
		if _, err := w.Write(msg); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	if !write([]byte(": switchboard\n\n")) {
		return
	}
	for {
		select {
		case msg := <-s.ch:
			if !write(msg) {
				return
			}
		case <-r.Context().Done():
			return
		case <-done:
			return
		}
	}
}
