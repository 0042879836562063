package socket_test

import (
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
)

// InspectInput shows a method's described input in place, and reports
// false (without calling f) for an unknown plugin or method.
func TestInspectInput(t *testing.T) {
	s := newSocket(t)
	plugintest.Connect(t, s, newSvc(), &plugin.Info{Name: "svc", Version: "1"})
	var names []string
	ok := s.InspectInput("svc", "Swap", func(in *plugin.Entity) {
		for _, f := range in.Fields {
			names = append(names, f.Name)
		}
	})
	if !ok || len(names) != 2 || names[0] != "a" || names[1] != "b" {
		t.Fatalf("InspectInput(svc, Swap): %v, fields %v", ok, names)
	}
	called := false
	if s.InspectInput("svc", "Nope", func(*plugin.Entity) { called = true }) || called {
		t.Fatal("InspectInput of an unknown method")
	}
	if s.InspectInput("nobody", "Swap", func(*plugin.Entity) { called = true }) || called {
		t.Fatal("InspectInput of an unknown plugin")
	}
}
