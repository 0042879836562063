package lua

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/switchboard-rpc/switchboard/scripting"
)

func newConverter(t testing.TB) *Engine {
	rt := scripting.New(nil, scripting.Config{})
	t.Cleanup(func() { _ = rt.Close() })
	e, err := New(rt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

// eval evaluates a Lua expression, bounded by ctx.
func (e *Engine) eval(ctx context.Context, src string) (lua.LValue, error) {
	fn, err := e.state.LoadString("return " + src)
	if err != nil {
		return nil, err
	}
	e.state.SetContext(ctx)
	defer e.state.RemoveContext()
	top := e.state.GetTop()
	defer e.state.SetTop(top)
	e.state.Push(fn)
	if err := e.state.PCall(0, 1, nil); err != nil {
		return nil, err
	}
	return e.state.Get(-1), nil
}

// FuzzLuaValueToJSON: any Lua value converts to valid JSON or fails with
// ErrBadArgument (never a hang or a panic), and the conversion is stable.
func FuzzLuaValueToJSON(f *testing.F) {
	for _, s := range []string{
		`{}`, `json.array()`, `{1, 2, 3}`, `{[1] = 1, [3] = 3}`, `{a = 1, [2] = "x"}`, `{[1.5] = true}`,
		`(function() local t = {} t.t = t return t end)()`, `{print}`, `0/0`, `1/0`, `{[1] = 1, ["1"] = 2}`,
		`"\255\254"`, `{json.null, json.null}`, `{[{}] = 1}`, `{[true] = 1}`, `coroutine.create(print)`,
		`(function() local t = {} for i = 1, 2000 do t = {t} end return t end)()`, `(function() local t = {} for i = 1, 20000 do t = {t} end return t end)()`, `2^53`, `-0`, `1e-7`,
	} {
		f.Add(s)
	}
	e := newConverter(f)
	f.Fuzz(func(t *testing.T, src string) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if strings.Contains(src, "exit") || strings.Contains(src, "os.") || strings.Contains(src, "io.") {
			return
		}
		v, err := e.eval(ctx, src)
		if err != nil {
			return
		}
		out, err := e.ToJSON(v)
		if err != nil {
			if !errors.Is(err, scripting.ErrBadArgument) {
				t.Fatalf("ToJSON(%s): %v, want ErrBadArgument", src, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("ToJSON(%s) = %q: invalid JSON", src, out)
		}
		back, err := e.FromJSON(out)
		if err != nil {
			t.Fatalf("FromJSON(%q): %v", out, err)
		}
		again, err := e.ToJSON(back)
		if err != nil || string(again) != string(out) {
			t.Fatalf("unstable: %s -> %q -> %q (%v)", src, out, again, err)
		}
	})
}
