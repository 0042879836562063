package scripting_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/proctest"
	"github.com/switchboard-rpc/switchboard/plugin"
	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/socket"
	"github.com/switchboard-rpc/switchboard/spawn"
)

// TestSpawnRealPlugin starts the test binary as a plugin process: it gets
// the address and token, dials in, serves calls, its output is logged with
// its name, and it is stopped when the runtime closes.
func TestSpawnRealPlugin(t *testing.T) {
	s := scripttest.Socket(t, socket.WithToken("s3cret"))
	addr := scripttest.Listen(t, s)
	env := scripttest.NewEnv(t, s, scripting.Config{Addr: addr, Token: "s3cret"})
	p, err := env.RT.Spawn(proctest.Executable(t), []string{"-test.run=^$"}, spawn.Options{
		Name: "kid",
		Env:  map[string]string{envPlugin: "kid", envPrint: "hello"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Pid <= 0 || p.Name != "kid" {
		t.Errorf("process %+v", p)
	}
	if !s.WaitFor("kid", 20*time.Second) {
		t.Fatalf("plugin did not connect; log:\n%s", env.Log)
	}
	out, err := s.CallJSON(ctx(t), "", "kid", "Add", []byte(`{"a":1,"b":2}`))
	if err != nil || string(out) != "3" {
		t.Fatalf("call: %s, %v", out, err)
	}
	scripttest.WaitFor(t, 10*time.Second, func() error {
		log := env.Log.String()
		if !strings.Contains(log, `msg="kid: hello"`) || !strings.Contains(log, `msg="kid: hello (stderr)"`) {
			return fmt.Errorf("output not logged:\n%s", log)
		}
		return nil
	})
	gone := make(chan bool, 1)
	defer s.OnDisconnect(func(info *plugin.Info, graceful bool) { gone <- graceful })()
	if err := env.RT.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("child still running after Close")
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("no disconnect after the child was stopped")
	}
	if _, err := env.RT.Spawn(proctest.Executable(t), nil, spawn.Options{}); !errors.Is(err, scripting.ErrClosed) {
		t.Errorf("Spawn after Close: %v", err)
	}
}

// TestSpawnErrorsAreBadArguments: the binding's errors.Is sees
// ErrBadArgument through spawn's refusals, as a script's error code does.
func TestSpawnErrorsAreBadArguments(t *testing.T) {
	rt := scripting.New(nil, scripting.Config{})
	defer rt.Close()
	if _, err := rt.Spawn("", nil, spawn.Options{}); !errors.Is(err, scripting.ErrBadArgument) ||
		scripting.Code(err) != scripting.CodeBadArgument {
		t.Errorf("empty command: %v", err)
	}
	if _, err := rt.Spawn("sh", nil, spawn.Options{Restart: "sometimes"}); !errors.Is(err, scripting.ErrBadArgument) {
		t.Errorf("Spawn with a bad policy: %v", err)
	}
}
