package wire

import (
	"bytes"
	"encoding/gob"
	"testing"
)

// TestTypeCacheSharesDefinitions decodes two streams with the same type
// definitions through one cache: both decode, and the second reuses the
// first's parsed definitions.
func TestTypeCacheSharesDefinitions(t *testing.T) {
	type hello struct {
		Name string
		Tags map[string][]string
	}
	c := NewTypeCache()
	var first map[int64]*typeDef
	for i := range 2 {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(hello{Name: "p", Tags: map[string][]string{"a": {"b"}}}); err != nil {
			t.Fatal(err)
		}
		d := NewDecoder(&buf, 0)
		d.ShareTypes(c)
		var got hello
		if err := d.Decode(&got); err != nil {
			t.Fatal(err)
		}
		if got.Name != "p" || len(got.Tags["a"]) != 1 || got.Tags["a"][0] != "b" {
			t.Fatalf("stream %d decoded %+v", i, got)
		}
		if i == 0 {
			first = d.types
			continue
		}
		for id, def := range d.types {
			if first[id] != def {
				t.Errorf("type %d parsed again for the second stream", id)
			}
		}
	}
	if len(c.defs) == 0 {
		t.Fatal("nothing cached")
	}
}
