package plugin_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/plugin"
)

type Inner struct {
	X float64 `json:"x"`
}

type Base struct {
	ID string `json:"id"`
}

type Node struct {
	Name     string  `json:"name"`
	Children []*Node `json:"children,omitempty"`
}

type Shape struct {
	Base
	Title   string            `json:"title"`
	Tags    []string          `json:"tags,omitempty"`
	Scores  map[string]int    `json:"scores"`
	Inner   *Inner            `json:"inner"`
	Items   []Inner           `json:"items"`
	Secret  string            `json:"-"`
	Hidden  string            `brpc:"-"`
	Untaged bool              //
	Any     any               `json:"any"`
	Blob    []byte            `json:"blob"`
	Meta    map[string]*Inner `json:"meta,omitempty"`
	private int
}

func TestTypeDescription(t *testing.T) {
	inner := []plugin.Entity{{Name: "x", Type: "float64", Mandatory: true}}
	cases := []struct {
		v    any
		want *plugin.Entity
	}{
		{nil, nil},
		{"", &plugin.Entity{Type: "string"}},
		{0, &plugin.Entity{Type: "int"}},
		{new(int64), &plugin.Entity{Type: "int64"}},
		{[]string{}, &plugin.Entity{Type: "[]string"}},
		{map[string]int{}, &plugin.Entity{Type: "map[string]int"}},
		{struct{}{}, nil},
		{struct{ a int }{}, nil},
		{Node{}, &plugin.Entity{Type: "struct", Fields: []plugin.Entity{
			{Name: "name", Type: "string", Mandatory: true},
			{Name: "children", Type: "[]struct"},
		}}},
		{&Shape{}, &plugin.Entity{Type: "struct", Fields: []plugin.Entity{
			{Name: "id", Type: "string", Mandatory: true},
			{Name: "title", Type: "string", Mandatory: true},
			{Name: "tags", Type: "[]string"},
			{Name: "scores", Type: "map[string]int", Mandatory: true},
			{Name: "inner", Type: "struct", Mandatory: true, Fields: inner},
			{Name: "items", Type: "[]struct", Mandatory: true, Fields: inner},
			{Name: "Untaged", Type: "bool", Mandatory: true},
			{Name: "any", Type: "any", Mandatory: true},
			{Name: "blob", Type: "[]byte", Mandatory: true},
			{Name: "meta", Type: "map[string]struct", Fields: inner},
		}}},
	}
	for _, c := range cases {
		got := plugin.TypeDescription(c.v)
		if !reflect.DeepEqual(got, c.want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(c.want)
			t.Errorf("TypeDescription(%T):\n got %s\nwant %s", c.v, g, w)
		}
	}
}

func TestDeepCopy(t *testing.T) {
	orig := &plugin.Info{Name: "p", Version: "1", Functions: map[string]plugin.Function{
		"M": {Name: "M", Input: plugin.TypeDescription(Shape{})},
	}}
	if c := orig.DeepCopy(false); c.Functions != nil || c.Name != "p" || c.Version != "1" {
		t.Fatalf("short copy: %+v", c)
	}
	c := orig.DeepCopy(true)
	if !reflect.DeepEqual(c, orig) {
		t.Fatal("full copy differs")
	}
	c.Functions["M"].Input.Fields[0].Name = "changed"
	if orig.Functions["M"].Input.Fields[0].Name != "id" {
		t.Fatal("the copy shares fields with the original")
	}
	var nilInfo *plugin.Info
	if nilInfo.DeepCopy(true) != nil {
		t.Fatal("copy of nil")
	}
}

// Types for the dominance rules of encoding/json, which TypeDescription
// follows for names given by more than one field.
type (
	shadowInner struct {
		Field string `json:"field,omitempty"`
		Deep  string `json:"deep"`
	}
	// Outer's own field shadows the embedded one: depth wins.
	shadowOuter struct {
		Field string `json:"field"`
		shadowInner
	}
	tagsName struct {
		Name string `json:"Name"`
	}
	// An untagged field at depth 0 still beats a tagged one deeper.
	depthOuter struct {
		Name int
		tagsName
	}
	taggedA struct {
		V int `json:"V"`
	}
	untaggedB struct {
		V string
	}
	// At one depth a tagged field beats an untagged one.
	taggedWins struct {
		untaggedB
		taggedA
	}
	TieA struct {
		W int `json:"w"`
	}
	TieB struct {
		W string `json:"w"`
	}
	TieDeep struct {
		W bool `json:"w"`
	}
	TieDeeper struct {
		TieDeep
	}
	untiedA struct{ U int }
	untiedB struct{ U string }
	// Two untagged at one depth: a tie hides both.
	untaggedTie struct {
		untiedA
		untiedB
		Keep int `json:"keep"`
	}
	twiceX struct {
		twice
	}
	twiceY struct {
		twice
	}
	twice struct {
		T int `json:"t"`
	}
	// The same struct embedded twice at one depth: its fields are hidden.
	embeddedTwice struct {
		twiceX
		twiceY
		Keep int `json:"keep"`
	}
	// A field left out with brpc:"-" still shadows a deeper one of its name.
	hiddenShadows struct {
		Deep string `json:"deep" brpc:"-"`
		shadowInner
	}
	// A tagged embedded struct is a field, not flattened; an invalid tag
	// name falls back to the Go name.
	taggedEmbedded struct {
		shadowInner `json:"inner"`
		Odd         int `json:"a\"b"`
	}
)

// tieHides returns a struct embedding tieA, tieB and tieDeeper, with a
// field keep: two fields tagged "w" at one depth, which hide each other and
// the deeper one. It is built with reflect because go vet rightly reports
// such a struct written out.
func tieHides() any {
	embed := func(v any) reflect.StructField {
		t := reflect.TypeOf(v)
		return reflect.StructField{Name: t.Name(), Type: t, Anonymous: true}
	}
	// reflect.StructOf wants embedded fields exported.
	t := reflect.StructOf([]reflect.StructField{
		embed(TieA{}), embed(TieB{}), embed(TieDeeper{}),
		{Name: "Keep", Type: reflect.TypeFor[int](), Tag: `json:"keep"`},
	})
	return reflect.New(t).Elem().Interface()
}

func TestTypeDescriptionDominance(t *testing.T) {
	str := func(name string, mandatory bool) plugin.Entity {
		return plugin.Entity{Name: name, Type: "string", Mandatory: mandatory}
	}
	cases := []struct {
		rule string
		v    any
		want []plugin.Entity
	}{
		{"depth", shadowOuter{}, []plugin.Entity{str("field", true), str("deep", true)}},
		{"depth beats a tag", depthOuter{}, []plugin.Entity{{Name: "Name", Type: "int", Mandatory: true}}},
		{"tagged beats untagged", taggedWins{}, []plugin.Entity{{Name: "V", Type: "int", Mandatory: true}}},
		{"a tie hides both", tieHides(), []plugin.Entity{{Name: "keep", Type: "int", Mandatory: true}}},
		{"an untagged tie hides both", untaggedTie{}, []plugin.Entity{{Name: "keep", Type: "int", Mandatory: true}}},
		{"embedded twice", embeddedTwice{}, []plugin.Entity{{Name: "keep", Type: "int", Mandatory: true}}},
		{"brpc:\"-\" shadows", hiddenShadows{}, []plugin.Entity{str("field", false)}},
		{"tagged embedded", taggedEmbedded{}, []plugin.Entity{
			{Name: "inner", Type: "struct", Mandatory: true, Fields: []plugin.Entity{str("field", false), str("deep", true)}},
			{Name: "Odd", Type: "int", Mandatory: true},
		}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := plugin.TypeDescription(c.v)
			want := &plugin.Entity{Type: "struct", Fields: c.want}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Fatalf("TypeDescription(%T):\n got %s\nwant %s", c.v, g, w)
			}
			// encoding/json is the oracle: the names are the keys it
			// writes for a value of the type, in its order (but for
			// brpc:"-", which it does not know, and omitempty fields,
			// which it leaves out of a zero value).
			if c.rule == `brpc:"-" shadows` {
				return
			}
			keys := jsonKeys(t, c.v)
			var names []string
			for _, f := range got.Fields {
				if f.Mandatory {
					names = append(names, f.Name)
				}
			}
			if !reflect.DeepEqual(names, keys) {
				t.Fatalf("described %q, encoding/json writes %q", names, keys)
			}
		})
	}
}

// jsonKeys returns the top-level keys encoding/json writes for v, in order.
func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var raw []string
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil { // {
		t.Fatal(err)
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return raw
}

// Function and Entity have brpc's DeepCopy methods.
func TestFunctionAndEntityDeepCopy(t *testing.T) {
	f := plugin.Function{Name: "M", Input: plugin.TypeDescription(Shape{}), Output: plugin.TypeDescription("")}
	c := f.DeepCopy()
	if !reflect.DeepEqual(c, f) {
		t.Fatal("Function.DeepCopy differs")
	}
	c.Input.Fields[0].Name = "changed"
	c.Output.Type = "changed"
	if f.Input.Fields[0].Name != "id" || f.Output.Type != "string" {
		t.Fatal("Function.DeepCopy shares its entities")
	}
	e := f.Input.DeepCopy()
	e.Fields[4].Fields[0].Name = "changed"
	if !reflect.DeepEqual(e.Fields[:4], f.Input.Fields[:4]) || f.Input.Fields[4].Fields[0].Name != "x" {
		t.Fatal("Entity.DeepCopy shares its fields")
	}
	var nilEntity *plugin.Entity
	if nilEntity.DeepCopy() != nil {
		t.Fatal("DeepCopy of a nil Entity")
	}
}

type (
	loopA struct {
		*loopB
		A int `json:"a"`
	}
	loopB struct {
		*loopA
		B int `json:"b"`
	}
)

// Structs that embed each other are walked once each, as encoding/json
// does, and the description ends.
func TestTypeDescriptionEmbeddedCycle(t *testing.T) {
	got := plugin.TypeDescription(loopA{})
	want := &plugin.Entity{Type: "struct", Fields: []plugin.Entity{
		{Name: "b", Type: "int", Mandatory: true}, {Name: "a", Type: "int", Mandatory: true},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("TypeDescription(loopA) = %+v", got)
	}
	b, err := json.Marshal(loopA{loopB: &loopB{B: 1}, A: 2})
	if err != nil || string(b) != `{"b":1,"a":2}` {
		t.Fatalf("encoding/json writes %s, %v", b, err)
	}
}
