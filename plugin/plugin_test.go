package plugin_test

import (
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const deadline = 10 * time.Second

type valueOnly struct{}

func (valueOnly) Ignored(int)                                {}
func (*valueOnly) Get(_ context.Context, _ int) (int, error) { return 1, nil }

type reserved struct{}

func (*reserved) Shutdown(context.Context, int) (int, error) { return 0, nil }
func (*reserved) Cancel(context.Context, int) (int, error)   { return 0, nil }
func (*reserved) Fine(context.Context, int) (int, error)     { return 0, nil }

type badShapes struct{}

func (*badShapes) NoCtx(int) (int, error)                                { return 0, nil }
func (*badShapes) ChanIn(context.Context, chan int) (int, error)         { return 0, nil }
func (*badShapes) FuncOut(context.Context, int) (func(), error)          { return nil, nil }
func (*badShapes) IfaceIn(context.Context, error) (int, error)           { return 0, nil }
func (*badShapes) ThreeOut(context.Context, int) (int, int, error)       { return 0, 0, nil }
func (*badShapes) NotErr(context.Context, int) (int, string)             { return 0, "" }
func (*badShapes) unexported(context.Context, int) (int, error)          { return 0, nil } //nolint:unused
func (*badShapes) Second(context.Context, int, int) (int, error)         { return 0, nil }
func (*badShapes) PrivType(context.Context, privateArg) (int, error)     { return 0, nil }
func (*badShapes) StringOut(context.Context, struct{}) (struct{}, error) { return struct{}{}, nil }

type privateArg struct{}

func TestStartRefusesBadReceivers(t *testing.T) {
	info := &plugin.Info{Name: "p"}
	cases := []struct {
		v    any
		info *plugin.Info
		is   error
		text string
	}{
		{valueOnly{}, info, plugin.ErrNoMethods, "pass a pointer"},
		{&reserved{}, info, plugin.ErrReservedMethod, "Cancel, Shutdown"},
		{nil, info, plugin.ErrNoMethods, "nil"},
		{&valueOnly{}, nil, plugin.ErrInvalidInfo, "name"},
		{&valueOnly{}, &plugin.Info{}, plugin.ErrInvalidInfo, "name"},
	}
	for _, c := range cases {
		a, b := net.Pipe()
		err := new(plugin.Plugin).Start(c.v, c.info, a, nil)
		a.Close()
		b.Close()
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("Start(%T): %v; want %v mentioning %q", c.v, err, c.is, c.text)
		}
	}
}

// rawSocket plays the socket with a gob encoder and decoder of the test's
// own types, as a brpc socket would.
type rawSocket struct {
	t   *testing.T
	c   net.Conn
	enc *gob.Encoder
	dec *gob.Decoder
}

type rawFn struct {
	Name          string
	Input, Output *rawEntity
}
type rawEntity struct {
	Type   string
	Fields []rawEntity
	Name   string
}
type rawHello struct {
	Name, Version string
	Functions     map[string]rawFn
	Caps          []string
	Token         string
}
type rawEnv struct {
	Seq                  uint64
	Trace, Method, Error string
	Payload              []byte
}

func (r *rawSocket) send(e rawEnv) {
	r.t.Helper()
	if err := r.enc.Encode(e); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawSocket) recv() rawEnv {
	r.t.Helper()
	var e rawEnv
	_ = r.c.SetReadDeadline(time.Now().Add(deadline))
	if err := r.dec.Decode(&e); err != nil {
		r.t.Fatal(err)
	}
	return e
}

type calc struct {
	hook    chan any
	release chan struct{}
	ctxErr  chan error
}

type Sum struct {
	A int `json:"a"`
	B int `json:"b"`
}

func (c *calc) Add(_ context.Context, s Sum) (int, error) { return s.A + s.B, nil }
func (c *calc) Wait(ctx context.Context, _ int) (int, error) {
	select {
	case <-c.release:
		return 1, nil
	case <-ctx.Done():
		c.ctxErr <- ctx.Err()
		return 0, ctx.Err()
	}
}
func (c *calc) Boom(context.Context, int) (int, error) { panic("kaboom") }
func (c *calc) Progress(ctx context.Context, n int) (int, error) {
	for i := range n {
		if err := plugin.Notify(ctx, i); err != nil {
			return 0, err
		}
	}
	return n, nil
}
func (c *calc) TraceKey(ctx context.Context, _ int) (string, error) {
	// Read through a derived context: the values must survive it.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, _ := ctx.Value(traceKey{}).(string)
	return s + "/" + plugin.Trace(ctx), nil
}

type traceKey struct{}

func startRaw(t *testing.T, v any, info *plugin.Info, opts ...plugin.Option) (*rawSocket, *rawHello, chan error) {
	t.Helper()
	return startRawKey(t, v, info, traceKey{}, opts...)
}

// startRawKey is startRaw with ctxKey as Start's last argument.
func startRawKey(t *testing.T, v any, info *plugin.Info, ctxKey any, opts ...plugin.Option) (*rawSocket, *rawHello, chan error) {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan error, 1)
	ended := make(chan struct{})
	p, err := plugin.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(ended)
		done <- p.Start(v, info, b, ctxKey)
	}()
	r := &rawSocket{t: t, c: a, enc: gob.NewEncoder(a), dec: gob.NewDecoder(a)}
	var h rawHello
	_ = a.SetReadDeadline(time.Now().Add(deadline))
	if err := r.dec.Decode(&h); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a.Close()
		select {
		case <-ended:
		case <-time.After(deadline):
			t.Error("plugin did not end")
		}
	})
	return r, &h, done
}

func TestRawSocketDrivesPlugin(t *testing.T) {
	c := &calc{release: make(chan struct{}), ctxErr: make(chan error, 1)}
	info := &plugin.Info{Name: "calc", Version: "2", Functions: map[string]plugin.Function{
		// Hand-written: b is optional. Reflection keeps the shape.
		"Add": {Input: &plugin.Entity{Type: "wrong", Fields: []plugin.Entity{{Name: "b", Mandatory: false}, {Name: "a", Mandatory: true}}}},
	}}
	r, h, done := startRaw(t, c, info, plugin.WithToken("tok"))
	if h.Name != "calc" || h.Version != "2" || h.Token != "tok" || len(h.Caps) != 1 || h.Caps[0] != "cancel" {
		t.Fatalf("handshake %+v", h)
	}
	add := h.Functions["Add"]
	if add.Input.Type != "struct" || len(add.Input.Fields) != 2 || add.Output.Type != "int" {
		t.Fatalf("Add described as %+v / %+v", add.Input, add.Output)
	}
	if _, ok := h.Functions["Boom"]; !ok || len(h.Functions) != 5 {
		t.Fatalf("functions %v", h.Functions)
	}

	r.send(rawEnv{Seq: 7, Trace: "tr", Method: "Add", Payload: []byte(`{"a":2,"b":3}`)})
	if e := r.recv(); e.Seq != 7 || e.Trace != "tr" || e.Method != "Add" || string(e.Payload) != "5" || e.Error != "" {
		t.Fatalf("Add answer %+v", e)
	}
	r.send(rawEnv{Seq: 8, Method: "Boom"})
	if e := r.recv(); e.Seq != 8 || !strings.HasPrefix(e.Error, "panic: kaboom") || len(e.Payload) != 0 {
		t.Fatalf("Boom answer %+v", e)
	}
	r.send(rawEnv{Seq: 9, Method: "Nope"})
	if e := r.recv(); e.Error != "method not found" {
		t.Fatalf("Nope answer %+v", e)
	}
	r.send(rawEnv{Seq: 10, Method: "Add", Payload: []byte(`"not a struct"`)})
	if e := r.recv(); !strings.Contains(e.Error, "bad argument for Add") {
		t.Fatalf("bad argument answer %+v", e)
	}
	r.send(rawEnv{Seq: 11, Trace: "abc", Method: "TraceKey", Payload: []byte("0")})
	if e := r.recv(); string(e.Payload) != `"abc/abc"` {
		t.Fatalf("TraceKey answer %+v (%s)", e, e.Payload)
	}
	// Async values from Notify come before the method's answer, in order.
	r.send(rawEnv{Seq: 12, Method: "Progress", Payload: []byte("3")})
	for i := range 3 {
		if e := r.recv(); e.Method != "Async" || string(e.Payload) != string(rune('0'+i)) {
			t.Fatalf("progress %d: %+v", i, e)
		}
	}
	if e := r.recv(); e.Seq != 12 || string(e.Payload) != "3" {
		t.Fatalf("Progress answer %+v", e)
	}
	// Cancel ends the method's context; its answer still comes.
	r.send(rawEnv{Seq: 13, Method: "Wait", Payload: []byte("0")})
	r.send(rawEnv{Seq: 13, Method: "Cancel"})
	if err := <-c.ctxErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("context ended with %v", err)
	}
	if e := r.recv(); e.Seq != 13 || e.Error != context.Canceled.Error() {
		t.Fatalf("Wait answer %+v", e)
	}
	// A stop request: in-flight requests finish and are answered, new ones
	// are refused, then the plugin closes and Start returns nil.
	r.send(rawEnv{Seq: 14, Method: "Wait", Payload: []byte("0")})
	r.send(rawEnv{Method: "Shutdown", Trace: "bye"})
	r.send(rawEnv{Seq: 15, Method: "Add", Payload: []byte(`{"a":1}`)})
	if e := r.recv(); e.Seq != 15 || e.Error != "connection is shut down" {
		t.Fatalf("request after stop: %+v", e)
	}
	close(c.release)
	if e := r.recv(); e.Seq != 14 || string(e.Payload) != "1" {
		t.Fatalf("in-flight answer: %+v", e)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Start = %v after a stop request", err)
		}
	case <-time.After(deadline):
		t.Fatal("plugin did not stop")
	}
}

func TestRejectionCarriesReason(t *testing.T) {
	r, _, done := startRaw(t, &calc{}, &plugin.Info{Name: "calc"})
	r.send(rawEnv{Method: "Shutdown", Error: "a plugin named \"calc\" is already connected"})
	select {
	case err := <-done:
		if !errors.Is(err, plugin.ErrRejected) || !strings.Contains(err.Error(), "already connected") {
			t.Fatalf("Start = %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("plugin did not stop")
	}
}

func TestLostConnectionCancelsInFlight(t *testing.T) {
	c := &calc{release: make(chan struct{}), ctxErr: make(chan error, 1)}
	r, _, done := startRaw(t, c, &plugin.Info{Name: "calc"})
	r.send(rawEnv{Seq: 1, Method: "Wait", Payload: []byte("0")})
	r.send(rawEnv{Method: "Shutdown"}) // stopping, waiting for Wait...
	r.c.Close()                        // ...when the connection breaks
	if err := <-c.ctxErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("in-flight context: %v", err)
	}
	if err := <-done; !errors.Is(err, plugin.ErrDisconnected) {
		t.Fatalf("Start = %v", err)
	}
}

func TestServeDialsFromEnvironment(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			var lis net.Listener
			var err error
			addr := ""
			if network == "tcp" {
				lis, err = net.Listen("tcp", "127.0.0.1:0")
				addr = lis.Addr().String()
			} else {
				path := filepath.Join(t.TempDir(), "sb.sock")
				lis, err = net.Listen("unix", path)
				addr = "unix:" + path
			}
			if err != nil {
				t.Fatal(err)
			}
			defer lis.Close()
			t.Setenv(plugin.EnvAddr, addr)
			t.Setenv(plugin.EnvToken, "from-env")
			done := make(chan error, 1)
			go func() { done <- plugin.Serve(&calc{}, &plugin.Info{Name: "calc"}) }()
			c, err := lis.Accept()
			if err != nil {
				t.Fatal(err)
			}
			r := &rawSocket{t: t, c: c, enc: gob.NewEncoder(c), dec: gob.NewDecoder(c)}
			var h rawHello
			if err := r.dec.Decode(&h); err != nil || h.Token != "from-env" {
				t.Fatalf("handshake %+v, %v", h, err)
			}
			r.send(rawEnv{Method: "Shutdown"})
			if err := <-done; err != nil {
				t.Fatalf("Serve = %v", err)
			}
		})
	}
	t.Run("no address", func(t *testing.T) {
		t.Setenv(plugin.EnvAddr, "")
		os.Unsetenv(plugin.EnvAddr)
		if err := plugin.Serve(&calc{}, &plugin.Info{Name: "calc"}); !errors.Is(err, plugin.ErrNoAddress) {
			t.Fatalf("Serve = %v", err)
		}
	})
}

// dyn has only methods whose argument and result are any, which the plugin
// calls without reflection: they must answer as any other method does.
type dyn struct{}

func (dyn) Echo(_ context.Context, in any) (any, error) { return in, nil }
func (dyn) Fail(_ context.Context, in any) (any, error) { return nil, fmt.Errorf("failed on %v", in) }
func (dyn) Boom(context.Context, any) (any, error)      { panic("kaboom") }
func (dyn) Nil(context.Context, any) (any, error)       { return nil, nil }
func (dyn) Trace(ctx context.Context, _ any) (any, error) {
	s, _ := ctx.Value(traceKey{}).(string)
	return s + "/" + plugin.Trace(ctx), nil
}

func TestAnyMethodsAnswerLikeOthers(t *testing.T) {
	r, _, _ := startRaw(t, dyn{}, &plugin.Info{Name: "dyn", Version: "1"})
	for i, c := range []struct{ method, in, out, err string }{
		{"Echo", `{"a":[1,"x",null,true]}`, `{"a":[1,"x",null,true]}`, ""},
		{"Echo", ``, `null`, ""},
		{"Echo", `{"a":`, ``, "bad argument for Echo: unexpected end of JSON input"},
		{"Fail", `2`, ``, "failed on 2"},
		{"Boom", `2`, ``, "panic: kaboom"},
		{"Nil", `2`, `null`, ""},
	} {
		seq := uint64(20 + i)
		r.send(rawEnv{Seq: seq, Method: c.method, Payload: []byte(c.in)})
		if e := r.recv(); e.Seq != seq || string(e.Payload) != c.out || e.Error != c.err {
			t.Errorf("%s(%s): answer %+v (%s); want %s, error %q", c.method, c.in, e, e.Payload, c.out, c.err)
		}
	}
	r.send(rawEnv{Seq: 30, Trace: "abc", Method: "Trace"})
	if e := r.recv(); string(e.Payload) != `"abc/abc"` {
		t.Fatalf("Trace answer %+v (%s)", e, e.Payload)
	}
}
