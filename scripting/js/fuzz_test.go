package js

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
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

var jsonSeeds = []string{
	`null`, `true`, `0`, `-0`, `1.5`, `9007199254740992`, `-9007199254740991`, `1e300`, `1e-7`, `"x"`,
	`""`, `"\u00fc\n\t\"\\"`, `"\ud800"`, `[]`, `{}`, `[1,"a",null,true,[],{}]`, `{"a":{"b":[null,{"c":1}]}}`,
	`{"1":1,"2":2}`, `[[[[[]]]]]`, `{"":0}`, `{"__proto__":{"x":1}}`, `{"a":1,"a":2}`, " [ 1 , 2 ] ",
}

// FuzzJSONRoundTrip: JSON -> JS (JSON.parse) -> JSON (JSON.stringify)
// keeps the value (as Go decodes it).
func FuzzJSONRoundTrip(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	// Deep nesting: within the limit, just past it, and far past it (which
	// overflowed the stack through goja's JSON.parse).
	for _, n := range []int{900, 10_001, 1_000_000} {
		f.Add(scripttest.Deep(n))
	}
	f.Add([]byte(`{"a":` + strings.Repeat(`{"a":`, 20_000) + `1` + strings.Repeat(`}`, 20_001)))
	e := newConverter(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var want any
		if json.Unmarshal(data, &want) != nil {
			// Not JSON for encoding/json (too deep, too, past 10,000
			// levels): a clean error, never a crash.
			if _, err := e.FromJSON(data); err != nil && !errors.Is(err, scripting.ErrBadArgument) {
				t.Fatalf("FromJSON(%q): %v, want ErrBadArgument", data, err)
			}
			return
		}
		v, err := e.FromJSON(data)
		if err != nil {
			t.Fatalf("FromJSON(%q): %v", data, err)
		}
		out, err := e.ToJSON(v)
		if err != nil {
			t.Fatalf("ToJSON(FromJSON(%q)): %v", data, err)
		}
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("ToJSON gave invalid JSON %q for %q: %v", out, data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip of %q gave %q", data, out)
		}
	})
}

// FuzzJSValueToJSON: any JS value converts to valid JSON, to nothing
// (undefined, a function) or fails with ErrBadArgument; never a hang or a
// panic; and the conversion is stable.
func FuzzJSValueToJSON(f *testing.F) {
	for _, s := range []string{
		`({})`, `[]`, `[1, undefined, function() {}, Symbol()]`, `({a: undefined, b: () => 1, c: 1})`,
		`(() => { const o = {}; o.o = o; return o })()`, `10n`, `NaN`, `Infinity`, `new Date(0)`,
		`({toJSON() { return "x" }})`, `"\ud800"`, `new Map([[1, 2]])`, `[new Error("e")]`, `undefined`,
		`Object.create(null)`, `new Proxy({}, {})`, `(() => { let a = []; for (let i = 0; i < 5000; i++) a = [a]; return a })()`,
	} {
		f.Add(s)
	}
	e := newConverter(f)
	f.Fuzz(func(t *testing.T, src string) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() { e.vm.Interrupt(ctx.Err()); close(fired) })
		v, err := e.vm.RunString(src)
		shown := ""
		if err == nil {
			// The REPL's printer never panics and shows everything.
			shown = e.Inspect(v)
		}
		if !stop() {
			<-fired
		}
		e.vm.ClearInterrupt()
		if err != nil {
			return
		}
		if shown == "" {
			t.Fatalf("Inspect(%s) is empty", src)
		}
		out, err := e.ToJSON(v)
		if err != nil {
			if !errors.Is(err, scripting.ErrBadArgument) {
				t.Fatalf("ToJSON(%s): %v, want ErrBadArgument", src, err)
			}
			return
		}
		if out == nil {
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
		if err != nil {
			t.Fatalf("ToJSON(FromJSON(%q)): %v", out, err)
		}
		// Equal as Go decodes them: goja's JSON.parse turns a lone
		// surrogate escape into U+FFFD, as Go does.
		var a, b any
		if json.Unmarshal(out, &a) != nil || json.Unmarshal(again, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("unstable: %s -> %q -> %q", src, out, again)
		}
	})
}
