package socket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/socket"
)

// A JSON-RPC plugin registers, is described as it said, and is called with
// every kind of JSON payload as the one element of params, the trace in a
// member of its own; the host answers in the plugin's framing.
func TestJSONRPCRegisterAndCall(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", msg{"capabilities": []string{"cancel"}})
		info := s.PluginInfo("py")
		if info == nil || info.Version != "1.0" || info.Functions["echo"].Input.Type != "any" || info.Functions["echo"].Name != "echo" {
			t.Fatalf("description %+v", info)
		}
		payloads := []string{`null`, `"text"`, `""`, `"é\n\u2028"`, `0`, `-1.5e300`, `true`, `false`,
			`[]`, `[1,"a",null]`, `{}`, `{"a":{"b":[1,{"c":null}]}}`, "{\n  \"spread\": [1,\n 2]\n}"}
		go func() {
			for range payloads {
				req, _ := p.read()
				if req["method"] != "echo" || req["trace"] != "t-1" {
					p.fail(req, -32000, "unexpected request")
					continue
				}
				p.answer(req, param(t, req))
			}
		}()
		for _, in := range payloads {
			out, err := s.CallJSON(context.Background(), "t-1", "py", "echo", json.RawMessage(in))
			if err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			var want, got any
			_ = json.Unmarshal([]byte(in), &want)
			if out != nil {
				if err := json.Unmarshal(out, &got); err != nil {
					t.Fatalf("%s: result %q: %v", in, out, err)
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("echo of %s returned %s", in, out)
			}
		}
		// No payload at all travels as [null].
		go func() {
			req, _ := p.read()
			p.answer(req, reflect.TypeOf(param(t, req)) == nil)
		}()
		if out, err := s.Call("", "py", "echo", nil); err != nil || out != true {
			t.Fatalf("call without payload: %v, %v", out, err)
		}
	})
}

// A payload that is not JSON is refused before anything is sent.
func TestJSONRPCRefusesAnArgumentThatIsNotJSON(t *testing.T) {
	s := newSocket(t)
	p := dialJSON(t, listen(t, s), jsonrpc.Lines)
	p.mustRegister("py", nil)
	if _, err := s.CallJSON(context.Background(), "", "py", "echo", json.RawMessage(`{"a":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("got %v", err)
	}
}

// Every rejection is an error response saying why, then the connection
// closes.
func TestJSONRPCRejections(t *testing.T) {
	cases := []struct {
		name  string
		extra msg
		want  string
	}{
		{"taken", nil, "already connected"},
		{"good", msg{"token": "wrong"}, "authentication failed"},
		{"bad\x1b[2J", nil, "control character"},
		{"good", msg{"functions": msg{"$/cancelRequest": msg{}}}, "reserved"},
		{"good", msg{"functions": msg{"m\u202e": msg{}}}, "control character"},
		{"good", msg{"functions": "not a map"}, "registration params"},
		{"", nil, "without a plugin name"},
	}
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t, socket.WithToken("sesame"))
		addr := listen(t, s)
		first := dialJSON(t, addr, fr)
		first.mustRegister("taken", msg{"token": "sesame"})
		for _, c := range cases {
			p := dialJSON(t, addr, fr)
			if c.extra == nil {
				c.extra = msg{}
			}
			if _, ok := c.extra["token"]; !ok {
				c.extra["token"] = "sesame"
			}
			m := p.register(c.name, c.extra)
			e, _ := m["error"].(msg)
			if m["id"] != 1.0 || e == nil || e["code"] != float64(jsonrpc.CodeRejected) && e["code"] != float64(jsonrpc.CodeInvalidParams) ||
				!strings.Contains(e["message"].(string), c.want) {
				t.Fatalf("%q %v: answered %v, want an error saying %q", c.name, c.extra, m, c.want)
			}
			p.readEOF()
		}
		if got := s.Connected(false); len(got) != 1 {
			t.Fatalf("connected: %v", got)
		}
		// A first message that is not a register request.
		p := dialJSON(t, addr, fr)
		p.write(msg{"jsonrpc": "2.0", "id": 7, "method": "hello", "params": []any{}})
		m, _ := p.read()
		if e, _ := m["error"].(msg); m["id"] != 7.0 || e == nil || !strings.Contains(e["message"].(string), `"register"`) {
			t.Fatalf("answered %v", m)
		}
		p.readEOF()
	})
}

// The plugin's error responses map to the socket's errors.
func TestJSONRPCErrors(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", nil)
		cases := []struct {
			code int
			text string
			is   error
			want string
		}{
			{-32601, "Unhandled method nope", socket.ErrMethodNotFound, "method not found"},
			{-32603, "Request failed: boom", socket.ErrPanic, "panic: Request failed: boom"},
			{-32002, "stopping", socket.ErrShutdown, "shut down"},
			{-32000, "no such key", nil, "no such key"},
			{42, "", nil, "error 42"},
		}
		go func() {
			for _, c := range cases {
				req, _ := p.read()
				p.fail(req, c.code, c.text)
			}
		}()
		for _, c := range cases {
			_, err := s.Call("", "py", "nope", 1)
			var ce *socket.CallError
			var re *socket.RemoteError
			if !errors.As(err, &ce) || ce.Plugin != "py" || !errors.As(err, &re) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("code %d: got %v", c.code, err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("code %d: %v is not %v", c.code, err, c.is)
			}
		}
	})
}

// Async values are notifications; a direct subscriber has seen those sent
// before an answer when the call returns. A request from the plugin is
// answered method not found; other notifications are dropped.
func TestJSONRPCAsyncBeforeTheAnswer(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		var mu sync.Mutex
		var got []string
		defer s.Subscribe(socket.Handlers{Direct: true, Async: func(a socket.AsyncData) {
			mu.Lock()
			got = append(got, a.Name+":"+string(a.Raw))
			mu.Unlock()
		}})()
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", nil)
		go func() {
			req, _ := p.read()
			p.write(msg{"jsonrpc": "2.0", "method": "$/async", "params": []any{1}})
			p.write(msg{"jsonrpc": "2.0", "method": "$/async", "params": msg{"k": "v"}})
			p.write(msg{"jsonrpc": "2.0", "method": "$/async", "params": []any{[]any{"x"}}})
			p.write(msg{"jsonrpc": "2.0", "method": "$/async"})
			p.write(msg{"jsonrpc": "2.0", "method": "$/progress", "params": msg{}})
			p.write(msg{"jsonrpc": "2.0", "id": "q", "method": "other.call", "params": []any{}})
			ans, _ := p.read()
			if e, _ := ans["error"].(msg); ans["id"] != "q" || e["code"] != -32601.0 {
				p.answer(req, ans)
				return
			}
			p.answer(req, "done")
		}()
		out, err := s.Call("", "py", "echo", nil)
		if err != nil || out != "done" {
			t.Fatalf("call: %v, %v", out, err)
		}
		mu.Lock()
		defer mu.Unlock()
		want := []string{`py:1`, `py:{"k":"v"}`, `py:["x"]`, `py:null`}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("async values %q, want %q", got, want)
		}
	})
}

// A caller's cancellation reaches the plugin as $/cancelRequest with the
// request's id.
func TestJSONRPCCancel(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := s.CallContext(ctx, "", "py", "slow", "x")
			done <- err
		}()
		req, _ := p.read()
		cancel()
		if err := recv(t, done); !errors.Is(err, context.Canceled) {
			t.Fatalf("call: %v", err)
		}
		m, _ := p.read()
		if params, _ := m["params"].(msg); m["method"] != "$/cancelRequest" || params["id"] != req["id"] || m["id"] != nil {
			t.Fatalf("after the cancel: %v", m)
		}
		p.answer(req, "late") // dropped
		go func() {
			req, _ := p.read()
			p.answer(req, "next")
		}()
		if out, err := s.Call("", "py", "echo", 1); err != nil || out != "next" {
			t.Fatalf("the call after: %v, %v", out, err)
		}
	})
}

// Unplug sends $/stop with the trace; the plugin finishes the call in
// flight and closes, and its going is graceful.
func TestJSONRPCUnplug(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		gone := make(chan bool, 1)
		s.OnDisconnect(func(info *plugin.Info, graceful bool) { gone <- graceful })
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", nil)
		done := make(chan error, 1)
		var out any
		go func() {
			var err error
			out, err = s.Call("", "py", "work", nil)
			done <- err
		}()
		req, _ := p.read()
		s.Unplug("stop-1", "py")
		stop, _ := p.read()
		if stop["method"] != "$/stop" || stop["trace"] != "stop-1" || stop["id"] != nil {
			t.Fatalf("stop request: %v", stop)
		}
		if _, err := s.Call("", "py", "work", nil); !errors.Is(err, socket.ErrPluginNotFound) {
			t.Fatalf("a call after Unplug: %v", err)
		}
		p.answer(req, "finished")
		if err := recv(t, done); err != nil || out != "finished" {
			t.Fatalf("call in flight: %v, %v", out, err)
		}
		p.nc.Close()
		if !recv(t, gone) {
			t.Fatal("not graceful")
		}
	})
}

// A connection that breaks mid-call fails the call at once, naming the
// plugin.
func TestJSONRPCCutMidCall(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", nil)
		done := make(chan error, 1)
		go func() {
			_, err := s.Call("", "py", "work", nil)
			done <- err
		}()
		p.read()
		p.nc.Close()
		err := recv(t, done)
		var ce *socket.CallError
		if !errors.Is(err, socket.ErrDisconnected) || !errors.As(err, &ce) || ce.Plugin != "py" || !strings.Contains(err.Error(), "py.work") {
			t.Fatalf("got %v", err)
		}
	})
}

// Many callers at once each get their own answer: requests queued while
// others are written are neither lost nor mixed up.
func TestJSONRPCConcurrentCalls(t *testing.T) {
	forFramings(t, func(t *testing.T, fr jsonrpc.Framing) {
		s := newSocket(t)
		p := dialJSON(t, listen(t, s), fr)
		p.mustRegister("py", nil)
		const callers, calls = 16, 200
		go func() {
			for range callers * calls {
				req, _ := p.read()
				p.answer(req, param(t, req))
			}
		}()
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for c := range callers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range calls {
					want := fmt.Sprintf("caller %d call %d %s", c, i, strings.Repeat("x", i))
					out, err := s.Call("", "py", "echo", want)
					if err == nil && out != want {
						err = fmt.Errorf("sent %q, got %q", want, out)
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		all := make(chan struct{})
		go func() { wg.Wait(); close(all) }()
		recv(t, all) // a lost request would leave its caller waiting
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	})
}
