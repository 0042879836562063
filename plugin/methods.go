package plugin

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/switchboard-rpc/switchboard/internal/wire"
)

var (
	typeContext = reflect.TypeFor[context.Context]()
	typeError   = reflect.TypeFor[error]()
	typeHook    = reflect.TypeFor[chan any]()
)

// hookMethod is the optional method through which a plugin receives the
// channel whose values the SDK sends to the socket as async messages.
const hookMethod = "UseAsyncHook"

// method is one servable method, found by reflection once at Start.
type method struct {
	fn  reflect.Value // bound to the receiver
	in  reflect.Type
	out reflect.Type
	// direct is fn itself when its argument and result are both any: it is
	// then called without reflection (nil otherwise).
	direct func(context.Context, any) (any, error)
}

// discover finds the methods of v that follow the documented signature.
// It fails for reserved names and, with a hint, when there are none.
func discover(v any) (map[string]method, bool, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, false, fmt.Errorf("%w: receiver is nil", ErrNoMethods)
	}
	rt := rv.Type()
	methods := map[string]method{}
	hook := false
	var reserved []string
	for i := 0; i < rt.NumMethod(); i++ {
		m := rt.Method(i)
		mt := m.Type // includes the receiver as first argument
		if m.Name == hookMethod {
			hook = mt.NumIn() == 2 && mt.In(1) == typeHook && mt.NumOut() == 0
			continue
		}
		if !servable(mt) {
			continue
		}
		if wire.Reserved(m.Name) {
			reserved = append(reserved, m.Name)
			continue
		}
		fn := rv.Method(i)
		direct, _ := fn.Interface().(func(context.Context, any) (any, error))
		methods[m.Name] = method{fn: fn, in: mt.In(2), out: mt.Out(0), direct: direct}
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return nil, false, fmt.Errorf("%w: %s (rename the method; these names are protocol messages)",
			ErrReservedMethod, strings.Join(reserved, ", "))
	}
	if len(methods) == 0 {
		hint := ""
		if rt.Kind() != reflect.Pointer {
			if n := countServable(reflect.PointerTo(rt)); n > 0 {
				hint = fmt.Sprintf(" (hint: *%s has %d; pass a pointer)", rt.Name(), n)
			}
		}
		return nil, false, fmt.Errorf("%w: %s has no exported method of the form "+
			"func (t *T) Name(ctx context.Context, in T1) (T2, error)%s", ErrNoMethods, rt, hint)
	}
	return methods, hook, nil
}

func countServable(t reflect.Type) int {
	n := 0
	for i := 0; i < t.NumMethod(); i++ {
		if servable(t.Method(i).Type) && !wire.Reserved(t.Method(i).Name) {
			n++
		}
	}
	return n
}

// servable reports whether mt (with the receiver as first argument) is
// func(ctx context.Context, in T1) (T2, error) with acceptable T1 and T2.
func servable(mt reflect.Type) bool {
	if mt.NumIn() != 3 || mt.NumOut() != 2 {
		return false
	}
	if mt.In(1) != typeContext || mt.Out(1) != typeError {
		return false
	}
	in, out := mt.In(2), mt.Out(0)
	switch in.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	case reflect.Interface:
		if in.NumMethod() > 0 {
			return false
		}
	}
	switch out.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return false
	}
	return exportedOrBuiltin(in) && exportedOrBuiltin(out)
}

func exportedOrBuiltin(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name() == "" || t.PkgPath() == "" || isExported(t.Name())
}

func isExported(name string) bool {
	return name != "" && strings.ToUpper(name[:1]) == name[:1]
}

// functions describes the methods for the handshake, merged with what the
// author wrote in authored.
func functions(methods map[string]method, authored map[string]Function) map[string]Function {
	out := make(map[string]Function, len(methods))
	for name, m := range methods {
		f := Function{Name: name, Input: TypeDescription(m.in), Output: TypeDescription(m.out)}
		if a, ok := authored[name]; ok {
			f.Input = merge(f.Input, a.Input)
			f.Output = merge(f.Output, a.Output)
		}
		out[name] = f
	}
	return out
}
