package brpc_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/switchboard-rpc/switchboard/compat/brpc"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// brpc's Options is an interface, and WithKeySequencer renames a plugin
// whose name is taken.
func TestWithKeySequencer(t *testing.T) {
	var opt brpc.Options = brpc.WithKeySequencer(func(name string) string { return name + "+" }, 2)
	if reflect.TypeFor[brpc.Options]().Kind() != reflect.Interface {
		t.Fatal("Options is not an interface")
	}
	h := newHub(t, opt)
	h.connect(newCalc(), "w")
	h.connect(newCalc(), "w+")                      // what the sequencer gives the next "w"
	h.start(newCalc(), &brpc.PluginInfo{Name: "w"}) // w, w+ taken: w++
	if !h.s.WaitFor("w++", deadline) {
		t.Fatalf("the third w was not renamed w++: %v", names(h.s.Connected(false)))
	}
	// The attempts are spent (w+, w++): the fourth is refused.
	err := recv(t, h.start(newCalc(), &brpc.PluginInfo{Name: "w"}), "Start's error")
	if !errors.Is(err, plugin.ErrRejected) {
		t.Fatalf("fourth w: %v, want plugin.ErrRejected", err)
	}
	if got := names(h.s.Connected(false)); !reflect.DeepEqual(got, []string{"w", "w+", "w++"}) {
		t.Fatalf("connected: %v", got)
	}
}

// As in brpc, a sequencer without a function or attempts resolves nothing
// (the socket's own option would refuse it): a taken name is refused.
func TestWithKeySequencerThatResolvesNothing(t *testing.T) {
	for _, opt := range []brpc.Options{brpc.WithKeySequencer(nil, 3), brpc.WithKeySequencer(strconv.Quote, 0), nil} {
		h := newHub(t, opt)
		h.connect(newCalc(), "w")
		err := recv(t, h.start(newCalc(), &brpc.PluginInfo{Name: "w"}), "Start's error")
		if !errors.Is(err, plugin.ErrRejected) {
			t.Fatalf("second w: %v, want plugin.ErrRejected", err)
		}
		if res, err := h.s.Call("", "w", "Add", [2]float64{1, 1}); err != nil || res != 2.0 {
			t.Fatalf("the first w: %v, %v", res, err)
		}
	}
}

func names(m map[string]*brpc.PluginInfo) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Async yields brpc's AsyncData (Name and Payload, nothing else) for the
// values plugins send through their hook, and only those: no "connected"
// texts as brpc mixes in. After Shutdown it fails with ErrShutdown.
func TestAsyncData(t *testing.T) {
	typ := reflect.TypeFor[brpc.AsyncData]()
	if typ.NumField() != 2 || typ.Field(0).Name != "Name" || typ.Field(1).Name != "Payload" ||
		typ.Field(0).Tag != `json:"name,omitempty"` || typ.Field(1).Tag != `json:"payload,omitempty"` {
		t.Fatalf("AsyncData is not brpc's: %v", typ)
	}
	h := newHub(t)
	h.connect(newCalc(), "calc")
	if _, err := h.s.Call("", "calc", "Emit", "tick"); err != nil {
		t.Fatal(err)
	}
	got := make(chan *brpc.AsyncData, 1)
	go func() {
		a, _ := h.s.Async()
		got <- a
	}()
	if a := recv(t, got, "async value"); !reflect.DeepEqual(a, &brpc.AsyncData{Name: "calc", Payload: "tick"}) {
		t.Fatalf("Async = %+v, want the value the plugin sent", a)
	}
	if err := h.s.Shutdown(""); err != nil {
		t.Fatal(err)
	}
	if a, err := h.s.Async(); err != brpc.ErrShutdown || a != nil {
		t.Fatalf("Async after Shutdown = %v, %v; want nil, ErrShutdown", a, err)
	}
}

// Broadcast returns brpc's two maps, every plugin in exactly one, with
// brpc's errors; both are empty, not nil, with no plugin or after Shutdown.
func TestBroadcastMaps(t *testing.T) {
	h := newHub(t)
	res, errs := h.s.Broadcast("", "Fail", "x")
	if res == nil || errs == nil || len(res)+len(errs) != 0 {
		t.Fatalf("no plugin: %#v, %#v; want two empty maps", res, errs)
	}
	h.connect(newCalc(), "a")
	h.connect(newCalc(), "b")
	h.connect(&other{}, "c")
	res, errs = h.s.Broadcast("", "Fail", "x")
	want := map[string]error{"a": errors.New("x"), "b": errors.New("x"), "c": brpc.ErrMethodNotFound}
	if len(res) != 0 || !reflect.DeepEqual(errs, want) || errs["c"] != brpc.ErrMethodNotFound {
		t.Fatalf("Broadcast Fail = %#v, %#v", res, errs)
	}
	res, errs = h.s.Broadcast("", "Add", [2]float64{2, 3})
	if !reflect.DeepEqual(res, map[string]any{"a": 5.0, "b": 5.0}) || !reflect.DeepEqual(errs, map[string]error{"c": brpc.ErrMethodNotFound}) {
		t.Fatalf("Broadcast Add = %#v, %#v", res, errs)
	}
	// An argument encoding/json refuses fails every plugin, as each of
	// brpc's calls would.
	res, errs = h.s.Broadcast("", "Add", make(chan int))
	var unsupported *json.UnsupportedTypeError
	if len(res) != 0 || len(errs) != 3 || !errors.As(errs["a"], &unsupported) {
		t.Fatalf("Broadcast of a channel = %#v, %#v", res, errs)
	}
	if err := h.s.Shutdown(""); err != nil {
		t.Fatal(err)
	}
	res, errs = h.s.Broadcast("", "Add", [2]float64{2, 3})
	if res == nil || errs == nil || len(res)+len(errs) != 0 {
		t.Fatalf("after Shutdown: %#v, %#v; want two empty maps", res, errs)
	}
}

type other struct{}

func (*other) Other(_ context.Context, _ struct{}) (int, error) { return 1, nil }

// Connected and PluginInfo hand out brpc's PluginInfo (plugin.Info), as
// copies; DeepCopy copies the functions only when asked.
func TestConnectedAndPluginInfo(t *testing.T) {
	h := newHub(t)
	h.connect(newCalc(), "calc")
	short := h.s.Connected(false)
	if c := short["calc"]; len(short) != 1 || c.Name != "calc" || c.Version != "1.0.0" || c.Functions != nil {
		t.Fatalf("Connected(false) = %+v", short)
	}
	full := h.s.Connected(true)["calc"]
	add, ok := full.Functions["Add"]
	if !ok || add.Input == nil || add.Input.Type != "[]float64" || add.Output.Type != "float64" {
		t.Fatalf("Connected(true): %+v", full.Functions)
	}
	if _, ok := full.Functions["UseAsyncHook"]; ok || len(full.Functions) != 5 {
		t.Fatalf("functions: %v", full.Functions)
	}
	var info *plugin.Info = h.s.PluginInfo("calc") // the same type
	if !reflect.DeepEqual(info, full) {
		t.Fatalf("PluginInfo = %+v, want %+v", info, full)
	}
	delete(full.Functions, "Add")
	info.Name = "changed"
	if again := h.s.PluginInfo("calc"); again.Name != "calc" || again.Functions["Add"].Input == nil {
		t.Fatalf("changing a copy changed the socket's: %+v", again)
	}
	if h.s.PluginInfo("nobody") != nil {
		t.Fatal("PluginInfo of an absent plugin is not nil")
	}
	c := h.s.PluginInfo("calc")
	if short := c.DeepCopy(false); short.Functions != nil || short.Name != "calc" {
		t.Fatalf("DeepCopy(false) = %+v", short)
	}
	deep := c.DeepCopy(true)
	if !reflect.DeepEqual(deep, c) {
		t.Fatal("DeepCopy(true) differs")
	}
	deep.Functions["Add"].Input.Type = "changed"
	if c.Functions["Add"].Input.Type != "[]float64" {
		t.Fatal("DeepCopy(true) shares its entities")
	}
	// brpc's DeepCopy of a Function and of an Entity, with its signatures.
	var fnCopy func(*brpc.Function) brpc.Function = (*brpc.Function).DeepCopy
	var entityCopy func(*brpc.Entity) *brpc.Entity = (*brpc.Entity).DeepCopy
	add = c.Functions["Add"]
	if f := fnCopy(&add); !reflect.DeepEqual(f, add) || f.Input == add.Input {
		t.Fatalf("Function.DeepCopy = %+v", f)
	}
	if e := entityCopy(add.Output); !reflect.DeepEqual(e, add.Output) || e == add.Output {
		t.Fatalf("Entity.DeepCopy = %+v", e)
	}
}

// TypeDescription is the SDK's, the one the handshake carries.
func TestTypeDescription(t *testing.T) {
	type in struct {
		A string `json:"a"`
		B []byte `json:"b,omitempty"`
	}
	got := brpc.TypeDescription(in{})
	want := &brpc.Entity{Type: "struct", Fields: []brpc.Entity{
		{Name: "a", Type: "string", Mandatory: true}, {Name: "b", Type: "[]byte"},
	}}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(got, plugin.TypeDescription(in{})) {
		t.Fatalf("TypeDescription = %+v", got)
	}
}
