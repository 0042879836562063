package lua_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

func newLua(rt *scripting.Runtime) (scripting.Engine, error) { return lua.New(rt) }

// setup returns a runtime over a socket with the plugins "echo" and "ctl"
// (scripttest.Control) attached.
func setup(t *testing.T, cfg scripting.Config) *scripttest.Env {
	t.Helper()
	s := scripttest.Socket(t)
	scripttest.Attach(t, s, "echo")
	scripttest.AttachControl(t, s)
	return scripttest.NewEnv(t, s, cfg)
}

// run runs src as a script and returns its stdout.
func run(t *testing.T, env *scripttest.Env, src string, args ...string) (string, error) {
	t.Helper()
	err := scripttest.Run(t, env, newLua, "main.lua", src, args...)
	return env.Stdout.String(), err
}

// expect runs src, which must succeed and print want.
func expect(t *testing.T, src, want string, args ...string) *scripttest.Env {
	t.Helper()
	env := setup(t, scripting.Config{})
	out, err := run(t, env, src, args...)
	if err != nil {
		t.Fatalf("script failed: %v\nstdout:\n%s", err, out)
	}
	if strings.TrimSpace(out) != strings.TrimSpace(want) {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	return env
}

func asScriptError(t *testing.T, err error) *scripting.ScriptError {
	t.Helper()
	var se *scripting.ScriptError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v, want a *scripting.ScriptError", err, err)
	}
	return se
}
