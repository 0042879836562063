package socket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-rpc/switchboard/internal/jsonrpc"
	"github.com/switchboard-rpc/switchboard/socket"
)

// tooLarge is a result the socket passes on as it is (JSON-RPC's parser
// checks its syntax only) that does not decode: no float64 holds 1e400.
const tooLarge = `1e400`

// answerRaw serves n requests of p, answering each with result as it is.
func answerRaw(p *jpeer, n int, result string) {
	for range n {
		req, _ := p.read()
		p.writeRaw(jsonrpc.Append(nil, p.f, fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%v,"result":%s}`, req["id"], result)))
	}
}

// A broadcast's part whose result does not decode is reported to the
// observer as the ErrBadResponse the caller gets, with the answer's size,
// and counted in the broadcast's Failed; the other plugin's part is ok.
// Both plugins are JSON-RPC peers over TCP.
func TestObserverSeesBroadcastPartThatDoesNotDecode(t *testing.T) {
	rec := newRecorder()
	s := newSocket(t, socket.WithObserver(rec))
	addr := listen(t, s)
	good, bad := dialJSON(t, addr, jsonrpc.Lines), dialJSON(t, addr, jsonrpc.Lines)
	good.mustRegister("good", nil)
	bad.mustRegister("bad", nil)
	go answerRaw(good, 1, `"fine"`)
	go answerRaw(bad, 1, tooLarge)

	results, errs := s.Broadcast("t1", "echo", "x")
	if len(results) != 1 || results["good"] != "fine" || len(errs) != 1 || !errors.Is(errs["bad"], socket.ErrBadResponse) {
		t.Fatalf("broadcast: %v, %v", results, errs)
	}
	calls, bcs, _ := rec.snapshot()
	if len(calls) != 2 {
		t.Fatalf("%d calls observed, want 2: %+v", len(calls), calls)
	}
	for _, c := range calls {
		switch c.Plugin {
		case "good":
			if c.Err != nil || !c.Broadcast || c.ResponseBytes != len(`"fine"`) {
				t.Errorf("good's part observed as %+v", c)
			}
		case "bad":
			if !errors.Is(c.Err, socket.ErrBadResponse) || c.Err.Error() != errs["bad"].Error() || !c.Broadcast ||
				c.ResponseBytes != len(tooLarge) || c.Trace != "t1" || c.Duration <= 0 {
				t.Errorf("bad's part observed as %+v", c)
			}
		default:
			t.Errorf("unexpected part %+v", c)
		}
	}
	if len(bcs) != 1 || bcs[0].Plugins != 2 || bcs[0].Failed != 1 {
		t.Errorf("broadcasts %+v", bcs)
	}
}

// BroadcastJSONCheck's check makes a plugin's part fail, for the caller
// and the observer alike, as a *CallError wrapping ErrBadResponse and the
// check's error; BroadcastJSON passes the same bytes through as a success.
func TestBroadcastJSONCheck(t *testing.T) {
	rec := newRecorder()
	s := newSocket(t, socket.WithObserver(rec))
	p := dialJSON(t, listen(t, s), jsonrpc.Lines)
	p.mustRegister("py", nil)
	go answerRaw(p, 2, tooLarge)

	refused := errors.New("no such number")
	check := func(name string, out json.RawMessage) error {
		if name != "py" || string(out) != tooLarge {
			return fmt.Errorf("checked %s's %q", name, out)
		}
		return refused
	}
	results, errs := s.BroadcastJSONCheck(context.Background(), "t1", "echo", nil, check)
	var ce *socket.CallError
	if len(results) != 0 || !errors.As(errs["py"], &ce) || ce.Plugin != "py" || ce.Method != "echo" ||
		!errors.Is(errs["py"], socket.ErrBadResponse) || !errors.Is(errs["py"], refused) {
		t.Fatalf("BroadcastJSONCheck: %v, %v", results, errs)
	}
	if results, errs := s.BroadcastJSON(context.Background(), "t2", "echo", nil); len(errs) != 0 || string(results["py"]) != tooLarge {
		t.Fatalf("BroadcastJSON: %q, %v", results, errs)
	}
	calls, _, _ := rec.snapshot()
	if len(calls) != 2 || calls[0].Err != errs["py"] || calls[1].Err != nil {
		t.Fatalf("calls observed %+v", calls)
	}
}

// A CallJSONDeferred call is reported only when Report is called: as it
// ended, or, with a reason, as ErrBadResponse with the answer's size.
func TestCallJSONDeferred(t *testing.T) {
	rec := newRecorder()
	s := newSocket(t, socket.WithObserver(rec))
	p := dialJSON(t, listen(t, s), jsonrpc.Lines)
	p.mustRegister("py", nil)
	go answerRaw(p, 2, `[1,2]`)

	out, d, err := s.CallJSONDeferred(context.Background(), "t1", "py", "echo", []byte(`"a"`))
	if err != nil || string(out) != `[1,2]` {
		t.Fatalf("first call: %q, %v", out, err)
	}
	if calls, _, _ := rec.snapshot(); len(calls) != 0 {
		t.Fatalf("observed before Report: %+v", calls)
	}
	d.Report(errors.New("not an object"))
	if _, d, err = s.CallJSONDeferred(context.Background(), "t2", "py", "echo", nil); err != nil {
		t.Fatal(err)
	}
	d.Report(nil)
	_, d, err = s.CallJSONDeferred(context.Background(), "t3", "ghost", "echo", nil)
	d.Report(errors.New("ignored: the call failed"))
	if !errors.Is(err, socket.ErrPluginNotFound) {
		t.Fatalf("call to a missing plugin: %v", err)
	}
	calls, _, _ := rec.snapshot()
	if len(calls) != 3 {
		t.Fatalf("%d calls observed, want 3: %+v", len(calls), calls)
	}
	if c := calls[0]; c.Trace != "t1" || !errors.Is(c.Err, socket.ErrBadResponse) ||
		c.Err.Error() != "py.echo: bad response: not an object" || c.RequestBytes != 3 || c.ResponseBytes != 5 || c.Duration <= 0 {
		t.Errorf("refused result observed as %+v", c)
	}
	if c := calls[1]; c.Trace != "t2" || c.Err != nil || c.ResponseBytes != 5 {
		t.Errorf("taken result observed as %+v", c)
	}
	if c := calls[2]; c.Trace != "t3" || !errors.Is(c.Err, socket.ErrPluginNotFound) || errors.Is(c.Err, socket.ErrBadResponse) {
		t.Errorf("failed call observed as %+v", c)
	}
	var zero socket.Deferred
	zero.Report(errors.New("nobody listens")) // no observer: nothing, no panic
}
