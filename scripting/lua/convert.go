package lua

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/scripting"
)

// maxDepth bounds the nesting of converted values, so that a deep structure
// is an error rather than a stack overflow.
const maxDepth = 1000

// ToJSON converts a Lua value to JSON: a table whose keys are exactly 1..n
// (or that json.array marked) becomes an array, any other table an object
// (an empty one {}); nil and json.null become null. Functions, userdata,
// threads, non-finite numbers, keys other than strings and numbers, cycles
// and nesting deeper than 1000 are errors wrapping scripting.ErrBadArgument.
// It must be called on the script's goroutine.
func (e *Engine) ToJSON(v lua.LValue) ([]byte, error) {
	enc := encoder{e: e, buf: e.encBuf[:0], path: e.encPath[:0], keys: e.encKeys[:0]}
	err := enc.value(v, 0)
	// The scratch space is the engine's, for the next call; the result is
	// a copy of the exact size.
	clear(enc.path)
	clear(enc.keys[:cap(enc.keys)])
	e.encBuf, e.encPath, e.encKeys = enc.buf[:0], enc.path[:0], enc.keys[:0]
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), enc.buf...), nil
}

type encoder struct {
	e    *Engine
	buf  []byte
	path []*lua.LTable // the tables being converted, outermost first
	keys []tableKey    // the keys of the tables being converted
}

// tableKey is a key of a table converted to a JSON object, with its name
// in JSON.
type tableKey struct {
	name string
	key  lua.LValue
}

func (enc *encoder) value(v lua.LValue, depth int) error {
	switch x := v.(type) {
	case *lua.LNilType:
		enc.buf = append(enc.buf, "null"...)
	case lua.LBool:
		enc.buf = strconv.AppendBool(enc.buf, bool(x))
	case lua.LNumber:
		return enc.number(float64(x))
	case lua.LString:
		enc.buf = appendString(enc.buf, string(x))
	case *lua.LTable:
		return enc.table(x, depth)
	case *lua.LUserData:
		if x == enc.e.null {
			enc.buf = append(enc.buf, "null"...)
			return nil
		}
		return scripting.BadArgument("cannot convert userdata to JSON")
	default:
		return scripting.BadArgument("cannot convert a %s to JSON", v.Type())
	}
	return nil
}

func (enc *encoder) number(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return scripting.BadArgument("cannot convert %v to JSON", f)
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		enc.buf = strconv.AppendFloat(enc.buf, f, 'e', -1, 64)
		// As JavaScript writes it: 5e-8, not 5e-08.
		if n := len(enc.buf); enc.buf[n-4] == 'e' && enc.buf[n-2] == '0' {
			enc.buf[n-2] = enc.buf[n-1]
			enc.buf = enc.buf[:n-1]
		}
	} else {
		enc.buf = strconv.AppendFloat(enc.buf, f, 'f', -1, 64)
	}
	return nil
}

func (enc *encoder) table(t *lua.LTable, depth int) error {
	if depth >= maxDepth {
		return scripting.BadArgument("value nested deeper than %d levels", maxDepth)
	}
	if slices.Contains(enc.path, t) {
		return scripting.BadArgument("cannot convert a table that contains itself to JSON")
	}
	enc.path = append(enc.path, t)
	err := enc.tableBody(t, depth)
	enc.path = enc.path[:len(enc.path)-1]
	return err
}

func (enc *encoder) tableBody(t *lua.LTable, depth int) error {
	if enc.e.isArray(t) {
		return enc.array(t, t.Len(), depth)
	}
	base := len(enc.keys)
	defer func() {
		clear(enc.keys[base:])
		enc.keys = enc.keys[:base]
	}()
	ints := true
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		enc.keys = append(enc.keys, tableKey{key: k})
		if n, ok := k.(lua.LNumber); !ok || float64(n) != math.Trunc(float64(n)) || n < 1 {
			ints = false
		}
	}
	keys := enc.keys[base:]
	if ints && len(keys) > 0 {
		// Distinct integer keys, all >= 1: exactly 1..n when none exceeds n.
		max := lua.LNumber(0)
		for _, k := range keys {
			max = lua.LNumber(math.Max(float64(max), float64(k.key.(lua.LNumber))))
		}
		if int(max) == len(keys) {
			return enc.array(t, len(keys), depth)
		}
	}
	for i := range keys {
		switch x := keys[i].key.(type) {
		case lua.LString:
			keys[i].name = string(x)
		case lua.LNumber:
			var nb encoder
			if err := nb.number(float64(x)); err != nil {
				return err
			}
			keys[i].name = string(nb.buf)
		default:
			return scripting.BadArgument("cannot convert a table with a %s key to JSON", keys[i].key.Type())
		}
	}
	slices.SortFunc(keys, func(a, b tableKey) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(keys); i++ {
		if keys[i].name == keys[i-1].name {
			return scripting.BadArgument("cannot convert a table with keys %s and %q to JSON: both are %q",
				keyText(keys[i-1].key), keys[i].name, keys[i].name)
		}
	}
	enc.buf = append(enc.buf, '{')
	for i := range keys {
		if i > 0 {
			enc.buf = append(enc.buf, ',')
		}
		enc.buf = appendString(enc.buf, keys[i].name)
		enc.buf = append(enc.buf, ':')
		// enc.keys may grow (and move) under value: index, do not hold.
		if err := enc.value(t.RawGet(enc.keys[base+i].key), depth+1); err != nil {
			return err
		}
	}
	enc.buf = append(enc.buf, '}')
	return nil
}

func keyText(k lua.LValue) string {
	if s, ok := k.(lua.LString); ok {
		return strconv.Quote(string(s))
	}
	return k.String()
}

func (enc *encoder) array(t *lua.LTable, n, depth int) error {
	enc.buf = append(enc.buf, '[')
	for i := 1; i <= n; i++ {
		if i > 1 {
			enc.buf = append(enc.buf, ',')
		}
		if err := enc.value(t.RawGetInt(i), depth+1); err != nil {
			return err
		}
	}
	enc.buf = append(enc.buf, ']')
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// FromJSON converts JSON to Lua values: objects become tables, arrays
// tables marked as arrays (so that they convert back to arrays, even when
// empty), null json.null inside structures and nil at the top. nil input
// gives nil. Invalid JSON is an error wrapping scripting.ErrBadArgument.
// It must be called on the script's goroutine.
func (e *Engine) FromJSON(b []byte) (lua.LValue, error) {
	v, err := e.decode(b)
	if err != nil {
		return lua.LNil, scripting.BadArgument("%v", err)
	}
	return v, nil
}

// decode is FromJSON with a plain error, for the callers that say whose
// JSON it was.
func (e *Engine) decode(b []byte) (lua.LValue, error) {
	if b == nil {
		return lua.LNil, nil
	}
	if v, ok := jsontok.Build[lua.LValue](b, luaValues{e}, &e.stack); ok {
		if v == e.null {
			return lua.LNil, nil
		}
		return v, nil
	}
	// encoding/json refuses input nested deeper than jsontok.MaxDepth
	// before it builds anything, so toLua's recursion is bounded.
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return lua.LNil, fmt.Errorf("invalid JSON: %w", err)
	}
	if v == nil {
		return lua.LNil, nil
	}
	return e.toLua(v), nil
}

func (e *Engine) toLua(v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return e.null
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		t := e.state.CreateTable(len(x), 0)
		for i, item := range x {
			t.RawSetInt(i+1, e.toLua(item))
		}
		e.state.SetMetatable(t, e.arrayMT)
		return t
	case map[string]any:
		t := e.state.CreateTable(0, len(x))
		for k, item := range x {
			t.RawSetString(k, e.toLua(item))
		}
		return t
	}
	return lua.LNil
}

// isArray reports whether t was marked by json.array (or came from a JSON
// array).
func (e *Engine) isArray(t *lua.LTable) bool {
	return t.Metatable == e.arrayMT
}
