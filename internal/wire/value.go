package wire

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"reflect"
)

// The general decoder: it reads any value of the peer's types (types.go)
// into a Go value through reflection, as gob would, and is what reads the
// handshake. It matches struct fields by name, skips the fields the Go
// value lacks, flattens pointers, and refuses interface values, GobEncoder
// (and Binary/TextMarshaler) values and values whose type does not fit.
//
// It is bounded: every count is checked against what is left of the
// message (every element takes at least one byte) and against the items
// left in the value's budget before anything is allocated, and nesting is
// bounded in depth, so the decoder recurses at most that deep.

// Defaults of the value bounds (see Bounds).
const (
	// DefaultMaxDepth is how deeply structs, slices, maps and arrays may
	// nest in one value.
	DefaultMaxDepth = 100
	// DefaultMaxItems is how many slice and array elements, map entries
	// and pointers one value may hold in all.
	DefaultMaxItems = 1 << 20
)

// ErrBounds is wrapped by the error for a value past the decoder's Bounds:
// nested too deeply, or holding too many items.
var ErrBounds = errors.New("value exceeds the decoder's bounds")

// valueDecoder decodes one value.
type valueDecoder struct {
	types map[int64]*typeDef
	p     parser
	depth int // nesting left
	items int // items left
}

// top decodes a whole value message body (after its type id) of type id
// into v, a settable value.
func (vd *valueDecoder) top(id int64, v reflect.Value) error {
	if t := vd.types[id]; t == nil || t.kind != kindStruct {
		// Anything but a struct is sent as a singleton: field delta 0,
		// then the value.
		if vd.p.uint() != 0 && vd.p.err == nil {
			return fmt.Errorf("%w: non-zero delta for a single value", ErrMalformed)
		}
	}
	if err := vd.value(id, v); err != nil {
		return err
	}
	if vd.p.err != nil {
		return fmt.Errorf("%w: value runs past its message", ErrMalformed)
	}
	if len(vd.p.b) != 0 {
		return fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(vd.p.b))
	}
	return nil
}

func (vd *valueDecoder) mismatch(id int64, v reflect.Value) error {
	return fmt.Errorf("%w: %s from the peer's type %s", ErrUnsupported, v.Type(), vd.typeName(id))
}

func (vd *valueDecoder) typeName(id int64) string {
	switch id {
	case gobBool:
		return "bool"
	case gobInt:
		return "int"
	case gobUint:
		return "uint"
	case gobFloat:
		return "float"
	case gobBytes:
		return "[]byte"
	case gobString:
		return "string"
	case gobComplex:
		return "complex"
	case gobInterface:
		return "interface"
	}
	if t := vd.types[id]; t != nil && t.name != "" {
		return fmt.Sprintf("%q (id %d)", t.name, id)
	}
	return fmt.Sprintf("id %d", id)
}

// value decodes one value of the peer's type id into v; v is the zero
// reflect.Value when the value is to be skipped.
func (vd *valueDecoder) value(id int64, v reflect.Value) error {
	p := &vd.p
	if v.IsValid() {
		for v.Kind() == reflect.Pointer { // gob flattens pointers
			if v.IsNil() {
				if vd.items--; vd.items < 0 {
					return fmt.Errorf("%w: too many items", ErrBounds)
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
	}
	skip := !v.IsValid()
	switch id {
	case gobBool:
		x := p.uint()
		if skip {
			return nil
		}
		if v.Kind() != reflect.Bool {
			return vd.mismatch(id, v)
		}
		v.SetBool(x != 0)
		return nil
	case gobInt:
		x := p.int()
		if skip {
			return nil
		}
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			if v.OverflowInt(x) {
				return fmt.Errorf("%w: %d overflows %s", ErrUnsupported, x, v.Type())
			}
			v.SetInt(x)
			return nil
		}
		return vd.mismatch(id, v)
	case gobUint:
		x := p.uint()
		if skip {
			return nil
		}
		switch v.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			if v.OverflowUint(x) {
				return fmt.Errorf("%w: %d overflows %s", ErrUnsupported, x, v.Type())
			}
			v.SetUint(x)
			return nil
		}
		return vd.mismatch(id, v)
	case gobFloat:
		x := math.Float64frombits(bits.ReverseBytes64(p.uint()))
		if skip {
			return nil
		}
		switch v.Kind() {
		case reflect.Float32, reflect.Float64:
			if v.OverflowFloat(x) {
				return fmt.Errorf("%w: %g overflows %s", ErrUnsupported, x, v.Type())
			}
			v.SetFloat(x)
			return nil
		}
		return vd.mismatch(id, v)
	case gobComplex:
		re := math.Float64frombits(bits.ReverseBytes64(p.uint()))
		im := math.Float64frombits(bits.ReverseBytes64(p.uint()))
		if skip {
			return nil
		}
		switch v.Kind() {
		case reflect.Complex64, reflect.Complex128:
			c := complex(re, im)
			if v.OverflowComplex(c) {
				return fmt.Errorf("%w: %g overflows %s", ErrUnsupported, c, v.Type())
			}
			v.SetComplex(c)
			return nil
		}
		return vd.mismatch(id, v)
	case gobBytes:
		b := p.bytes()
		if skip || p.err != nil {
			return nil
		}
		if v.Kind() != reflect.Slice || v.Type().Elem().Kind() != reflect.Uint8 {
			return vd.mismatch(id, v)
		}
		v.SetBytes(append([]byte(nil), b...))
		return nil
	case gobString:
		b := p.bytes()
		if skip || p.err != nil {
			return nil
		}
		if v.Kind() != reflect.String {
			return vd.mismatch(id, v)
		}
		v.SetString(string(b))
		return nil
	case gobInterface:
		return fmt.Errorf("%w: interface values", ErrUnsupported)
	}
	t := vd.types[id]
	if t == nil {
		return fmt.Errorf("%w: type id %d was never defined", ErrUnsupported, id)
	}
	if t.kind == kindEncoder {
		return fmt.Errorf("%w: %s is a GobEncoder or marshaler type", ErrUnsupported, vd.typeName(id))
	}
	if vd.depth--; vd.depth < 0 {
		return fmt.Errorf("%w: nested too deeply", ErrBounds)
	}
	defer func() { vd.depth++ }()
	switch t.kind {
	case kindStruct:
		return vd.structValue(id, t, v)
	case kindMap:
		return vd.mapValue(id, t, v)
	default:
		return vd.listValue(id, t, v)
	}
}

// count reads an element count of at least min bytes per element and takes
// it from the items left.
func (vd *valueDecoder) count(per uint64) (int, error) {
	n := vd.p.uint()
	if vd.p.err != nil {
		return 0, nil
	}
	if n > uint64(len(vd.p.b))/per {
		return 0, fmt.Errorf("%w: %d elements announced, %d bytes left", ErrMalformed, n, len(vd.p.b))
	}
	if n > uint64(vd.items) {
		return 0, fmt.Errorf("%w: %d elements announced, %d items left", ErrBounds, n, max(vd.items, 0))
	}
	vd.items -= int(n)
	return int(n), nil
}

func (vd *valueDecoder) structValue(id int64, t *typeDef, v reflect.Value) error {
	if v.IsValid() && v.Kind() != reflect.Struct {
		return vd.mismatch(id, v)
	}
	p := &vd.p
	idx := -1
	for {
		d := p.uint()
		if p.err != nil || d == 0 {
			return nil
		}
		if d > uint64(len(t.fields)-1-idx) {
			return fmt.Errorf("%w: field delta %d in %s", ErrMalformed, d, vd.typeName(id))
		}
		idx += int(d)
		f := t.fields[idx]
		var fv reflect.Value
		if v.IsValid() {
			if sf, ok := v.Type().FieldByName(f.name); ok && sf.IsExported() && len(sf.Index) == 1 {
				fv = v.Field(sf.Index[0])
			}
		}
		if err := vd.value(f.id, fv); err != nil {
			return err
		}
	}
}

func (vd *valueDecoder) mapValue(id int64, t *typeDef, v reflect.Value) error {
	if v.IsValid() && v.Kind() != reflect.Map {
		return vd.mismatch(id, v)
	}
	n, err := vd.count(2)
	if err != nil || vd.p.err != nil {
		return err
	}
	if !v.IsValid() {
		for range n {
			if err := vd.value(t.key, reflect.Value{}); err != nil {
				return err
			}
			if err := vd.value(t.elem, reflect.Value{}); err != nil {
				return err
			}
		}
		return nil
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(v.Type(), n))
	}
	kt, et := v.Type().Key(), v.Type().Elem()
	for range n {
		k := reflect.New(kt).Elem()
		if err := vd.value(t.key, k); err != nil {
			return err
		}
		e := reflect.New(et).Elem()
		if err := vd.value(t.elem, e); err != nil {
			return err
		}
		if vd.p.err != nil {
			return nil
		}
		v.SetMapIndex(k, e)
	}
	return nil
}

// listValue decodes a slice or an array.
func (vd *valueDecoder) listValue(id int64, t *typeDef, v reflect.Value) error {
	want := reflect.Slice
	if t.kind == kindArray {
		want = reflect.Array
	}
	if v.IsValid() && (v.Kind() != want || (want == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8)) {
		return vd.mismatch(id, v)
	}
	n, err := vd.count(1)
	if err != nil || vd.p.err != nil {
		return err
	}
	if t.kind == kindArray && int64(n) != t.len {
		return fmt.Errorf("%w: array of %d elements for %s of %d", ErrMalformed, n, vd.typeName(id), t.len)
	}
	if v.IsValid() {
		if want == reflect.Array {
			if v.Len() != n {
				return vd.mismatch(id, v)
			}
		} else if n > 0 || !v.IsNil() { // as gob: an empty slice stays nil
			v.Set(reflect.MakeSlice(v.Type(), n, n))
		}
	}
	for i := range n {
		var e reflect.Value
		if v.IsValid() {
			e = v.Index(i)
		}
		if err := vd.value(t.elem, e); err != nil {
			return err
		}
		if vd.p.err != nil {
			return nil
		}
	}
	return nil
}
