package scripting

import (
	"errors"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
)

type fieldsIn struct {
	Text  string `json:"text"`
	Inner struct {
		Depth int `json:"depth"`
	} `json:"inner"`
	Items []struct {
		Name string `json:"name"`
	} `json:"items"`
	Tags   map[string]string `json:"tags"`
	Any    any               `json:"any"`
	Hidden string            `json:"hidden" brpc:"-"`
}

// checkFields against a real description: unknown fields at any depth the
// description covers, with a hint; maps, any and undescribed inputs pass.
func TestCheckFields(t *testing.T) {
	in := plugin.TypeDescription(fieldsIn{})
	for _, c := range []struct{ payload, want string }{
		{`{"text": "x", "inner": {"depth": 1}, "items": [{"name": "a"}], "tags": {"k": "v"}, "any": {"z": 1}}`, ""},
		{`{"TEXT": "x"}`, ""},
		{`{"txt": "x"}`, `unknown field "txt" (did you mean "text"?)`},
		{`{"inner": {"dpeth": 1}}`, `unknown field "inner.dpeth" (did you mean "inner.depth"?)`},
		{`{"items": [{"name": "a"}, {"nmae": "b"}]}`, `unknown field "items[1].nmae" (did you mean "items[1].name"?)`},
		{`{"zzzzzz": 1}`, `unknown field "zzzzzz"`},
		{`{"hidden": "h"}`, `unknown field "hidden"`},
		{`"a string"`, ""},
		{`{"inner": 5}`, ""},
		{`not json`, ""},
	} {
		err := checkFields(in, []byte(c.payload))
		got := ""
		if err != nil {
			got = err.Error()
			if !errors.Is(err, ErrBadArgument) {
				t.Errorf("%s: %v is not ErrBadArgument", c.payload, err)
			}
		}
		if got != c.want {
			t.Errorf("checkFields(%s) = %q, want %q", c.payload, got, c.want)
		}
	}
	// Nested slices: the fast check looks at the objects inside the inner
	// arrays, as the decoding one does.
	type row struct {
		Name string `json:"name"`
	}
	grid := plugin.TypeDescription([][]row{})
	if err := checkFields(grid, []byte(`[[{"name": "a"}, {"nmae": "b"}]]`)); err == nil ||
		err.Error() != `unknown field "[0][1].nmae" (did you mean "[0][1].name"?)` {
		t.Errorf("checkFields([][]row) = %v, want the unknown field nmae", err)
	}
	if err := checkFields(grid, []byte(`[[{"name": "a"}], []]`)); err != nil {
		t.Errorf("checkFields([][]row) of known fields = %v", err)
	}
	if err := checkFields(plugin.TypeDescription(map[string]int{}), []byte(`{"x": 1}`)); err != nil {
		t.Errorf("a map input was checked: %v", err)
	}
	if err := checkFields(nil, []byte(`{"x": 1}`)); err != nil {
		t.Errorf("an undescribed input was checked: %v", err)
	}
}

func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name  string
		cands []string
		want  string
	}{
		{"upper", []string{"Upper", "Reverse"}, "Upper"},
		{"ecoh", []string{"echo", "kv"}, "echo"},
		{"kv", []string{"echo", "ab"}, ""},
		{"Frobnicate", []string{"Upper", "Echo"}, ""},
		{"txt", []string{"text", "tags"}, "text"},
	} {
		if got := closest(c.name, c.cands); got != c.want {
			t.Errorf("closest(%q, %q) = %q, want %q", c.name, c.cands, got, c.want)
		}
	}
}

// FuzzFieldsKnown holds the fast check to the decoding one: when it finds
// every field known, the decoding check finds nothing either.
func FuzzFieldsKnown(f *testing.F) {
	for _, p := range []string{
		`{"text": "x", "inner": {"depth": 1}, "items": [{"name": "a"}], "tags": {"k": "v"}, "any": {"z": 1}}`,
		`{"TEXT": "x"}`, `{"txt": "x"}`, `{"items": [{"name": "a"}, {"nmae": "b"}]}`, `{"inner": {"x":1}, "inner": {"depth":2}}`,
		`{"te\u0078t": 1}`, `[{"name":1}]`, `{"items": 5}`, `{"items": [1, "a", {}]}`, `{"text": 1} junk`,
	} {
		f.Add([]byte(p))
	}
	in := plugin.TypeDescription(fieldsIn{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		if fieldsKnown(in, payload, 0) {
			if err := checkDecoded(in, payload); err != nil {
				t.Fatalf("%q: the fast check passed it, the decoding one says %v", payload, err)
			}
		}
	})
}
