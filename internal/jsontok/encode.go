package jsontok

import (
	"encoding/json"
	"math"
	"strconv"
)

// Encode returns json.Marshal(v). Plain values (nil, a bool, an integer,
// a float64 holding an integer, a string of printable ASCII that needs no
// escaping) are written directly, without the reflection json.Marshal
// starts with; the bytes are the ones json.Marshal writes. Anything else is
// json.Marshal's.
func Encode(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return []byte("null"), nil
	case bool:
		return strconv.AppendBool(nil, x), nil
	case int:
		return strconv.AppendInt(nil, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(nil, x, 10), nil
	case float64:
		// json.Marshal writes an integer below 1e21 in full; -0 keeps
		// its sign there, so it goes to json.Marshal.
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 && (x != 0 || !math.Signbit(x)) {
			return strconv.AppendInt(nil, int64(x), 10), nil
		}
	case string:
		if plain(x) {
			b := make([]byte, 0, len(x)+2)
			return append(append(append(b, '"'), x...), '"'), nil
		}
	}
	return json.Marshal(v)
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
