package main

import (
	"reflect"
	"testing"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStore(t *testing.T) {
	s := plugintest.NewSocket(t)
	plugintest.Connect(t, s, &Store{}, &plugin.Info{Name: "kv"})
	call := func(method string, arg any) any {
		t.Helper()
		out, err := s.Call("", "kv", method, arg)
		if err != nil {
			t.Fatalf("%s(%v): %v", method, arg, err)
		}
		return out
	}
	call("Set", map[string]any{"key": "b", "value": []any{1.0, "two"}})
	call("Set", map[string]any{"key": "a", "value": map[string]any{"x": true}})
	if got, want := call("Get", Key{Key: "b"}), map[string]any{"key": "b", "found": true, "value": []any{1.0, "two"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Get b = %v, want %v", got, want)
	}
	if got, want := call("Keys", nil), []any{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if got := call("Delete", Key{Key: "a"}); got.(map[string]any)["found"] != true {
		t.Errorf("Delete a = %v", got)
	}
	if got := call("Get", Key{Key: "a"}); got.(map[string]any)["found"] != false {
		t.Errorf("Get after Delete = %v", got)
	}
	if _, err := s.Call("", "kv", "Set", Entry{}); err == nil {
		t.Error("Set with an empty key succeeded")
	}
}
