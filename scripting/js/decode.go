package js

import (
	"github.com/dop251/goja"
)

// jsValues builds, for jsontok.Build, the JavaScript values goja's JSON.parse
// makes, without its token stream: it decodes with encoding/json too, so
// strings and numbers are the same; properties are defined as JSON.parse
// defines them (a "__proto__" key is an own property, a repeated key keeps
// its first place and its last value). Values are goja.Values held in an
// any, which is what NewArray takes.
type jsValues struct{ e *Engine }

func (b jsValues) Null() any            { return goja.Null() }
func (b jsValues) Bool(v bool) any      { return b.e.vm.ToValue(v) }
func (b jsValues) Number(f float64) any { return b.e.vm.ToValue(f) }
func (b jsValues) String(s string) any  { return b.e.vm.ToValue(s) }
func (b jsValues) Array(items []any) any {
	return b.e.vm.NewArray(items...) // NewArray copies the items
}

func (b jsValues) Object(keys []string, values []any) (any, bool) {
	obj := b.e.vm.NewObject()
	for i, k := range keys {
		if err := obj.DefineDataProperty(k, values[i].(goja.Value), goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_TRUE); err != nil {
			return nil, false
		}
	}
	return obj, true
}
