package js

import (
	"github.com/dop251/goja"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

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
	e *Engine
	jsontok.Scanner
	stack []any // items of the open arrays
}

func (d *decoder) value() (goja.Value, bool) {
	d.SkipSpace()
	switch c := d.B[d.I]; c {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		s, ok := d.String()
		if !ok {
			return nil, false
		}
		return d.e.vm.ToValue(s), true
	case 't':
		d.I += 4
		return d.e.vm.ToValue(true), true
	case 'f':
		d.I += 5
		return d.e.vm.ToValue(false), true
	case 'n':
		d.I += 4
		return goja.Null(), true
	default:
		f, ok := d.Number()
		if !ok {
			return nil, false
		}
		return d.e.vm.ToValue(f), true
	}
}

func (d *decoder) object() (goja.Value, bool) {
	d.I++ // {
	obj := d.e.vm.NewObject()
	d.SkipSpace()
	if d.B[d.I] == '}' {
		d.I++
		return obj, true
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
		if err := obj.DefineDataProperty(k, v, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, false
		}
		d.SkipSpace()
		c := d.B[d.I]
		d.I++
		if c == '}' {
			return obj, true
		}
	}
}

func (d *decoder) array() (goja.Value, bool) {
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
	arr := d.e.vm.NewArray(d.stack[base:]...)
	clear(d.stack[base:])
	d.stack = d.stack[:base]
	return arr, true
}
