package js

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/dop251/goja"
)

var negZero = math.Copysign(0, -1)

// decoder builds JavaScript values straight from valid JSON (json.Valid
// said so), without JSON.parse's token stream. The values are those
// goja's JSON.parse makes: it decodes with encoding/json too, so strings
// with escapes or non-ASCII bytes and numbers that are not small integers
// go through encoding/json and strconv here as well; properties are
// defined as JSON.parse defines them (a "__proto__" key is an own
// property, a repeated key keeps its first place and its last value).
// ok false (a number out of float64's range) sends the caller back to
// JSON.parse for its error.
type decoder struct {
	e     *Engine
	b     []byte
	i     int
	stack []any // items of the open arrays
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

func (d *decoder) value() (goja.Value, bool) {
	d.ws()
	switch c := d.b[d.i]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, ok := d.str()
		if !ok {
			return nil, false
		}
		return d.e.vm.ToValue(s), true
	case 't':
		d.i += 4
		return d.e.vm.ToValue(true), true
	case 'f':
		d.i += 5
		return d.e.vm.ToValue(false), true
	case 'n':
		d.i += 4
		return goja.Null(), true
	default:
		f, ok := d.number()
		if !ok {
			return nil, false
		}
		return d.e.vm.ToValue(f), true
	}
}

func (d *decoder) object() (goja.Value, bool) {
	d.i++ // {
	obj := d.e.vm.NewObject()
	d.ws()
	if d.b[d.i] == '}' {
		d.i++
		return obj, true
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
		if err := obj.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, false
		}
		d.ws()
		c := d.b[d.i]
		d.i++
		if c == '}' {
			return obj, true
		}
	}
}

func (d *decoder) array() (goja.Value, bool) {
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
	arr := d.e.vm.NewArray(d.stack[base:]...)
	clear(d.stack[base:])
	d.stack = d.stack[:base]
	return arr, true
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
