package jsontok

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
)

// Encode returns json.Marshal(v). Plain values are written directly,
// without the reflection json.Marshal works by: nil, bools, ints and
// int64s, finite float64s, strings of printable ASCII that need no
// escaping, []any and map[string]any holding only plain values (the
// values json.Unmarshal makes, and what callers usually build), and plain
// structs (see DecodeInto) and pointers to them. The bytes
// are the ones json.Marshal writes. Anything else, anywhere in v, and every
// error, is json.Marshal's: it then encodes all of v.
// It does not block.
func Encode(v any) ([]byte, error) {
	if b, ok := appendPlain(make([]byte, 0, sizeHint(v)), v, 0); ok {
		return b, nil
	}
	return json.Marshal(v)
}

// Append appends json.Marshal(v) to dst, as Encode makes it; on an error
// dst is returned as it was.
// It does not block.
func Append(dst []byte, v any) ([]byte, error) {
	if b, ok := appendPlain(dst, v, 0); ok {
		return b, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return dst, err
	}
	return append(dst[:len(dst)], b...), nil
}

// sizeHint guesses the encoded size of v, so that a plain string or a small
// object is written without growing the buffer.
func sizeHint(v any) int {
	switch x := v.(type) {
	case string:
		return len(x) + 2
	case map[string]any:
		return 16 * len(x)
	case []any:
		return 8 * len(x)
	case nil, bool, int, int64, float64:
		return 8
	}
	return 64 // a struct
}

// maxEncodeDepth bounds the nesting appendPlain follows: deeper values,
// and cycles, which json.Marshal reports as errors once it is this deep,
// are json.Marshal's.
const maxEncodeDepth = 1000

// appendPlain appends v to b as json.Marshal writes it, and reports
// whether v is plain all through (see Encode); when it is not, b holds
// part of v and must be dropped.
func appendPlain(b []byte, v any, depth int) ([]byte, bool) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, x), true
	case int:
		return strconv.AppendInt(b, int64(x), 10), true
	case int64:
		return strconv.AppendInt(b, x, 10), true
	case float64:
		return appendFloat(b, x)
	case string:
		if !plain(x) {
			return b, false
		}
		return append(append(append(b, '"'), x...), '"'), true
	case []any:
		if x == nil {
			return append(b, "null"...), true
		}
		if depth >= maxEncodeDepth {
			return b, false
		}
		b = append(b, '[')
		for i, item := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendPlain(b, item, depth+1); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		if x == nil {
			return append(b, "null"...), true
		}
		if depth >= maxEncodeDepth {
			return b, false
		}
		return appendObject(b, x, depth)
	}
	return appendStruct(b, v)
}

// appendObject appends m with its keys sorted, as json.Marshal orders
// them.
func appendObject(b []byte, m map[string]any, depth int) ([]byte, bool) {
	var scratch [8]string
	keys := scratch[:0]
	for k := range m {
		if !plain(k) {
			return b, false
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), k...), '"', ':')
		var ok bool
		if b, ok = appendPlain(b, m[k], depth+1); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendFloat appends f as json.Marshal writes a float64: the shortest
// decimal that reads back as f, in exponent form below 1e-6 and from 1e21
// on, the exponent without a leading zero (1e-7, 1e+21). NaN and the
// infinities, which json.Marshal refuses, are not plain.
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)) {
		// An integer (not -0): the same digits, written faster.
		return strconv.AppendInt(b, int64(f), 10), true
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// strconv writes e-07; json.Marshal writes e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// plain reports whether s is printable ASCII that json.Marshal writes as
// it is: no quote, backslash, or the <, > and & it escapes for HTML.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if byteClass[s[i]]&written == 0 {
			return false
		}
	}
	return true
}
