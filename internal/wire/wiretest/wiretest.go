// Package wiretest writes gob streams by hand, byte for byte as encoding/gob
// would, for tests that need hostile ones: counts that lie, nesting past any
// bound, type definitions of any size. The types it defines have fixed ids
// (see HelloTypes), so a test can write values of them directly.
package wiretest

import "strings"

// Uint is x in gob's unsigned encoding.
func Uint(x uint64) []byte {
	if x < 0x80 {
		return []byte{byte(x)}
	}
	var tmp [8]byte
	n := 8
	for x > 0 {
		n--
		tmp[n] = byte(x)
		x >>= 8
	}
	return append([]byte{byte(-(8 - n))}, tmp[n:]...)
}

// Int is x in gob's signed encoding.
func Int(x int64) []byte {
	if x < 0 {
		return Uint(uint64(^x<<1) | 1)
	}
	return Uint(uint64(x << 1))
}

// String is s as gob writes a string: its length, then its bytes.
func String(s string) []byte { return append(Uint(uint64(len(s))), s...) }

// Cat joins byte slices.
func Cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Message frames a message body with its length.
func Message(body ...[]byte) []byte {
	b := Cat(body...)
	return append(Uint(uint64(len(b))), b...)
}

// Value is the message of a value of type id with the given encoded body.
func Value(id int64, body ...[]byte) []byte {
	return Message(Int(id), Cat(body...))
}

// Field is one field of a struct type definition.
type Field struct {
	Name string
	ID   int64
}

// common is a CommonType {Name; Id}, as a struct value.
func common(name string, id int64) []byte {
	return Cat([]byte{1}, String(name), []byte{1}, Int(id), []byte{0})
}

// StructType is the message defining a struct type.
func StructType(id int64, name string, fields ...Field) []byte {
	var fs []byte
	for _, f := range fields {
		fs = Cat(fs, []byte{1}, String(f.Name), []byte{1}, Int(f.ID), []byte{0})
	}
	// wireType.StructT (field 2), structType {CommonType; Field}.
	return Message(Int(-id), []byte{3, 1}, common(name, id), []byte{1}, Uint(uint64(len(fields))), fs, []byte{0, 0})
}

// SliceType is the message defining a slice type.
func SliceType(id int64, name string, elem int64) []byte {
	return Message(Int(-id), []byte{2, 1}, common(name, id), []byte{1}, Int(elem), []byte{0, 0})
}

// MapType is the message defining a map type.
func MapType(id int64, name string, key, elem int64) []byte {
	return Message(Int(-id), []byte{4, 1}, common(name, id), []byte{1}, Int(key), []byte{1}, Int(elem), []byte{0, 0})
}

// GobEncoderType is the message defining a type that encodes itself.
func GobEncoderType(id int64, name string) []byte {
	return Message(Int(-id), []byte{5, 1}, common(name, id), []byte{0, 0})
}

// Built-in type ids.
const (
	Bool      = 1
	IntID     = 2
	UintID    = 3
	BytesID   = 5
	StringID  = 6
	Interface = 8
)

// Ids of the types HelloTypes defines.
const (
	HelloID    = 65
	FuncMapID  = 66
	FunctionID = 67
	EntityID   = 68
	EntitiesID = 69
	StringsID  = 70
)

// HelloTypes is the definition of the handshake's types, as a plugin sends
// them: Hello {Name, Version string; Functions map[string]Function; Token
// string; Caps []string}, Function {Name string; Input, Output *Entity},
// Entity {Name, Type string; Mandatory bool; Fields []Entity}.
func HelloTypes() []byte {
	return Cat(
		StructType(HelloID, "Hello",
			Field{"Name", StringID}, Field{"Version", StringID}, Field{"Functions", FuncMapID},
			Field{"Token", StringID}, Field{"Caps", StringsID}),
		MapType(FuncMapID, "map[string]Function", StringID, FunctionID),
		StructType(FunctionID, "Function", Field{"Name", StringID}, Field{"Input", EntityID}, Field{"Output", EntityID}),
		StructType(EntityID, "Entity",
			Field{"Name", StringID}, Field{"Type", StringID}, Field{"Mandatory", Bool}, Field{"Fields", EntitiesID}),
		SliceType(EntitiesID, "[]Entity", EntityID),
		SliceType(StringsID, "[]string", StringID),
	)
}

// Hello is a handshake value of HelloTypes' Hello: name, then the
// Functions map as given (its count and entries, already encoded), then
// the token if any.
func Hello(name string, functions []byte, token string) []byte {
	body := Cat([]byte{1}, String(name)) // Name, field 0
	last := uint64(0)
	if functions != nil {
		body = Cat(body, []byte{2}, functions) // Functions, field 2
		last = 2
	}
	if token != "" {
		body = Cat(body, Uint(3-last), String(token)) // Token, field 3
	}
	return Value(HelloID, body, []byte{0})
}

// OneFunction is a Functions map of one method called name whose Input is
// the entity body given (see DeepEntity); it ends the Function.
func OneFunction(name string, input []byte) []byte {
	return Cat([]byte{1}, String(name), []byte{2}, input, []byte{0})
}

// DeepEntity is an Entity nested depth levels deep through Fields (each
// level has one field, the next level), as a struct value.
func DeepEntity(depth int) []byte {
	if depth < 1 {
		depth = 1
	}
	return []byte(strings.Repeat("\x04\x01", depth-1) + strings.Repeat("\x00", depth))
}

// Functions is a Functions map of n methods m0, m1, ... each with an
// int Input, as gob writes it.
func Functions(n int) []byte {
	b := Uint(uint64(n))
	for i := range n {
		name := "m" + itoa(i)
		b = append(b, String(name)...)
		b = append(b, 1)
		b = append(b, String(name)...)
		b = append(b, 1, 2)
		b = append(b, String("int")...)
		b = append(b, 0, 0)
	}
	return b
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// EnvelopeType is the message defining the protocol's Envelope {Seq uint64;
// Trace, Method, Error string; Payload []byte} as type id.
func EnvelopeType(id int64) []byte {
	return StructType(id, "Envelope", Field{"Seq", UintID}, Field{"Trace", StringID},
		Field{"Method", StringID}, Field{"Error", StringID}, Field{"Payload", BytesID})
}

// Envelope is an envelope value of EnvelopeType id answering seq and method
// with payload.
func Envelope(id int64, seq uint64, method string, payload []byte) []byte {
	// Seq is field 0, Method field 2, Payload field 4; zero values are left out.
	body := []byte{}
	last := uint64(0)
	if seq != 0 {
		body = Cat([]byte{1}, Uint(seq))
		last = 1
	}
	body = Cat(body, Uint(3-last), String(method), []byte{2}, String(string(payload)), []byte{0})
	return Value(id, body)
}
