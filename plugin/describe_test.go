package plugin_test

import (
	"encoding/json"
	"reflect"
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
