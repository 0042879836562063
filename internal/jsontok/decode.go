package jsontok

import (
	"encoding/json"
	"sync"
)

// maxDepth is encoding/json's nesting limit: deeper input is its error.
const maxDepth = 10000

// Builder makes the values decoded JSON turns into: Go values, JavaScript
// values, Lua values. Build calls it for every value, innermost first.
type Builder[V any] interface {
	Null() V
	Bool(b bool) V
	Number(f float64) V
	String(s string) V
	// Object makes an object of keys and values, in the order they came
	// (a key may come again). The slices are Build's: copy what is kept.
	// ok false abandons the decoding.
	Object(keys []string, values []V) (v V, ok bool)
	// Array makes an array of items. The slice is Build's: copy it.
	Array(items []V) V
}

// Stack is Build's scratch space: the values and keys of the containers
// being decoded. Keep one per goroutine and pass it to every Build, so
// that decoding does not allocate it again.
type Stack[V any] struct {
	values []V
	keys   []string
	// names holds object keys seen before, so that a key that comes
	// again (the same fields, call after call) is not allocated again;
	// at most maxNames of at most maxNameLen bytes.
	names map[string]string
}

// Bounds of a Stack's names.
const (
	maxNames   = 256
	maxNameLen = 64
)

// name returns b as a string, the one kept in names when there is one.
func (st *Stack[V]) name(b []byte) string {
	if s, ok := st.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(s) <= maxNameLen && len(st.names) < maxNames {
		if st.names == nil {
			st.names = make(map[string]string)
		}
		st.names[s] = s
	}
	return s
}

// Build decodes b with bl, checking the input as it goes, into the value
// encoding/json would give (strings with escapes or non-ASCII bytes and
// numbers that are not small integers are decoded by encoding/json and
// strconv). ok false means b is not JSON, nests deeper than encoding/json
// allows, holds a number float64 cannot hold, or bl gave up: the caller
// asks encoding/json (or its engine's JSON.parse) for the error.
func Build[V any, B Builder[V]](b []byte, bl B, st *Stack[V]) (v V, ok bool) {
	w := walker[V, B]{scanner: scanner{buf: b}, bl: bl, st: st}
	v, ok = w.value()
	clear(st.values[:cap(st.values)])
	st.values, st.keys = st.values[:0], st.keys[:0]
	if ok {
		w.skipSpace()
		ok = w.pos == len(b)
	}
	return v, ok
}

// Decode returns the Go value json.Unmarshal gives for b into an any (nil,
// bool, float64, string, []any, map[string]any), checking and building in
// one pass where json.Unmarshal makes two, and with fewer allocations.
// Input Build does not decode goes to json.Unmarshal, so the error is its
// error.
func Decode(b []byte) (any, error) {
	st := stacks.Get().(*Stack[any])
	v, ok := Build[any](b, goValues{}, st)
	stacks.Put(st)
	if ok {
		return v, nil
	}
	var out any
	err := json.Unmarshal(b, &out)
	return out, err
}

// stacks holds Decode's scratch space.
var stacks = sync.Pool{New: func() any { return new(Stack[any]) }}

// goValues builds the values json.Unmarshal makes for an any.
type goValues struct{}

func (goValues) Null() any            { return nil }
func (goValues) Bool(b bool) any      { return b }
func (goValues) Number(f float64) any { return f }
func (goValues) String(s string) any  { return s }
func (goValues) Array(items []any) any {
	return append(make([]any, 0, len(items)), items...)
}

func (goValues) Object(keys []string, values []any) (any, bool) {
	m := make(map[string]any, len(keys))
	for i, k := range keys {
		m[k] = values[i]
	}
	return m, true
}

// walker reads JSON for Build and checks it: ok false means the input is
// not JSON Build decodes.
type walker[V any, B Builder[V]] struct {
	scanner
	bl    B
	st    *Stack[V]
	depth int
}

func (d *walker[V, B]) value() (v V, ok bool) {
	d.skipSpace()
	if d.pos >= len(d.buf) {
		return v, false
	}
	switch c := d.buf[d.pos]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, ok := d.string()
		if !ok {
			return v, false
		}
		return d.bl.String(s), true
	case c == 't':
		return d.bl.Bool(true), d.literal("true")
	case c == 'f':
		return d.bl.Bool(false), d.literal("false")
	case c == 'n':
		return d.bl.Null(), d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		end, ok := d.number()
		if !ok {
			return v, false
		}
		num := scanner{buf: d.buf[:end], pos: d.pos}
		d.pos = end
		f, ok := num.float()
		if !ok {
			return v, false
		}
		return d.bl.Number(f), true
	}
	return v, false
}

func (d *walker[V, B]) literal(word string) bool {
	if len(d.buf)-d.pos < len(word) || string(d.buf[d.pos:d.pos+len(word)]) != word {
		return false
	}
	d.pos += len(word)
	return true
}

// number checks the number at pos and returns where it ends, without moving
// past it.
func (d *scanner) number() (end int, ok bool) {
	i := d.pos
	if d.buf[i] == '-' {
		i++
	}
	var more bool
	switch {
	case i < len(d.buf) && d.buf[i] == '0':
		i++
	default:
		if i, more = digits(d.buf, i); !more {
			return 0, false
		}
	}
	if i < len(d.buf) && d.buf[i] == '.' {
		if i, more = digits(d.buf, i+1); !more {
			return 0, false
		}
	}
	if i < len(d.buf) && (d.buf[i] == 'e' || d.buf[i] == 'E') {
		i++
		if i < len(d.buf) && (d.buf[i] == '+' || d.buf[i] == '-') {
			i++
		}
		if i, more = digits(d.buf, i); !more {
			return 0, false
		}
	}
	return i, true
}

// digits returns where the digits that start at b[i] end, and whether
// there was at least one.
func digits(b []byte, i int) (int, bool) {
	start := i
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i, i > start
}

// string checks the string at pos: printable ASCII without escapes is read
// here; anything else is checked and decoded by quoted's json.Unmarshal.
func (d *walker[V, B]) string() (string, bool) {
	// Most strings are printable ASCII: one pass finds their end.
	i := d.pos + 1
	for i < len(d.buf) && byteClass[d.buf[i]]&asIs != 0 {
		i++
	}
	if i < len(d.buf) && d.buf[i] == '"' {
		s := string(d.buf[d.pos+1 : i])
		d.pos = i + 1
		return s, true
	}
	for ; i < len(d.buf); i++ {
		switch c := d.buf[i]; {
		case c == '"':
			return d.quoted()
		case c < 0x20:
			return "", false
		case c == '\\':
			i++ // the escaped byte cannot end the string
		}
	}
	return "", false
}

// key is string for an object's key: a key of printable ASCII without
// escapes is taken from the Stack's names.
func (d *walker[V, B]) key() (string, bool) {
	i := d.pos + 1
	for i < len(d.buf) && byteClass[d.buf[i]]&asIs != 0 {
		i++
	}
	if i < len(d.buf) && d.buf[i] == '"' {
		s := d.st.name(d.buf[d.pos+1 : i])
		d.pos = i + 1
		return s, true
	}
	return d.string()
}

// open enters a container whose opening byte is at pos, and reports whether
// it is within the nesting limit and whether it is empty (its closing byte,
// then, is read).
func (d *walker[V, B]) open(closing byte) (ok, empty bool) {
	if d.depth++; d.depth > maxDepth {
		return false, false
	}
	d.pos++
	d.skipSpace()
	if d.pos < len(d.buf) && d.buf[d.pos] == closing {
		d.pos++
		d.depth--
		return true, true
	}
	return true, false
}

// next reads what follows an item of a container: a comma (more is true)
// or the closing byte, which leaves the container.
func (d *walker[V, B]) next(closing byte) (more, ok bool) {
	d.skipSpace()
	if d.pos >= len(d.buf) {
		return false, false
	}
	c := d.buf[d.pos]
	d.pos++
	switch c {
	case ',':
		return true, true
	case closing:
		d.depth--
		return false, true
	}
	return false, false
}

func (d *walker[V, B]) object() (v V, ok bool) {
	ok, empty := d.open('}')
	base, kbase := len(d.st.values), len(d.st.keys)
	for more := !empty; ok && more; more, ok = d.next('}') {
		d.skipSpace()
		if d.pos >= len(d.buf) || d.buf[d.pos] != '"' {
			return v, false
		}
		k, ok := d.key()
		if !ok {
			return v, false
		}
		d.skipSpace()
		if d.pos >= len(d.buf) || d.buf[d.pos] != ':' {
			return v, false
		}
		d.pos++
		item, ok := d.value()
		if !ok {
			return v, false
		}
		d.st.keys = append(d.st.keys, k)
		d.st.values = append(d.st.values, item)
	}
	if !ok {
		return v, false
	}
	v, ok = d.bl.Object(d.st.keys[kbase:], d.st.values[base:])
	clear(d.st.keys[kbase:])
	clear(d.st.values[base:])
	d.st.keys, d.st.values = d.st.keys[:kbase], d.st.values[:base]
	return v, ok
}

func (d *walker[V, B]) array() (v V, ok bool) {
	ok, empty := d.open(']')
	base := len(d.st.values)
	for more := !empty; ok && more; more, ok = d.next(']') {
		item, ok := d.value()
		if !ok {
			return v, false
		}
		d.st.values = append(d.st.values, item)
	}
	if !ok {
		return v, false
	}
	v = d.bl.Array(d.st.values[base:])
	clear(d.st.values[base:])
	d.st.values = d.st.values[:base]
	return v, true
}
