package wire

import (
	"errors"
	"fmt"
	"unsafe"
)

// The peer's type definitions. gob sends the definition of every type before
// the first value that uses it, as a message with the type's id negated and a
// wireType as its body:
//
//	wireType   {ArrayT *arrayType; SliceT *sliceType; StructT *structType;
//	            MapT *mapType; GobEncoderT, BinaryMarshalerT, TextMarshalerT *gobEncoderType}
//	arrayType  {CommonType; Elem typeId; Len int}
//	sliceType  {CommonType; Elem typeId}
//	structType {CommonType; Field []fieldType}
//	fieldType  {Name string; Id typeId}
//	mapType    {CommonType; Key, Elem typeId}
//	CommonType {Name string; Id typeId}
//
// A definition is parsed once, into a typeDef; nothing keeps its bytes and
// nothing reads it again.

// Built-in gob type ids beyond those of envelope.go; user types start at
// firstUserID.
const (
	gobComplex   = 7
	gobInterface = 8
	firstUserID  = 64
)

// Kinds of a peer's type.
const (
	kindStruct = iota + 1
	kindSlice
	kindArray
	kindMap
	kindEncoder // GobEncoder, BinaryMarshaler or TextMarshaler: opaque bytes
)

// ErrUnsupported is wrapped by the error for a value of a kind the decoder
// does not read (an interface value, a GobEncoder, a type it lacks the
// definition of) or one that does not fit the value it is decoded into.
var ErrUnsupported = errors.New("unsupported gob value")

// typeDef is one type the peer defined.
type typeDef struct {
	kind      uint8
	name      string
	key, elem int64 // map key, slice/array/map element
	len       int64 // array length
	fields    []fieldDef
	lay       layout // for a struct the envelope fast path can read; nil otherwise
}

type fieldDef struct {
	name string
	id   int64
}

// typeDefCost is what a definition costs to keep: the bytes of a body of n
// bytes (its names are copied from it), the fixed part of a typeDef and its
// place in the table, and each field's fieldDef and layout entry. With
// fields 0 it is the least a body of n bytes can cost, checked before the
// body is parsed.
func typeDefCost(n, fields int) int64 {
	return int64(n) + 96 + int64(fields)*int64(unsafe.Sizeof(fieldDef{})+1)
}

// parseTypeDef reads a type definition message body (after its id). It
// checks every count against what is left of the body before allocating.
func parseTypeDef(body []byte) (*typeDef, error) {
	p := &parser{b: body}
	var t *typeDef
	kinds := 0
	common := func() {
		structFields(p, func(i int) bool {
			switch i {
			case 0:
				t.name = string(p.bytes())
			case 1:
				p.int() // the id again
			default:
				return false
			}
			return true
		})
	}
	structFields(p, func(i int) bool {
		kinds++
		switch i {
		case 0: // ArrayT
			t = &typeDef{kind: kindArray}
			structFields(p, func(i int) bool {
				switch i {
				case 0:
					common()
				case 1:
					t.elem = p.int()
				case 2:
					t.len = p.int()
				default:
					return false
				}
				return true
			})
		case 1: // SliceT
			t = &typeDef{kind: kindSlice}
			structFields(p, func(i int) bool {
				switch i {
				case 0:
					common()
				case 1:
					t.elem = p.int()
				default:
					return false
				}
				return true
			})
		case 2: // StructT
			t = &typeDef{kind: kindStruct}
			structFields(p, func(i int) bool {
				switch i {
				case 0:
					common()
				case 1:
					n := p.uint()
					if p.err != nil || n > uint64(len(p.b)) || t.fields != nil {
						p.err = errEnvelope
						return false
					}
					t.fields = make([]fieldDef, n)
					for k := range t.fields {
						f := &t.fields[k]
						structFields(p, func(i int) bool {
							switch i {
							case 0:
								f.name = string(p.bytes())
							case 1:
								f.id = p.int()
							default:
								return false
							}
							return true
						})
					}
				default:
					return false
				}
				return true
			})
		case 3: // MapT
			t = &typeDef{kind: kindMap}
			structFields(p, func(i int) bool {
				switch i {
				case 0:
					common()
				case 1:
					t.key = p.int()
				case 2:
					t.elem = p.int()
				default:
					return false
				}
				return true
			})
		case 4, 5, 6:
			t = &typeDef{kind: kindEncoder}
			structFields(p, func(i int) bool {
				if i != 0 {
					return false
				}
				common()
				return true
			})
		default:
			return false
		}
		return true
	})
	if p.err != nil || kinds != 1 || len(p.b) != 0 {
		return nil, fmt.Errorf("%w: bad type definition", ErrMalformed)
	}
	refs := []int64{t.key, t.elem}
	for _, f := range t.fields {
		refs = append(refs, f.id)
	}
	for i, id := range refs {
		if (i < 2 && id == 0) || validRef(id) {
			continue
		}
		return nil, fmt.Errorf("%w: type definition refers to type id %d", ErrMalformed, id)
	}
	switch {
	case t.kind == kindMap && (t.key == 0 || t.elem == 0),
		(t.kind == kindSlice || t.kind == kindArray) && t.elem == 0,
		t.kind == kindArray && t.len < 0:
		return nil, fmt.Errorf("%w: incomplete type definition", ErrMalformed)
	}
	if t.kind == kindStruct {
		t.lay = envelopeLayout(t.fields)
	}
	return t, nil
}

// validRef reports whether a definition may refer to id: a basic type or a
// user type (defined before or after; a value using it checks).
func validRef(id int64) bool {
	return (id >= gobBool && id <= gobInterface) || id >= firstUserID
}
