package js

import (
	"slices"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// Complete returns the names that complete word, for a REPL's tab
// completion: the globals (the script API's and the script's own) that
// start with word, or, when word has dots ("JSON.str"), the properties of
// the object the part before the last dot names, own and inherited, that
// start with what follows it, each as the whole dotted word. It only
// reads properties, but a getter runs. Call it on the script's goroutine,
// between runs.
func (e *Engine) Complete(word string) (names []string) {
	defer func() {
		if recover() != nil { // a getter threw
			names = nil
		}
	}()
	path, prefix, dotted := cutLast(word, ".")
	if !dotted {
		all := append(e.Globals(), e.vm.GlobalObject().GetOwnPropertyNames()...)
		all = append(all, e.lexical...)
		return startingWith(all, "", word)
	}
	parts := strings.Split(path, ".")
	v := e.vm.Get(parts[0])
	for _, p := range parts[1:] {
		if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
			return nil
		}
		v = v.ToObject(e.vm).Get(p)
	}
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	var props []string
	for o := v.ToObject(e.vm); o != nil; o = o.Prototype() {
		props = append(props, o.GetOwnPropertyNames()...)
	}
	return startingWith(props, path+".", prefix)
}

// cutLast splits s around the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

// startingWith returns head+name for the distinct names that start with
// prefix, sorted.
func startingWith(names []string, head, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, head+n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// noteLexical remembers the names src declares at its top level with let,
// const or class, which are not properties of the global object, for
// Complete.
func (e *Engine) noteLexical(src string) {
	prg, err := parser.ParseFile(nil, "", src, 0)
	if err != nil {
		return
	}
	for _, st := range prg.Body {
		switch st := st.(type) {
		case *ast.LexicalDeclaration:
			for _, b := range st.List {
				if id, ok := b.Target.(*ast.Identifier); ok {
					e.lexical = append(e.lexical, id.Name.String())
				}
			}
		case *ast.ClassDeclaration:
			if st.Class.Name != nil {
				e.lexical = append(e.lexical, st.Class.Name.Name.String())
			}
		}
	}
	if len(e.lexical) > 256 {
		slices.Sort(e.lexical)
		e.lexical = slices.Compact(e.lexical)
	}
}
