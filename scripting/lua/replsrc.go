package lua

import (
	"strings"

	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// shorthand turns the lua command's "=expr" into "return expr".
func shorthand(src string) string {
	if rest, ok := strings.CutPrefix(strings.TrimLeft(src, " \t\r\n"), "="); ok {
		return "return " + rest
	}
	return src
}

// keepLocals makes the top-level locals of a REPL entry outlive it: the
// lua command forgets them at the end of the line, so that local x = 21
// and then x on the next line gives nil. At the end of the entry each such
// local is copied to the global of its name. An entry that ends with
// return, or does not parse, is returned as it is.
func keepLocals(src string) string {
	chunk, err := parse.Parse(strings.NewReader(src), "<repl>")
	if err != nil || len(chunk) == 0 {
		return src
	}
	switch chunk[len(chunk)-1].(type) {
	case *ast.ReturnStmt, *ast.BreakStmt:
		return src
	}
	var names []string
	for _, st := range chunk {
		if l, ok := st.(*ast.LocalAssignStmt); ok {
			names = append(names, l.Names...)
		}
	}
	if len(names) == 0 {
		return src
	}
	var b strings.Builder
	b.WriteString(src)
	b.WriteString("\n;")
	for _, name := range names {
		b.WriteString("_G[\"" + name + "\"] = " + name + "; ")
	}
	return b.String()
}
