package lua_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/switchboard-rpc/switchboard/scripting"
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
	e := converter(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var want any
		if json.Unmarshal(data, &want) != nil {
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
