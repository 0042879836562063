package plugin

import (
	"reflect"
	"strings"
)

// TypeDescription describes the type of v (a value, or a reflect.Type) for
// script authors: kind names, struct fields under their JSON names, omitempty
// fields not mandatory, fields tagged `json:"-"` or `brpc:"-"` left out,
// embedded structs flattened, pointers described as what they point to. It
// returns nil for nil and for a struct with no describable fields.
func TypeDescription(v any) *Entity {
	var t reflect.Type
	switch x := v.(type) {
	case nil:
		return nil
	case reflect.Type:
		t = x
	default:
		t = reflect.TypeOf(v)
	}
	return describe(t, map[reflect.Type]bool{})
}

// describe builds the Entity for t; seen guards against recursive types,
// which are described once and then by kind only.
func describe(t reflect.Type, seen map[reflect.Type]bool) *Entity {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if seen[t] {
			return &Entity{Type: "struct"}
		}
		seen[t] = true
		defer delete(seen, t)
		fields := structFields(t, seen)
		if len(fields) == 0 {
			return nil
		}
		return &Entity{Type: "struct", Fields: fields}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return &Entity{Type: "[]byte"}
		}
		return wrap("[]", t.Elem(), seen)
	case reflect.Map:
		return wrap("map["+kindName(t.Key())+"]", t.Elem(), seen)
	case reflect.Interface:
		return &Entity{Type: "any"}
	default:
		return &Entity{Type: kindName(t)}
	}
}

// wrap describes a container whose elements have type elem.
func wrap(prefix string, elem reflect.Type, seen map[reflect.Type]bool) *Entity {
	inner := describe(elem, seen)
	if inner == nil {
		return &Entity{Type: prefix + "struct"}
	}
	return &Entity{Type: prefix + inner.Type, Fields: inner.Fields}
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return "struct"
	case reflect.Interface:
		return "any"
	case reflect.Slice, reflect.Array:
		return "[]" + kindName(t.Elem())
	case reflect.Map:
		return "map[" + kindName(t.Key()) + "]" + kindName(t.Elem())
	}
	return t.Kind().String()
}

// structFields lists the JSON-visible fields of t, flattening embedded structs.
func structFields(t reflect.Type, seen map[reflect.Type]bool) []Entity {
	var out []Entity
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("brpc") == "-" {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			if !seen[ft] {
				seen[ft] = true
				out = append(out, structFields(ft, seen)...)
				delete(seen, ft)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		e := describe(f.Type, seen)
		if e == nil {
			e = &Entity{Type: "struct"}
		}
		e.Name = name
		e.Mandatory = !hasOpt(opts, "omitempty") && !hasOpt(opts, "omitzero")
		out = append(out, *e)
	}
	return out
}

func hasOpt(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// merge combines a description found by reflection with one an author wrote:
// reflection decides the shape, the author decides what is mandatory.
func merge(found, authored *Entity) *Entity {
	if found == nil || authored == nil {
		return found
	}
	out := *found
	out.Mandatory = authored.Mandatory
	if out.Name == "" {
		out.Name = authored.Name
	}
	out.Fields = make([]Entity, len(found.Fields))
	for i, f := range found.Fields {
		out.Fields[i] = f
		for j := range authored.Fields {
			if authored.Fields[j].Name == f.Name {
				out.Fields[i] = *merge(&f, &authored.Fields[j])
				break
			}
		}
	}
	if found.Fields == nil {
		out.Fields = nil
	}
	return &out
}
