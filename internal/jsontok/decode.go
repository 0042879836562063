package jsontok

import "encoding/json"

// maxDepth is encoding/json's nesting limit: deeper input is its error.
const maxDepth = 10000

// Decode returns the Go value json.Unmarshal gives for b into an any (nil,
// bool, float64, string, []any, map[string]any), checking and building in
// one pass where json.Unmarshal makes two, and with fewer allocations.
// Input that is not JSON, nests deeper than encoding/json allows or holds a
// number float64 cannot hold goes to json.Unmarshal, so the error is its
// error.
func Decode(b []byte) (any, error) {
	d := decoder{Scanner: Scanner{B: b}}
	if v, ok := d.value(); ok {
		d.SkipSpace()
		if d.I == len(b) {
			return v, nil
		}
	}
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}

// decoder is a Scanner that checks what it reads: ok false means the input
// is not JSON this package decodes, and json.Unmarshal must say why.
type decoder struct {
	Scanner
	depth int
}

func (d *decoder) value() (any, bool) {
	d.SkipSpace()
	if d.I >= len(d.B) {
		return nil, false
	}
	switch c := d.B[d.I]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		return d.string()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		end, ok := d.number()
		if !ok {
			return nil, false
		}
		num := Scanner{B: d.B[:end], I: d.I}
		d.I = end
		return num.Number()
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.B)-d.I < len(word) || string(d.B[d.I:d.I+len(word)]) != word {
		return false
	}
	d.I += len(word)
	return true
}

// number checks the number at I and returns where it ends, without moving
// past it.
func (d *decoder) number() (end int, ok bool) {
	i := d.I
	if d.B[i] == '-' {
		i++
	}
	var more bool
	switch {
	case i < len(d.B) && d.B[i] == '0':
		i++
	default:
		if i, more = digits(d.B, i); !more {
			return 0, false
		}
	}
	if i < len(d.B) && d.B[i] == '.' {
		if i, more = digits(d.B, i+1); !more {
			return 0, false
		}
	}
	if i < len(d.B) && (d.B[i] == 'e' || d.B[i] == 'E') {
		i++
		if i < len(d.B) && (d.B[i] == '+' || d.B[i] == '-') {
			i++
		}
		if i, more = digits(d.B, i); !more {
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

// string checks the string at I: printable ASCII without escapes is read
// here; anything else is checked and decoded by Scanner.String's
// json.Unmarshal.
func (d *decoder) string() (string, bool) {
	for i := d.I + 1; i < len(d.B); i++ {
		switch c := d.B[i]; {
		case c == '"':
			return d.String()
		case c < 0x20:
			return "", false
		case c == '\\':
			i++ // the escaped byte cannot end the string
		}
	}
	return "", false
}

// open enters a container whose opening byte is at I, and reports whether
// it is within the nesting limit and whether it is empty (its closing byte,
// then, is read).
func (d *decoder) open(closing byte) (ok, empty bool) {
	if d.depth++; d.depth > maxDepth {
		return false, false
	}
	d.I++
	d.SkipSpace()
	if d.I < len(d.B) && d.B[d.I] == closing {
		d.I++
		d.depth--
		return true, true
	}
	return true, false
}

// next reads what follows an item of a container: a comma (more is true)
// or the closing byte, which leaves the container.
func (d *decoder) next(closing byte) (more, ok bool) {
	d.SkipSpace()
	if d.I >= len(d.B) {
		return false, false
	}
	c := d.B[d.I]
	d.I++
	switch c {
	case ',':
		return true, true
	case closing:
		d.depth--
		return false, true
	}
	return false, false
}

func (d *decoder) object() (any, bool) {
	ok, empty := d.open('}')
	m := map[string]any{}
	for more := !empty; ok && more; more, ok = d.next('}') {
		d.SkipSpace()
		if d.I >= len(d.B) || d.B[d.I] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.SkipSpace()
		if d.I >= len(d.B) || d.B[d.I] != ':' {
			return nil, false
		}
		d.I++
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		m[k] = v
	}
	return m, ok
}

func (d *decoder) array() (any, bool) {
	ok, empty := d.open(']')
	a := []any{}
	for more := !empty; ok && more; more, ok = d.next(']') {
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
	}
	return a, ok
}
