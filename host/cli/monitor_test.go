package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/switchboard-rpc/switchboard/internal/syncbuf"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// monitorDeadline bounds every wait of the monitor's tests.
const monitorDeadline = 10 * time.Second

// gate is a plugin the test serves itself: Fail fails, Hold blocks until
// the test opens the gate, so that the test looks at the host mid-run.
type gate struct {
	held chan struct{} // a Hold call has begun
	open chan struct{} // closed by the test: Hold returns
}

func (g *gate) Fail(context.Context, struct{}) (struct{}, error) {
	return struct{}{}, errors.New("failed on purpose")
}

func (g *gate) Hold(ctx context.Context, _ struct{}) (string, error) {
	g.held <- struct{}{}
	select {
	case <-g.open:
		return "opened", nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// watchedBuffer is a concurrency-safe buffer that says when it is written
// to, so that a test waits for output without polling.
type watchedBuffer struct {
	syncbuf.Buffer
	written chan struct{} // gets a value after a write, if it has none
}

func newWatchedBuffer() *watchedBuffer { return &watchedBuffer{written: make(chan struct{}, 1)} }

func (b *watchedBuffer) Write(p []byte) (int, error) {
	n, err := b.Buffer.Write(p)
	select {
	case b.written <- struct{}{}:
	default:
	}
	return n, err
}

// hostRun is `switchboard run` running in-process for a test.
type hostRun struct {
	t      *testing.T
	stderr *watchedBuffer
	stdout *watchedBuffer
	status chan int
	sigs   chan chan<- os.Signal // the host's signal channel, once it watches
}

// startRun runs switchboard with args in-process and returns at once.
func startRun(t *testing.T, args ...string) *hostRun {
	t.Helper()
	st, _, _ := fakeState(args...)
	h := &hostRun{t: t, stderr: newWatchedBuffer(), stdout: newWatchedBuffer(), status: make(chan int, 1),
		sigs: make(chan chan<- os.Signal, 1)}
	st.stdout, st.stderr = h.stdout, h.stderr
	st.notify = func(c chan<- os.Signal, _ ...os.Signal) { h.sigs <- c }
	go func() { h.status <- st.main() }()
	return h
}

// waitStderr waits until stderr matches re and returns the last submatch.
func (h *hostRun) waitStderr(re string) string { return h.waitOutput(h.stderr, "stderr", re) }

// monitorURL waits for the line -http prints and returns the monitor's
// base URL, http://127.0.0.1:port.
func (h *hostRun) monitorURL() string {
	return "http://" + h.waitStderr(`monitor on http://(127\.0\.0\.1:\d+)/`)
}

// waitStdout is waitStderr for stdout.
func (h *hostRun) waitStdout(re string) string { return h.waitOutput(h.stdout, "stdout", re) }

func (h *hostRun) waitOutput(b *watchedBuffer, what, re string) string {
	h.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(monitorDeadline)
	for {
		if m := rx.FindStringSubmatch(b.String()); m != nil {
			return m[len(m)-1]
		}
		select {
		case <-b.written:
		case code := <-h.status:
			h.status <- code
			if m := rx.FindStringSubmatch(b.String()); m != nil {
				return m[len(m)-1]
			}
			h.t.Fatalf("host exited %d before %s matched %q; stderr:\n%s", code, what, re, h.stderr)
		case <-deadline:
			h.t.Fatalf("%s did not match %q; stdout:\n%s\nstderr:\n%s", what, re, h.stdout, h.stderr)
		}
	}
}

// interrupt sends the host SIGINT.
func (h *hostRun) interrupt() {
	h.t.Helper()
	c := recvOn(h.t, h.sigs, "the host to watch signals")
	c <- os.Interrupt
}

// wait returns the host's exit status.
func (h *hostRun) wait() int {
	h.t.Helper()
	select {
	case code := <-h.status:
		return code
	case <-time.After(monitorDeadline):
		h.t.Fatalf("host did not exit; stderr:\n%s", h.stderr)
		return -1
	}
}

// connectGate connects a gate as the plugin "gate" to the host listening
// on the Unix socket path.
func connectGate(t *testing.T, path string) *gate {
	t.Helper()
	g := &gate{held: make(chan struct{}, 1), open: make(chan struct{})}
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plugin.New()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Start(g, &plugin.Info{Name: "gate", Version: "0.1"}, conn, nil) }()
	t.Cleanup(func() {
		p.Stop()
		<-done
	})
	return g
}

// recv waits for a value on ch.
func recvOn[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(monitorDeadline):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

// get fetches url with the bearer token (if any) and returns the status
// and body.
func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// scrape fetches and parses /metrics with the Prometheus text parser.
func scrape(t *testing.T, base, token string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, base+"/metrics", token)
	if code != http.StatusOK {
		t.Fatalf("/metrics: status %d: %s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return fams
}

// value returns the value of the metric of family name whose labels
// include labels (name=value pairs), and false when there is none.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount()), true
		}
	}
	return 0, false
}

// TestMetricsDuringWorkflow runs a workflow with -http, stops it half way
// (in a call the test's own plugin holds) and checks /metrics, parsed with
// the Prometheus text parser, against the calls made so far, and the JSON
// API against the plugins connected.
func TestMetricsDuringWorkflow(t *testing.T) {
	dir := t.TempDir()
	sockPath := filepath.Join(dir, "sb.sock")
	script := filepath.Join(dir, "wf.js")
	src := `
if (!waitFor("gate", "10s")) throw new Error("no gate");
for (let i = 0; i < 3; i++) call("echo", "Upper", {text: "a"});
call("echo", "Reverse", {text: "abc"});
try { call("gate", "Fail", {}); } catch (e) { console.log(e.code); }
try { call("echo", "Nope", {}); } catch (e) { console.log(e.code); }
broadcast("Upper", {text: "b"});
console.log(call("gate", "Hold", {}));
`
	if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startRun(t, "run", "-listen", "unix:"+sockPath, "-http", "127.0.0.1:0",
		"-spawn", filepath.Join(pluginDir, "echo"), "-wait", "echo", script)
	base := h.monitorURL()
	// The address is printed once the plugins' socket listens.
	g := connectGate(t, sockPath)
	recvOn(t, g.held, "the script to call gate.Hold")

	fams := scrape(t, base, "")
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		// Each plugin's part of the broadcast is a call too.
		{"switchboard_calls_total", []string{"plugin", "echo", "method", "Upper", "outcome", "ok"}, 4},
		{"switchboard_calls_total", []string{"plugin", "echo", "method", "Reverse", "outcome", "ok"}, 1},
		{"switchboard_calls_total", []string{"plugin", "gate", "method", "Fail", "outcome", "remote"}, 1},
		{"switchboard_calls_total", []string{"plugin", "echo", "method", "Nope", "outcome", "method_not_found"}, 1},
		{"switchboard_calls_total", []string{"plugin", "gate", "method", "Upper", "outcome", "method_not_found"}, 1},
		{"switchboard_call_duration_seconds", []string{"plugin", "echo", "method", "Upper"}, 4},
		{"switchboard_call_duration_seconds", []string{"plugin", "gate", "method", "Fail"}, 1},
		{"switchboard_broadcasts_total", nil, 1},
		{"switchboard_plugins_connected", nil, 2},
		{"switchboard_plugin_connects_total", nil, 2},
		{"switchboard_script_events_dropped_total", nil, 0},
		{"switchboard_plugin_restarts_total", nil, -1}, // no restart: no series yet
	}
	for _, w := range want {
		got, ok := value(fams, w.name, w.labels...)
		switch {
		case w.value < 0 && ok:
			t.Errorf("%s%v = %v, want no series", w.name, w.labels, got)
		case w.value >= 0 && !ok:
			t.Errorf("%s%v missing", w.name, w.labels)
		case w.value >= 0 && got != w.value:
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	if f := fams["switchboard_call_duration_seconds"]; f == nil || f.GetType() != dto.MetricType_HISTOGRAM {
		t.Errorf("switchboard_call_duration_seconds is not a histogram: %v", f)
	}
	for _, name := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total"} {
		if fams[name] == nil {
			t.Errorf("%s missing: the Go runtime's and the process's collectors are not registered", name)
		}
	}
	for name, f := range fams {
		if strings.HasPrefix(name, "switchboard_") && f.GetType() == dto.MetricType_COUNTER && !strings.HasSuffix(name, "_total") {
			t.Errorf("counter %s does not end in _total", name)
		}
	}

	// The JSON API lists both plugins with their methods.
	code, body := get(t, base+"/api/plugins", "")
	var plugins []struct {
		Name, Version, Protocol, Network string
		Methods                          []struct{ Name string }
	}
	if err := json.Unmarshal(body, &plugins); code != 200 || err != nil {
		t.Fatalf("/api/plugins: %d %v: %s", code, err, body)
	}
	if len(plugins) != 2 || plugins[0].Name != "echo" || plugins[1].Name != "gate" ||
		plugins[1].Version != "0.1" || plugins[1].Protocol != "brpc" || plugins[1].Network != "unix" || len(plugins[1].Methods) != 2 {
		t.Errorf("/api/plugins: %s", body)
	}

	close(g.open)
	if code := h.wait(); code != 0 {
		t.Fatalf("run exited %d; stderr:\n%s", code, h.stderr)
	}
	if got := h.stdout.String(); got != "remote\nmethod_not_found\nopened\n" {
		t.Errorf("stdout %q", got)
	}
}

// TestHTTPNeedsLoopbackOrToken: -http refuses a non-loopback address
// without a token, like -listen; with a token, every path needs it.
func TestHTTPNeedsLoopbackOrToken(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "ok.js")
	if err := os.WriteFile(script, []byte(`console.log("ran")`), 0o600); err != nil {
		t.Fatal(err)
	}
	st, out, errb := fakeState("run", "-http", "0.0.0.0:0", script)
	if code := st.main(); code != exitUsage || out.Len() != 0 || !strings.Contains(errb.String(), "refusing to listen") {
		t.Errorf("run -http 0.0.0.0:0: status %d, stdout %q, stderr %q", code, out, errb)
	}

	st, out, errb = fakeState("run", "-http", "nonsense", script)
	if code := st.main(); code != exitUsage || out.Len() != 0 || !strings.Contains(errb.String(), `bad -http address "nonsense"`) {
		t.Errorf("run -http nonsense: status %d, stdout %q, stderr %q", code, out, errb)
	}

	sockPath := filepath.Join(dir, "sb.sock")
	hold := filepath.Join(dir, "hold.js")
	if err := os.WriteFile(hold, []byte(`waitFor("never", "1h")`), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startRun(t, "run", "-token", "s3cret", "-listen", "unix:"+sockPath, "-http", "127.0.0.1:0", "-grace", "1ms", hold)
	base := h.monitorURL()
	for _, path := range []string{"/", "/metrics", "/api/plugins", "/api/calls", "/api/events", "/api/summary", "/api/stream"} {
		if code, _ := get(t, base+path, ""); code != http.StatusUnauthorized {
			t.Errorf("%s without the token: status %d, want 401", path, code)
		}
		if code, _ := get(t, base+path+"?token=wrong", ""); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: status %d, want 401", path, code)
		}
	}
	if code, _ := get(t, base+"/metrics", "s3cret"); code != http.StatusOK {
		t.Errorf("/metrics with the token: status %d", code)
	}
	if code, body := get(t, base+"/api/calls?token=s3cret", ""); code != http.StatusOK || strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("/api/calls?token=: status %d, %s", code, body)
	}
	// A plugin with the wrong token is refused, and counted.
	conn, err := net.Dial("unix", sockPath)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := plugin.New(plugin.WithToken("wrong"))
	if err := p.Start(&gate{}, &plugin.Info{Name: "intruder"}, conn, nil); err == nil {
		t.Error("a plugin with the wrong token was accepted")
	}
	fams := scrape(t, base, "s3cret")
	if v, ok := value(fams, "switchboard_connections_refused_total"); !ok || v != 1 {
		t.Errorf("switchboard_connections_refused_total = %v, %v; want 1", v, ok)
	}
	h.interrupt() // the script waits for ever
	if code := h.wait(); code != 130 {
		t.Errorf("run exited %d after SIGINT, want 130", code)
	}
}

// TestHTTPOnRepl: -http serves the metrics of a REPL session while it
// reads statements.
func TestHTTPOnRepl(t *testing.T) {
	st, _, _ := fakeState("repl", "-http", "127.0.0.1:0", "-spawn", filepath.Join(pluginDir, "echo"), "-wait", "echo", "-history", "off")
	in, feed := io.Pipe()
	st.stdin = in
	h := &hostRun{t: t, stderr: newWatchedBuffer(), stdout: newWatchedBuffer(), status: make(chan int, 1)}
	st.stdout, st.stderr = h.stdout, h.stderr
	go func() { h.status <- st.main() }()
	base := h.monitorURL()
	if _, err := io.WriteString(feed, `call("echo", "Upper", {text: "a"}).text`+"\n"); err != nil {
		t.Fatal(err)
	}
	h.waitStdout(`'A'`)
	fams := scrape(t, base, "")
	if v, ok := value(fams, "switchboard_calls_total", "plugin", "echo", "method", "Upper", "outcome", "ok"); !ok || v != 1 {
		t.Errorf("switchboard_calls_total{echo,Upper,ok} = %v, %v; want 1", v, ok)
	}
	feed.Close()
	if code := h.wait(); code != 0 {
		t.Fatalf("repl exited %d; stderr:\n%s", code, h.stderr)
	}
}

// TestRestartsInMetrics: a spawned plugin that crashes and is restarted
// shows in switchboard_plugin_restarts_total and as an ungraceful
// disconnect, scraped while the workflow waits in the test's own plugin.
func TestRestartsInMetrics(t *testing.T) {
	dir := t.TempDir()
	sockPath := filepath.Join(dir, "sb.sock")
	script := filepath.Join(dir, "wf.js")
	src := `
spawn(args[0], [], {name: "chaos", restart: "on-failure"});
if (!waitFor("chaos", "10s")) throw new Error("no chaos");
try { call("chaos", "Crash", {code: 3}); } catch (e) { console.log(e.code); }
if (!waitFor("chaos", "10s")) throw new Error("chaos not restarted");
if (!waitFor("gate", "10s")) throw new Error("no gate");
call("gate", "Hold", {});
`
	if err := os.WriteFile(script, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	h := startRun(t, "run", "-listen", "unix:"+sockPath, "-http", "127.0.0.1:0", script, filepath.Join(pluginDir, "chaos"))
	base := h.monitorURL()
	g := connectGate(t, sockPath)
	recvOn(t, g.held, "the script to call gate.Hold")
	fams := scrape(t, base, "")
	for _, w := range []struct {
		name   string
		labels []string
		value  float64
	}{
		{"switchboard_plugin_restarts_total", []string{"plugin", "chaos"}, 1},
		{"switchboard_plugin_disconnects_total", []string{"graceful", "false"}, 1},
		{"switchboard_plugin_connects_total", nil, 3},
		{"switchboard_calls_total", []string{"plugin", "chaos", "method", "Crash", "outcome", "disconnected"}, 1},
	} {
		if got, ok := value(fams, w.name, w.labels...); !ok || got != w.value {
			t.Errorf("%s%v = %v (%v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	code, body := get(t, base+"/api/events", "")
	if code != 200 || !strings.Contains(string(body), `"kind": "restart"`) {
		t.Errorf("/api/events has no restart: %d %s", code, body)
	}
	close(g.open)
	if code := h.wait(); code != 0 {
		t.Fatalf("run exited %d; stderr:\n%s", code, h.stderr)
	}
}
