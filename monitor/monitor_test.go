package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/socket"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// call is a CallRecord of a call to p.m that took d and failed with err.
func call(p, m string, d time.Duration, err error) socket.CallRecord {
	return socket.CallRecord{Plugin: p, Method: m, Start: time.Unix(1700000000, 0).UTC(), Duration: d,
		RequestBytes: 2, Err: err}
}

// TestSummaryPercentiles: p50, p95 and max of known durations, within the
// buckets' precision, and the errors by code.
func TestSummaryPercentiles(t *testing.T) {
	var calls bytes.Buffer
	m := New(Config{Calls: &calls})
	for i := 1; i <= 100; i++ { // 1ms .. 100ms
		m.CallDone(call("p", "M", time.Duration(i)*time.Millisecond, nil))
	}
	remote := &socket.CallError{Plugin: "p", Method: "F", Err: &socket.RemoteError{Message: "no"}}
	m.CallDone(call("p", "F", 3*time.Millisecond, remote))
	m.CallDone(call("p", "F", time.Second, &socket.CallError{Plugin: "p", Method: "F", Err: context.DeadlineExceeded}))
	rows := m.Summary()
	if len(rows) != 2 || rows[0].Method != "F" || rows[1].Method != "M" {
		t.Fatalf("rows %+v", rows)
	}
	f, r := rows[0], rows[1]
	if f.Calls != 2 || f.Errors["remote"] != 1 || f.Errors["timeout"] != 1 || len(f.Errors) != 2 || f.Max != 1 {
		t.Errorf("F: %+v", f)
	}
	near := func(got, want float64) bool { return got >= want && got <= want*1.04 }
	if r.Calls != 100 || len(r.Errors) != 0 || !near(r.P50, 0.050) || !near(r.P95, 0.095) || r.Max != 0.1 {
		t.Errorf("M: %+v, want p50 50ms, p95 95ms, max 100ms (within 4%% above)", r)
	}
	var out bytes.Buffer
	if err := m.WriteSummary(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PLUGIN  METHOD  CALLS  ERRORS", "p       F       2      remote=1,timeout=1", "total           102    2"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(calls.String()), "\n")
	if len(lines) != 102 {
		t.Fatalf("%d lines in the calls file, want 102", len(lines))
	}
	var last CallLine
	if err := json.Unmarshal([]byte(lines[101]), &last); err != nil {
		t.Fatal(err)
	}
	if last.Outcome != "timeout" || last.DurationSeconds != 1 || last.Error == "" || last.RequestBytes != 2 {
		t.Errorf("last line %+v", last)
	}
}

// TestSeriesBounded: past MaxSeries pairs the calls are counted under
// Other, in the summary and the metrics.
func TestSeriesBounded(t *testing.T) {
	m := New(Config{MaxSeries: 2})
	for _, name := range []string{"a", "b", "c", "d"} {
		m.CallDone(call(name, "M", time.Millisecond, nil))
	}
	rows := m.Summary()
	if len(rows) != 3 || rows[0].Plugin != Other || rows[0].Calls != 2 {
		t.Fatalf("rows %+v", rows)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "switchboard_calls_total" && len(f.Metric) != 3 {
			t.Errorf("switchboard_calls_total has %d series, want 3", len(f.Metric))
		}
	}
}

// TestLongNamesUnderOther: a name longer than maxLabel is not kept in a
// series or a label of its own.
func TestLongNamesUnderOther(t *testing.T) {
	m := New(Config{})
	long := strings.Repeat("m", 10*maxLabel)
	m.CallDone(call("p", long, time.Millisecond, nil))
	m.CallDone(call(long, "M", time.Millisecond, nil))
	m.AsyncReceived(long, []byte("1"))
	rows := m.Summary()
	if len(rows) != 1 || rows[0].Plugin != Other || rows[0].Method != Other || rows[0].Calls != 2 {
		t.Errorf("rows %+v, want both calls under %s", rows, Other)
	}
	if _, ok := m.names[long]; ok {
		t.Error("the long plugin name was kept")
	}
	m.BroadcastDone(socket.BroadcastRecord{Method: long, Plugins: 1})
	for _, c := range m.Calls() {
		if len(c.Plugin) > maxShort+len("…") || len(c.Method) > maxShort+len("…") {
			t.Errorf("a call kept with a name of %d and %d bytes", len(c.Plugin), len(c.Method))
		}
	}
	for _, e := range m.Events() {
		if len(e.Text) > 2*maxShort {
			t.Errorf("an event kept with a text of %d bytes", len(e.Text))
		}
	}
}

// TestNamesBounded: past MaxSeries plugin names, async values and restarts
// are counted under Other, and the names past the bound are not kept.
func TestNamesBounded(t *testing.T) {
	m := New(Config{MaxSeries: 2})
	for i := range 100 {
		m.AsyncReceived(fmt.Sprintf("p%d", i), []byte("1"))
	}
	if n := len(m.names); n != 2 {
		t.Errorf("%d plugin names kept, want 2", n)
	}
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "switchboard_async_values_received_total" && len(f.Metric) != 3 {
			t.Errorf("switchboard_async_values_received_total has %d series, want 3", len(f.Metric))
		}
	}
}

// TestStreamDropsAndResyncs: a page that does not read loses messages
// past its buffer, counted, and is told to resync.
func TestStreamDropsAndResyncs(t *testing.T) {
	var ss streams
	s := ss.add()
	for range streamBuffer + 10 {
		ss.send("call", 1)
	}
	if ss.dropped != 10 || len(s.ch) != streamBuffer {
		t.Fatalf("dropped %d, queued %d", ss.dropped, len(s.ch))
	}
	<-s.ch
	ss.send("call", 2)
	if msg := string((<-chanTail(s.ch))); !strings.HasPrefix(msg, "event: resync") {
		t.Errorf("after a drop the page gets %q, want a resync", msg)
	}
	ss.close()
}

// chanTail returns a channel with the last message queued on ch.
func chanTail(ch chan []byte) <-chan []byte {
	var last []byte
	for len(ch) > 0 {
		last = <-ch
	}
	out := make(chan []byte, 1)
	out <- last
	return out
}

func TestShorten(t *testing.T) {
	if got := shorten("héllo", 2); got != "h…" {
		t.Errorf("shorten cut a rune: %q", got)
	}
	if got := shortenBytes([]byte("abcdef"), 3); got != "abc…" {
		t.Errorf("shortenBytes(abcdef, 3) = %q", got)
	}
	if got := shorten("abc", 3); got != "abc" {
		t.Errorf("shorten(abc, 3) = %q", got)
	}
}

func TestOutcome(t *testing.T) {
	if Outcome(nil) != OutcomeOK || Outcome(errors.New("x")) != "error" ||
		Outcome(&socket.CallError{Err: socket.ErrPluginNotFound}) != "not_connected" {
		t.Error("Outcome does not map errors to the scripting codes")
	}
	// What socket.Call reports for an argument it cannot encode and a
	// result it cannot decode.
	s, err := socket.New()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown("")
	if _, err := s.Call("", "any", "M", func() {}); Outcome(err) != "bad_argument" {
		t.Errorf("Outcome(%v) = %q, want bad_argument", err, Outcome(err))
	}
	if err := (&socket.CallError{Err: fmt.Errorf("%w: decoding the result: x", socket.ErrBadResponse)}); Outcome(err) != "bad_response" {
		t.Errorf("Outcome(%v) = %q, want bad_response", err, Outcome(err))
	}
}

// TestSlotRing: the last n values, oldest first, also when pushed from
// several goroutines at once.
func TestSlotRing(t *testing.T) {
	r := newSlotRing[int](200)
	if got := r.list(); len(got) != 0 || got == nil {
		t.Fatalf("empty ring lists %v", got)
	}
	for i := range 250 {
		r.push(i)
	}
	got := r.list()
	if len(got) != 200 || got[0] != 50 || got[199] != 249 {
		t.Fatalf("list has %d values, %v ... %v", len(got), got[0], got[len(got)-1])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				r.push(1000 + g*1000 + i)
			}
		}()
	}
	wg.Wait()
	if got := r.list(); len(got) != 200 {
		t.Fatalf("after concurrent pushes, %d values", len(got))
	}
}

// TestPeerReplaced: a plugin that goes after another took its name (an
// unplugged one finishing its calls) leaves the newcomer's record alone.
func TestPeerReplaced(t *testing.T) {
	m := New(Config{})
	old := socket.PeerRecord{Name: "kv", Version: "1", Protocol: "brpc", Network: "tcp", Remote: "127.0.0.1:1"}
	newer := socket.PeerRecord{Name: "kv", Version: "2", Protocol: "jsonrpc", Network: "tcp", Remote: "127.0.0.1:2"}
	m.Connected(old)
	m.Connected(newer)
	m.Disconnected(old, true)
	m.mu.Lock()
	st, ok := m.peers["kv"]
	m.mu.Unlock()
	if !ok || st.rec != newer {
		t.Fatalf("after the old one went: %+v, %v", st, ok)
	}
	m.Disconnected(newer, false)
	m.mu.Lock()
	n := len(m.peers)
	m.mu.Unlock()
	if n != 0 {
		t.Errorf("%d peers left after both went", n)
	}
	if got := m.Events(); len(got) != 4 || got[3].Kind != "disconnect" || !strings.Contains(got[3].Text, "lost") {
		t.Errorf("events %+v", got)
	}
}

// TestHandlerHosts: without a token the handler answers only requests
// that name the host by address or as localhost; the page's files keep to
// their own origin.
func TestHandlerHosts(t *testing.T) {
	h := New(Config{}).Handler("")
	for host, want := range map[string]int{
		"127.0.0.1:9100": 200, "[::1]:9100": 200, "localhost:9100": 200, "app.localhost": 200,
		"evil.example:9100": 403, "example.com": 403,
	} {
		req := httptest.NewRequest("GET", "/api/calls", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: status %d, want %d", host, rec.Code, want)
		}
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Host = "127.0.0.1"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<title>switchboard</title>") ||
		!strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("/: %d, CSP %q", rec.Code, rec.Header().Get("Content-Security-Policy"))
	}
	// With a token, the Host does not matter, the token does.
	req = httptest.NewRequest("GET", "/metrics", nil)
	req.Host = "monitor.example"
	req.Header.Set("Authorization", "Bearer t")
	rec = httptest.NewRecorder()
	New(Config{}).Handler("t").ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "switchboard_plugins_connected 0") {
		t.Errorf("/metrics with a token: %d %.200s", rec.Code, rec.Body.String())
	}
}

// TestStalledStreamEnds: a page that stops reading loses its stream once
// a write has waited past the write timeout, and so its place among the
// pages streaming.
func TestStalledStreamEnds(t *testing.T) {
	m := New(Config{})
	m.writeTimeout = 50 * time.Millisecond
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Serve(lis, ""); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c, err := net.Dial("tcp", lis.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetReadBuffer(4096) // the kernel then holds little of what is not read
	}
	if _, err := fmt.Fprintf(c, "GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	// The client never reads. Calls go on until the stream is gone.
	deadline := time.Now().Add(20 * time.Second)
	for m.streaming.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the stream never started")
		}
		runtime.Gosched()
	}
	fail := errors.New(strings.Repeat("x", maxShort))
	for m.streaming.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a page that does not read still streams")
		}
		m.CallDone(call("p", "M", time.Millisecond, fail))
	}
}
