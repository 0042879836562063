package lua

import (
	"math"

	lua "github.com/yuin/gopher-lua"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

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
	e *Engine
	jsontok.Scanner
	stack []lua.LValue // items and values of the open containers
	keys  []string     // keys of the open objects
}

// value decodes the value at d.I; null is json.null.
func (d *decoder) value() (lua.LValue, bool) {
	d.SkipSpace()
	switch c := d.B[d.I]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, ok := d.String()
		return lua.LString(s), ok
	case 't':
		d.I += 4
		return lua.LTrue, true
	case 'f':
		d.I += 5
		return lua.LFalse, true
	case 'n':
		d.I += 4
		return d.e.null, true
	default:
		f, ok := d.Number()
		if f >= 0 && f < float64(len(smallInts)) && f == float64(int(f)) && !(f == 0 && math.Signbit(f)) {
			return smallInts[int(f)], ok
		}
		return lua.LNumber(f), ok
	}
}

func (d *decoder) object() (lua.LValue, bool) {
	d.I++ // {
	base, kbase := len(d.stack), len(d.keys)
	d.SkipSpace()
	if d.B[d.I] == '}' {
		d.I++
		return d.e.L.CreateTable(0, 0), true
	}
	for {
		d.SkipSpace()
		k, ok := d.String()
		if !ok {
			return nil, false
		}
		d.SkipSpace()
		d.I++ // :
		v, ok := d.value()
		if !ok {
			return nil, false
		}
		d.keys = append(d.keys, k)
		d.stack = append(d.stack, v)
		d.SkipSpace()
		c := d.B[d.I]
		d.I++
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
	d.I++ // [
	base := len(d.stack)
	d.SkipSpace()
	if d.B[d.I] == ']' {
		d.I++
	} else {
		for {
			v, ok := d.value()
			if !ok {
				return nil, false
			}
			d.stack = append(d.stack, v)
			d.SkipSpace()
			c := d.B[d.I]
			d.I++
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
