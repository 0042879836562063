package main

import (
	"testing"

	"go.uber.org/goleak"

	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/plugintest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestTransforms(t *testing.T) {
	s := plugintest.NewSocket(t)
	plugintest.Connect(t, s, &Echo{}, &plugin.Info{Name: "echo"})
	for method, want := range map[string]string{"Echo": "héllo, wörld", "Upper": "HÉLLO, WÖRLD", "Reverse": "dlröw ,olléh"} {
		got, err := s.Call("", "echo", method, Message{Text: "héllo, wörld"})
		if err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if text := got.(map[string]any)["text"]; text != want {
			t.Errorf("%s = %q, want %q", method, text, want)
		}
	}
}
