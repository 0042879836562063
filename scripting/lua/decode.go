package lua

import (
	"encoding/json"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

var negZero = math.Copysign(0, -1)

// smallInts holds the numbers 0..255 as Lua values, boxed once.
var smallInts = func() []lua.LValue {
	s := make([]lua.LValue, 256)
	for i := range s {
		s[i] = lua.LNumber(i)
	}
	return s
}()

// decoder turns valid JSON (json.Valid said so) straight into Lua values,
// without the intermediate Go values of json.Unmarshal. Strings with escapes
// or non-ASCII bytes, and numbers that are not small integers, are decoded
// by encoding/json and strconv as json.Unmarshal would, so the result is the
// same. ok false (a number out of float64's range) sends the caller back to
// json.Unmarshal for its error.
type decoder struct {
	e     *Engine
	b     []byte
	i     int
	stack []lua.LValue // items and values of the open containers
	keys  []string     // keys of the open objects
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value at d.i; null is json.null.
func (d *decoder) value() (lua.LValue, bool) {
	d.ws()
	switch c := d.b[d.i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, ok := d.str()
		return lua.LString(s), ok
	case 't':
		d.i += 4
		return lua.LTrue, true
	case 'f':
		d.i += 5
		return lua.LFalse, true
	case 'n':
		d.i += 4
		return d.e.null, true
	default:
		f, ok := d.number()
		if f >= 0 && f < float64(len(smallInts)) && f == float64(int(f)) && !(f == 0 && math.Signbit(f)) {
			return smallInts[int(f)], ok
		}
		return lua.LNumber(f), ok
	}
}

func (d *decoder) object() (lua.LValue, bool) {
	d.i++ // {
	base, kbase := len(d.stack), len(d.keys)
	d.ws()
	if d.b[d.i] == '}' {
		d.i++
		return d.e.L.CreateTable(0, 0), true
	}
	for {
		d.ws()
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.ws()
		d.i++ // :
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.keys = append(d.keys, k)
		d.stack = append(d.stack, v)
		d.ws()
		c := d.b[d.i]
		d.i++
		if c == '}' {
			break
		}
	}
	keys, values := d.keys[kbase:], d.stack[base:]
	t := d.e.L.CreateTable(0, len(keys))
	for j, k := range keys {
		t.RawSetString(k, values[j])
	}
	clear(keys)
	clear(values)
	d.keys, d.stack = d.keys[:kbase], d.stack[:base]
	return t, true
}

func (d *decoder) array() (lua.LValue, bool) {
	d.i++ // [
	base := len(d.stack)
	d.ws()
	if d.b[d.i] == ']' {
		d.i++
	} else {
		for {
			v, ok := d.value()
			if !ok {
				return nil, false
			}
			d.stack = append(d.stack, v)
			d.ws()
			c := d.b[d.i]
			d.i++
			if c == ']' {
				break
			}
		}
	}
	items := d.stack[base:]
	t := d.e.L.CreateTable(len(items), 0)
	for j, v := range items {
		t.RawSetInt(j+1, v)
	}
	clear(items)
	d.stack = d.stack[:base]
	d.e.L.SetMetatable(t, d.e.arrayMT)
	return t, true
}

// str decodes the string at d.i.
func (d *decoder) str() (string, bool) {
	start := d.i
	d.i++ // "
	simple := true
	for {
		c := d.b[d.i]
		if c == '"' {
			break
		}
		if c == '\\' {
			simple = false
			d.i++
		} else if c >= 0x80 {
			simple = false
		}
		d.i++
	}
	d.i++
	if simple {
		return string(d.b[start+1 : d.i-1]), true
	}
	var s string
	if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
		return "", false
	}
	return s, true
}

// number decodes the number at d.i.
func (d *decoder) number() (float64, bool) {
	start := d.i
	simple := true // an integer of at most 15 digits: exact in float64
	for d.i < len(d.b) {
		c := d.b[d.i]
		if c >= '0' && c <= '9' || c == '-' {
			d.i++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' {
			simple = false
			d.i++
			continue
		}
		break
	}
	tok := d.b[start:d.i]
	if simple && len(tok) <= 15 {
		neg := tok[0] == '-'
		if neg {
			tok = tok[1:]
		}
		var n int64
		for _, c := range tok {
			n = n*10 + int64(c-'0')
		}
		if neg {
			if n == 0 {
				return negZero, true
			}
			n = -n
		}
		return float64(n), true
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	return f, err == nil
}
