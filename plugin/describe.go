package plugin

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
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

// structFields lists the JSON-visible fields of t in field order, as
// encoding/json sees them: embedded structs without a JSON name are
// flattened, and a name given by more than one field goes to the dominant
// one (see jsonFields).
func structFields(t reflect.Type, seen map[reflect.Type]bool) []Entity {
	var out []Entity
	for _, f := range jsonFields(t) {
		if f.hidden {
			continue
		}
		e := describe(f.typ, seen)
		if e == nil {
			e = &Entity{Type: "struct"}
		}
		e.Name = f.name
		e.Mandatory = !hasOpt(f.opts, "omitempty") && !hasOpt(f.opts, "omitzero")
		out = append(out, *e)
	}
	return out
}

// jsonField is one field encoding/json would encode, found at index (the
// path of field numbers through embedded structs) under name.
type jsonField struct {
	name   string
	opts   string
	tagged bool // the name comes from a json tag
	index  []int
	typ    reflect.Type
	hidden bool // tagged brpc:"-", itself or an embedded struct it comes from
}

// jsonFields returns the fields of struct t that encoding/json encodes,
// ordered by index, by its rules: embedded structs without a JSON name are
// walked breadth first, each struct type once; of the fields sharing a name,
// the shallowest wins, a tagged one beats untagged ones at its depth, and a
// tie (two at the shallowest depth, both tagged or both untagged) hides
// them all, as does a struct type embedded twice at one depth. Fields tagged
// brpc:"-" take part (they hide deeper fields of their name, as in JSON) but
// are marked hidden.
func jsonFields(t reflect.Type) []jsonField {
	type level struct {
		typ    reflect.Type
		index  []int
		hidden bool
	}
	var fields []jsonField
	next := []level{{typ: t}}
	nextCount := map[reflect.Type]int{}
	visited := map[reflect.Type]bool{}
	for len(next) > 0 {
		current := next
		count := nextCount
		next, nextCount = nil, map[reflect.Type]int{}
		for _, l := range current {
			if visited[l.typ] {
				continue
			}
			visited[l.typ] = true
			for i := 0; i < l.typ.NumField(); i++ {
				sf := l.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validJSONName(name) {
					name = ""
				}
				index := append(append(make([]int, 0, len(l.index)+1), l.index...), i)
				hidden := l.hidden || sf.Tag.Get("brpc") == "-"
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name != "" || !sf.Anonymous || ft.Kind() != reflect.Struct {
					f := jsonField{name: name, opts: opts, tagged: name != "", index: index, typ: sf.Type, hidden: hidden}
					if f.name == "" {
						f.name = sf.Name
					}
					fields = append(fields, f)
					if count[l.typ] > 1 {
						// The struct is embedded more than once at this
						// depth: its fields come in twice, so that the tie
						// hides them.
						fields = append(fields, f)
					}
					continue
				}
				nextCount[ft]++
				if nextCount[ft] == 1 {
					next = append(next, level{typ: ft, index: index, hidden: hidden})
				}
			}
		}
	}
	return dominant(fields)
}

// dominant keeps, of each group of fields sharing a name, the one that
// dominates (none on a tie), and returns them ordered by index.
func dominant(fields []jsonField) []jsonField {
	slices.SortStableFunc(fields, func(a, b jsonField) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	out := fields[:0]
	for i := 0; i < len(fields); {
		j := i + 1
		for j < len(fields) && fields[j].name == fields[i].name {
			j++
		}
		// fields[i] is the shallowest, tagged first; a second one just as
		// deep and just as tagged is a tie.
		if j-i == 1 || len(fields[i+1].index) != len(fields[i].index) || fields[i+1].tagged != fields[i].tagged {
			out = append(out, fields[i])
		}
		i = j
	}
	slices.SortFunc(out, func(a, b jsonField) int { return slices.Compare(a.index, b.index) })
	return out
}

// validJSONName reports whether encoding/json accepts name from a tag; it
// uses the Go field name otherwise.
func validJSONName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case unicode.IsLetter(c), unicode.IsDigit(c):
		default:
			return false
		}
	}
	return true
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

// DeepCopy returns a copy of f that shares nothing with it (brpc's method,
// kept for code written for brpc). It does not block.
func (f *Function) DeepCopy() Function { return f.deepCopy() }

// DeepCopy returns a copy of e that shares nothing with it, or nil for a nil
// e (brpc's method, kept for code written for brpc). It does not block.
func (e *Entity) DeepCopy() *Entity { return e.deepCopy() }
