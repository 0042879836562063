package js

import (
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// awaitPrefix and awaitSuffix wrap a REPL entry that uses top-level await
// in an async function, whose promise Eval awaits.
const (
	awaitPrefix = "(async () => {"
	awaitSuffix = "\n})()"
)

// wrapAwait rewrites a REPL entry that uses await at its top level (which
// goja cannot run as a script) into an async arrow function called at
// once, so that Eval awaits it: its top-level declarations become
// assignments to globals (const r = await f() leaves r defined for the
// next entries, as a global variable), its top-level functions are also
// set as globals, and the value of its last expression statement is the
// promise's value. ok is false, and src is to be run as it is, when src
// parses as a script or does not parse even wrapped.
func wrapAwait(src string) (string, bool) {
	if !strings.Contains(src, "await") {
		return "", false
	}
	if _, err := goja.Parse("", src); err == nil {
		return "", false
	}
	wrapped := awaitPrefix + src + awaitSuffix
	prg, err := parser.ParseFile(nil, "", wrapped, 0)
	if err != nil || len(prg.Body) != 1 {
		return "", false
	}
	body := arrowBody(prg.Body[0])
	if body == nil {
		return "", false
	}
	// Offsets in wrapped are file.Idx - 1.
	text := func(n ast.Node) string { return wrapped[n.Idx0()-1 : end(n)] }
	var b strings.Builder
	b.WriteString(awaitPrefix)
	pos := len(awaitPrefix)
	replace := func(n ast.Node, with string) {
		b.WriteString(wrapped[pos : n.Idx0()-1])
		b.WriteString(with)
		pos = end(n)
	}
	var hoisted []string
	for i, st := range body.List {
		switch st := st.(type) {
		case *ast.VariableStatement:
			replace(st, assignments(st.List, text))
		case *ast.LexicalDeclaration:
			replace(st, assignments(st.List, text))
		case *ast.FunctionDeclaration:
			if st.Function.Name != nil {
				hoisted = append(hoisted, st.Function.Name.Name.String())
			}
		case *ast.ClassDeclaration:
			if st.Class.Name != nil {
				replace(st, ";"+st.Class.Name.Name.String()+" = "+text(st))
			}
		case *ast.ExpressionStatement:
			if i == len(body.List)-1 {
				replace(st.Expression, "return ("+text(st.Expression)+")")
			}
		}
	}
	b.WriteString(wrapped[pos:])
	out := b.String()
	if len(hoisted) > 0 {
		var h strings.Builder
		for _, name := range hoisted {
			h.WriteString("globalThis." + name + " = " + name + ";")
		}
		out = awaitPrefix + h.String() + out[len(awaitPrefix):]
	}
	return out, true
}

// end returns the offset in the source just past n. goja computes an
// Identifier's Idx1 from the length of its name in UTF-16 units, not in
// bytes (wrong for "é"), so nodes that end with an identifier are measured
// here.
func end(n ast.Node) int {
	switch n := n.(type) {
	case *ast.Identifier:
		return int(n.Idx) - 1 + len(n.Name.String())
	case *ast.ExpressionStatement:
		return end(n.Expression)
	case *ast.Binding:
		if n.Initializer != nil {
			return end(n.Initializer)
		}
		return end(n.Target)
	case *ast.VariableStatement:
		return end(n.List[len(n.List)-1])
	case *ast.LexicalDeclaration:
		return end(n.List[len(n.List)-1])
	}
	return int(n.Idx1()) - 1
}

// arrowBody returns the statements of the async arrow function that st
// calls, or nil.
func arrowBody(st ast.Statement) *ast.BlockStatement {
	es, ok := st.(*ast.ExpressionStatement)
	if !ok {
		return nil
	}
	call, ok := es.Expression.(*ast.CallExpression)
	if !ok {
		return nil
	}
	arrow, ok := call.Callee.(*ast.ArrowFunctionLiteral)
	if !ok {
		return nil
	}
	body, _ := arrow.Body.(*ast.BlockStatement)
	return body
}

// assignments renders declarations as assignments: x = 1, ({a, b} = o).
// A name declared without a value is set to undefined. The leading ";"
// keeps the statement from joining the one before it.
func assignments(list []*ast.Binding, text func(ast.Node) string) string {
	parts := make([]string, 0, len(list))
	for _, bd := range list {
		value := "undefined"
		if bd.Initializer != nil {
			value = text(bd.Initializer)
		}
		if id, ok := bd.Target.(*ast.Identifier); ok {
			parts = append(parts, id.Name.String()+" = "+value)
			continue
		}
		parts = append(parts, "("+text(bd.Target)+" = "+value+")")
	}
	return ";" + strings.Join(parts, ", ")
}
