package scripttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// Lang is one engine as the engines' tests use it: how to make it and the
// file name its scripts run under.
type Lang struct {
	New  Engine
	File string // "main.js", "main.lua"
}

// Setup returns a runtime over a socket with the plugins "echo" and "ctl"
// (Control) attached.
func Setup(t *testing.T, cfg scripting.Config) *Env {
	t.Helper()
	s := Socket(t)
	Attach(t, s, "echo")
	AttachControl(t, s)
	return NewEnv(t, s, cfg)
}

// Run runs src as a script in env and returns its stdout.
func (l Lang) Run(t *testing.T, env *Env, src string, args ...string) (string, error) {
	t.Helper()
	err := Run(t, env, l.New, l.File, src, args...)
	return env.Stdout.String(), err
}

// Expect runs src in a new Setup, which must succeed and print want.
func (l Lang) Expect(t *testing.T, src, want string, args ...string) *Env {
	t.Helper()
	env := Setup(t, scripting.Config{})
	out, err := l.Run(t, env, src, args...)
	if err != nil {
		t.Fatalf("script failed: %v\nstdout:\n%s", err, out)
	}
	if strings.TrimSpace(out) != strings.TrimSpace(want) {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	return env
}

// AsScriptError returns err as a *scripting.ScriptError or fails the test.
func AsScriptError(t *testing.T, err error) *scripting.ScriptError {
	t.Helper()
	var se *scripting.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v, want a *scripting.ScriptError", err, err)
	}
	return se
}
