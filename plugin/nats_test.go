package plugin_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
)

type upper struct{}

func (upper) Upper(_ context.Context, s string) (string, error) { return strings.ToUpper(s), nil }

// A NATS plugin's name must be a micro service name and a subject token;
// anything else is refused before the connection is used.
func TestStartNATSRefusesBadName(t *testing.T) {
	for _, name := range []string{"", "a.b", "with space", "star*", "ü"} {
		err := new(plugin.Plugin).StartNATS(upper{}, &plugin.Info{Name: name}, nil)
		if !errors.Is(err, plugin.ErrInvalidInfo) {
			t.Errorf("name %q: %v", name, err)
		}
	}
	if err := new(plugin.Plugin).StartNATS(upper{}, &plugin.Info{Name: "ok"}, nil); !errors.Is(err, plugin.ErrInvalidOption) {
		t.Errorf("a nil connection: %v", err)
	}
}

// Serve with a nats:// address connects to NATS, and says so, hiding the
// password, when it cannot.
func TestServeNATSUnreachable(t *testing.T) {
	t.Setenv(plugin.EnvAddr, "nats://user:secret@127.0.0.1:1")
	t.Setenv(plugin.EnvToken, "")
	err := plugin.Serve(upper{}, &plugin.Info{Name: "upper"})
	if err == nil || !strings.Contains(err.Error(), "connecting to NATS at nats://127.0.0.1:1") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Serve: %v", err)
	}
}
