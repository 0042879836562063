package lua_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/lua"
)

// converter returns an engine without a socket, for conversions.
func converter(t testing.TB) *lua.Engine {
	rt := scripting.New(nil, scripting.Config{})
	t.Cleanup(func() { _ = rt.Close() })
	e, err := lua.New(rt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e
}

var jsonSeeds = []string{
	`null`, `true`, `0`, `-0`, `1.5`, `9007199254740992`, `-9007199254740991`, `1e300`, `1e-7`, `"x"`,
	`""`, `"\u00fc\n\t\"\\"`, `"\ud800"`, `[]`, `{}`, `[1,"a",null,true,[],{}]`, `{"a":{"b":[null,{"c":1}]}}`,
	`{"1":1,"2":2}`, `[[[[[]]]]]`, `{"":0}`, `[null]`, `{"k":null}`,
}

// FuzzJSONRoundTrip: JSON -> Lua -> JSON keeps the value (as Go decodes it).
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
	e := converter(f)
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
