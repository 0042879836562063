package jsontok

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// A plain struct is one Encode writes and DecodeInto reads without
// encoding/json: every field json sees is a bool, a string, an integer or a
// float64, not embedded, named by its Go name or a json tag of letters,
// digits, '_' and '-' with at most the omitempty option, and neither the
// struct nor a field's type has JSON or text methods of its own. Any other
// struct goes, whole, to encoding/json.

// field is one field of a plain struct.
type field struct {
	index     int
	name      string
	key       string // `"name":`
	kind      reflect.Kind
	omitEmpty bool
}

// structCodec is what a struct type's fields are, for encoding/json; nil
// fields and plain false when the type is not plain.
type structCodec struct {
	plain  bool
	fields []field
}

// codecs caches the structCodec of every struct type seen.
var codecs sync.Map // reflect.Type -> *structCodec

var (
	typeMarshaler       = reflect.TypeFor[json.Marshaler]()
	typeUnmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	typeTextMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	typeTextUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// hasMethods reports whether t or *t has JSON or text methods.
func hasMethods(t reflect.Type) bool {
	for _, u := range []reflect.Type{t, reflect.PointerTo(t)} {
		if u.Implements(typeMarshaler) || u.Implements(typeUnmarshaler) ||
			u.Implements(typeTextMarshaler) || u.Implements(typeTextUnmarshaler) {
			return true
		}
	}
	return false
}

func codecOf(t reflect.Type) *structCodec {
	if c, ok := codecs.Load(t); ok {
		return c.(*structCodec)
	}
	c, _ := codecs.LoadOrStore(t, buildCodec(t))
	return c.(*structCodec)
}

func buildCodec(t reflect.Type) *structCodec {
	no := &structCodec{}
	if hasMethods(t) {
		return no
	}
	c := &structCodec{plain: true}
	seen := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			return no
		}
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		if !simpleName(name) || (opts != "" && opts != "omitempty") || hasMethods(f.Type) {
			return no
		}
		switch f.Type.Kind() {
		case reflect.Bool, reflect.String, reflect.Float64,
			reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			return no
		}
		if seen[strings.ToLower(name)] {
			return no // encoding/json's rules for clashing names: not ours
		}
		seen[strings.ToLower(name)] = true
		c.fields = append(c.fields, field{index: i, name: name, key: `"` + name + `":`,
			kind: f.Type.Kind(), omitEmpty: opts == "omitempty"})
	}
	return c
}

// simpleName reports whether a JSON key is letters, digits, '_' and '-':
// json.Marshal writes it as it is.
func simpleName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// appendStruct appends v, a struct or a pointer to one, as json.Marshal
// writes it, when its type is plain and its strings are; ok false
// otherwise.
func appendStruct(b []byte, v any) ([]byte, bool) {
	return appendStructValue(b, reflect.ValueOf(v))
}

// AppendValue is Append for the value v holds, without making an interface
// of it first (which copies a struct to the heap) when it is a plain struct
// or a pointer to one.
// It does not block.
func AppendValue(dst []byte, v reflect.Value) ([]byte, error) {
	if b, ok := appendStructValue(dst, v); ok {
		return b, nil
	}
	return Append(dst[:len(dst)], v.Interface())
}

func appendStructValue(b []byte, rv reflect.Value) ([]byte, bool) {
	if rv.Kind() == reflect.Pointer {
		if rv.Type().Elem().Kind() != reflect.Struct {
			return b, false
		}
		if rv.IsNil() {
			if hasMethods(rv.Type().Elem()) {
				return b, false
			}
			return append(b, "null"...), true
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return b, false
	}
	c := codecOf(rv.Type())
	if !c.plain {
		return b, false
	}
	b = append(b, '{')
	first := true
	for _, f := range c.fields {
		fv := rv.Field(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, f.key...)
		switch f.kind {
		case reflect.Bool:
			b = strconv.AppendBool(b, fv.Bool())
		case reflect.String:
			s := fv.String()
			if !plain(s) {
				return b, false
			}
			b = append(append(append(b, '"'), s...), '"')
		case reflect.Float64:
			var ok bool
			if b, ok = appendFloat(b, fv.Float()); !ok {
				return b, false
			}
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			b = strconv.AppendInt(b, fv.Int(), 10)
		default:
			b = strconv.AppendUint(b, fv.Uint(), 10)
		}
	}
	return append(b, '}'), true
}

// DecodeInto is json.Unmarshal(b, v) for v a pointer to a zero value: a
// plain struct (see above) is read in one pass without encoding/json when b
// is an object whose keys are its fields' names as spelled (or none of
// theirs), with values of the fields' kinds, strings of printable ASCII
// without escapes. Anything else, and every error, is json.Unmarshal's, on
// a zero value again.
// It does not block.
func DecodeInto(b []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		if c := codecOf(rv.Elem().Type()); c.plain {
			if decodeStruct(b, rv.Elem(), c) {
				return nil
			}
			rv.Elem().SetZero()
		}
	}
	return json.Unmarshal(b, v)
}

// decodeStruct reads b into sv, and reports whether it could: false leaves
// sv partly set.
func decodeStruct(b []byte, sv reflect.Value, c *structCodec) bool {
	pos := SkipSpace(b, 0)
	if pos >= len(b) || b[pos] != '{' {
		return false
	}
	pos = SkipSpace(b, pos+1)
	if pos < len(b) && b[pos] == '}' {
		return SkipSpace(b, pos+1) == len(b)
	}
	for {
		if pos >= len(b) || b[pos] != '"' {
			return false
		}
		end, plainKey, ok := SkipString(b, pos)
		if !ok || !plainKey {
			return false
		}
		key := b[pos+1 : end-1]
		pos = SkipSpace(b, end)
		if pos >= len(b) || b[pos] != ':' {
			return false
		}
		start := SkipSpace(b, pos+1)
		if end, ok = SkipMember(b, start, 1); !ok { // inside the object
			return false
		}
		var f *field
		for i := range c.fields {
			if c.fields[i].name == string(key) {
				f = &c.fields[i]
				break
			}
			if strings.EqualFold(c.fields[i].name, string(key)) {
				return false // encoding/json matches keys regardless of case
			}
		}
		if f != nil && !setField(sv.Field(f.index), f.kind, b[start:end]) {
			return false
		}
		pos = SkipSpace(b, end)
		if pos >= len(b) {
			return false
		}
		switch b[pos] {
		case ',':
			pos = SkipSpace(b, pos+1)
			continue
		case '}':
			return SkipSpace(b, pos+1) == len(b)
		}
		return false
	}
}

// setField sets fv, of kind k, to the checked JSON value val, as
// json.Unmarshal would; null leaves it. false: val is not of the kind, or
// not plain, or out of range.
func setField(fv reflect.Value, k reflect.Kind, val []byte) bool {
	if string(val) == "null" {
		return true
	}
	switch k {
	case reflect.String:
		if val[0] != '"' {
			return false
		}
		if _, plainStr, _ := SkipString(val, 0); !plainStr {
			return false
		}
		fv.SetString(string(val[1 : len(val)-1]))
	case reflect.Bool:
		switch string(val) {
		case "true":
			fv.SetBool(true)
		case "false":
			fv.SetBool(false)
		default:
			return false
		}
	case reflect.Float64:
		if val[0] != '-' && (val[0] < '0' || val[0] > '9') {
			return false
		}
		f, err := strconv.ParseFloat(string(val), 64)
		if err != nil {
			return false
		}
		fv.SetFloat(f)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(val), 10, fv.Type().Bits())
		if err != nil {
			return false
		}
		fv.SetInt(n)
	default:
		n, err := strconv.ParseUint(string(val), 10, fv.Type().Bits())
		if err != nil {
			return false
		}
		fv.SetUint(n)
	}
	return true
}
