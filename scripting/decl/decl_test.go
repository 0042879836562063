package decl

import (
	"bytes"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/yuin/gopher-lua/parse"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// TestTypes checks how entity types read in TypeScript and in LuaLS.
func TestTypes(t *testing.T) {
	tests := []struct {
		e       *plugin.Entity
		in, out string // TypeScript, as an input and as an output
		lua     string
	}{
		{nil, "unknown", "unknown", "any"},
		{&plugin.Entity{Type: "string"}, "string", "string", "string"},
		{&plugin.Entity{Type: "uint16"}, "number", "number", "number"},
		{&plugin.Entity{Type: "[]byte"}, "string", "string", "string"},
		{&plugin.Entity{Type: "any"}, "unknown", "any", "any"},
		{&plugin.Entity{Type: "chan int"}, "unknown", "unknown", "any"},
		{&plugin.Entity{Type: "[][]bool"}, "boolean[][]", "boolean[][]", "boolean[][]"},
		{&plugin.Entity{Type: "map[string]float64"}, "Record<string, number>", "Record<string, number>", "table<string, number>"},
		{&plugin.Entity{Type: "struct"}, "Record<string, unknown>", "Record<string, any>", "table<string, any>"},
		{
			&plugin.Entity{Type: "[]struct", Fields: []plugin.Entity{
				{Name: "id", Type: "int", Mandatory: true},
				{Name: "tags", Type: "map[string][]string"},
				{Name: "x-y", Type: "bool", Mandatory: true},
			}},
			`{ id: number; tags?: Record<string, string[]>; "x-y": boolean }[]`,
			`{ id: number; tags?: Record<string, string[]>; "x-y": boolean }[]`,
			`{ id: number, tags?: table<string, string[]>, ["x-y"]: boolean }[]`,
		},
	}
	for _, tt := range tests {
		s := shapeOf(tt.e)
		if got := tsType(s, true); got != tt.in {
			t.Errorf("%+v as a TypeScript input: %s, want %s", tt.e, got, tt.in)
		}
		if got := tsType(s, false); got != tt.out {
			t.Errorf("%+v as a TypeScript output: %s, want %s", tt.e, got, tt.out)
		}
		if got := luaType(s); got != tt.lua {
			t.Errorf("%+v in LuaLS: %s, want %s", tt.e, got, tt.lua)
		}
	}
}

// TestHostileNames checks that names a plugin chose cannot break out of
// a string literal or a comment.
func TestHostileNames(t *testing.T) {
	plugins := map[string]*plugin.Info{
		"a\"b": {Name: "a\"b", Version: "1\n*/ evil();", Functions: map[string]plugin.Function{
			"M\"\n": {Input: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{{Name: "k\"}", Type: "string", Mandatory: true}}}},
		}},
		"gone": nil,
	}
	var ts, lua bytes.Buffer
	if err := TypeScript(&ts, plugins); err != nil {
		t.Fatal(err)
	}
	if err := Lua(&lua, plugins); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`plugin: "a\"b", method: "M\"\n"`, `payload: { "k\"}": string }`, "//   a\"b 1 * / evil();: M\" \n"} {
		if !strings.Contains(ts.String(), want) {
			t.Errorf("TypeScript lacks %q:\n%s", want, ts.String())
		}
	}
	if strings.Contains(ts.String(), "\nevil") || strings.Contains(lua.String(), "\n*/ evil") {
		t.Error("a version's line break reached the output")
	}
	if strings.Contains(ts.String(), `"gone"`) {
		t.Error("a nil description was declared")
	}
	if !strings.Contains(lua.String(), `---@overload fun(plugin: "a\"b", method: "M\"\n", payload: { ["k\"}"]: string }`) {
		t.Errorf("Lua overload:\n%s", lua.String())
	}
	// JSON's \u escapes are not Lua's: <, > and & as they are, a control
	// character as \ddd.
	lua.Reset()
	amp := map[string]*plugin.Info{"a&b": {Name: "a&b", Functions: map[string]plugin.Function{"M<\x01>": {}}}}
	if err := Lua(&lua, amp); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lua.String(), `plugin: "a&b", method: "M<\001>"`) || strings.Contains(lua.String(), `\u`) {
		t.Errorf("Lua names with <, &, a control character:\n%s", lua.String())
	}
}

// TestSyntax checks that what TypeScript and Lua write parses: the .d.ts
// with esbuild's TypeScript parser, the annotations with gopher-lua's.
// (tsc itself runs in host/cli's TestTypeCheck, where it is installed.)
func TestSyntax(t *testing.T) {
	plugins := map[string]*plugin.Info{
		"echo": {Name: "echo", Version: "1.0.0", Functions: map[string]plugin.Function{
			"Upper": {Input: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{{Name: "text", Type: "string", Mandatory: true}}},
				Output: &plugin.Entity{Type: "struct", Fields: []plugin.Entity{{Name: "text", Type: "string", Mandatory: true}}}},
			"Keys":  {Output: &plugin.Entity{Type: "[]string"}},
			"weird": {Input: &plugin.Entity{Type: "map[string][]struct", Fields: []plugin.Entity{{Name: "a-b", Type: "any"}}}},
		}},
	}
	for _, none := range []bool{false, true} {
		ps := plugins
		if none {
			ps = nil
		}
		var ts, lua bytes.Buffer
		if err := TypeScript(&ts, ps); err != nil {
			t.Fatal(err)
		}
		if err := Lua(&lua, ps); err != nil {
			t.Fatal(err)
		}
		res := api.Transform(ts.String(), api.TransformOptions{Loader: api.LoaderTS, LogLevel: api.LogLevelSilent})
		for _, m := range res.Errors {
			t.Errorf("the .d.ts does not parse (plugins: %v): %s at line %d", !none, m.Text, m.Location.Line)
		}
		if _, err := parse.Parse(strings.NewReader(lua.String()), "switchboard.meta.lua"); err != nil {
			t.Errorf("the Lua annotations do not parse (plugins: %v): %v", !none, err)
		}
	}
}
