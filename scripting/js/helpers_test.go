package js_test

import (
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/js"
)

func newJS(rt *scripting.Runtime) (scripting.Engine, error) { return js.New(rt) }

// this is the engine under test, for the shared helpers of scripttest.
var this = scripttest.Lang{New: newJS, File: "main.js"}

func setup(t *testing.T, cfg scripting.Config) *scripttest.Env { return scripttest.Setup(t, cfg) }

func run(t *testing.T, env *scripttest.Env, src string, args ...string) (string, error) {
	t.Helper()
	return this.Run(t, env, src, args...)
}

func expect(t *testing.T, src, want string, args ...string) *scripttest.Env {
	t.Helper()
	return this.Expect(t, src, want, args...)
}

func asScriptError(t *testing.T, err error) *scripting.ScriptError {
	t.Helper()
	return scripttest.AsScriptError(t, err)
}
