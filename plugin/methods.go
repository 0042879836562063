package plugin

import (
	"context"
	"fmt"
	"reflect"
	"slices"
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
	name string
	fn   reflect.Value // the method's function, its receiver first
	recv reflect.Value // the receiver
	in   reflect.Type
	out  reflect.Type
	// direct is fn itself when its argument and result are both any: it is
	// then called without reflection (nil otherwise).
	direct func(context.Context, any) (any, error)
}

// methodSet is a plugin's methods sorted by name, found by binary search:
// smaller than a map for the few methods a plugin has, and an idle plugin
// keeps it for as long as it is connected.
type methodSet []*method

// lookup returns the method called name, or nil.
func (s methodSet) lookup(name string) *method {
	i, ok := slices.BinarySearchFunc(s, name, func(m *method, name string) int { return strings.Compare(m.name, name) })
	if !ok {
		return nil
	}
	return s[i]
}

// discover finds the methods of v that follow the documented signature,
// and says why each other exported method is skipped ("Loud: argument type
// main.text is not exported"). It fails for reserved names and, with a hint
// and the skipped methods, when there are none.
func discover(v any) (methods methodSet, hook bool, skipped []skip, err error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, false, nil, fmt.Errorf("%w: receiver is nil", ErrNoMethods)
	}
	rt := rv.Type()
	var reserved []string
	for i := 0; i < rt.NumMethod(); i++ {
		m := rt.Method(i)
		mt := m.Type // includes the receiver as first argument
		if m.Name == hookMethod {
			hook = mt.NumIn() == 2 && mt.In(1) == typeHook && mt.NumOut() == 0
			if !hook {
				skipped = append(skipped, skip{m.Name, "want func(chan any) to receive the async hook, not " + signature(mt)})
			}
			continue
		}
		if why := unservable(mt); why != "" {
			skipped = append(skipped, skip{m.Name, why})
			continue
		}
		if wire.Reserved(m.Name) {
			reserved = append(reserved, m.Name)
			continue
		}
		direct, _ := rv.Method(i).Interface().(func(context.Context, any) (any, error))
		// m.Func, the receiver passed first, not the method value: reflect
		// calls a method value through methodValueCall, which looks up its
		// frame layout and allocates on every call.
		// reflect lists methods sorted by name: so is methods.
		methods = append(methods, &method{name: m.Name, fn: m.Func, recv: rv, in: mt.In(2), out: mt.Out(0), direct: direct})
	}
	if len(reserved) > 0 {
		sort.Strings(reserved)
		return nil, false, nil, fmt.Errorf("%w: %s (rename the method; these names are protocol messages)",
			ErrReservedMethod, strings.Join(reserved, ", "))
	}
	if len(methods) == 0 {
		hint := ""
		if rt.Kind() != reflect.Pointer {
			if n := countServable(reflect.PointerTo(rt)); n > 0 {
				hint = fmt.Sprintf(" (hint: *%s has %d; pass a pointer)", rt.Name(), n)
			}
		}
		for i, sk := range skipped {
			sep := "; "
			if i == 0 {
				sep = "; skipped: "
			}
			hint += sep + sk.String()
		}
		return nil, false, nil, fmt.Errorf("%w: %s has no exported method of the form "+
			"func (t *T) Name(ctx context.Context, in T1) (T2, error)%s", ErrNoMethods, rt, hint)
	}
	return methods, hook, skipped, nil
}

// skip is an exported method Start does not serve, and why.
type skip struct{ name, why string }

func (s skip) String() string { return s.name + ": " + s.why }

func countServable(t reflect.Type) int {
	n := 0
	for i := 0; i < t.NumMethod(); i++ {
		if unservable(t.Method(i).Type) == "" && !wire.Reserved(t.Method(i).Name) {
			n++
		}
	}
	return n
}

// unservable says why mt (with the receiver as first argument) is not
// func(ctx context.Context, in T1) (T2, error) with acceptable T1 and T2,
// or returns "" when it is.
func unservable(mt reflect.Type) string {
	if mt.NumIn() != 3 || mt.NumOut() != 2 {
		return "want func(ctx context.Context, in T1) (T2, error), not " + signature(mt)
	}
	if mt.In(1) != typeContext {
		return fmt.Sprintf("the first argument is %s, not context.Context", mt.In(1))
	}
	if mt.Out(1) != typeError {
		return fmt.Sprintf("the second result is %s, not error", mt.Out(1))
	}
	if why := unfit(mt.In(2), true); why != "" {
		return "argument type " + why
	}
	if why := unfit(mt.Out(0), false); why != "" {
		return "result type " + why
	}
	return ""
}

// unfit says why t cannot be a method's argument (in) or result, or
// returns "".
func unfit(t reflect.Type, in bool) string {
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return fmt.Sprintf("%s cannot travel as JSON", t)
	case reflect.Interface:
		if in && t.NumMethod() > 0 {
			return fmt.Sprintf("%s is an interface with methods, which JSON cannot fill", t)
		}
	}
	if !exportedOrBuiltin(t) {
		return fmt.Sprintf("%s is not exported", t)
	}
	return ""
}

// signature writes mt without its receiver, as func(A, B) (C, D).
func signature(mt reflect.Type) string {
	var b strings.Builder
	b.WriteString("func(")
	for i := 1; i < mt.NumIn(); i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString(mt.In(i).String())
	}
	b.WriteString(")")
	switch mt.NumOut() {
	case 0:
	case 1:
		b.WriteString(" " + mt.Out(0).String())
	default:
		b.WriteString(" (")
		for i := 0; i < mt.NumOut(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(mt.Out(i).String())
		}
		b.WriteString(")")
	}
	return b.String()
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
func functions(methods methodSet, authored map[string]Function) map[string]Function {
	out := make(map[string]Function, len(methods))
	for _, m := range methods {
		name := m.name
		f := Function{Name: name, Input: TypeDescription(m.in), Output: TypeDescription(m.out)}
		if a, ok := authored[name]; ok {
			f.Input = merge(f.Input, a.Input)
			f.Output = merge(f.Output, a.Output)
		}
		out[name] = f
	}
	return out
}
