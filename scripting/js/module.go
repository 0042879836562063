package js

import (
	"fmt"
	"os"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// Top-level await in a bundle run as a file: the bundle becomes the body
// of an async function, on a line of its own so that the source map only
// needs one more line, and its promise is the run's (see runModule).
const (
	moduleAwaitPrefix = "(async () => {\n"
	moduleAwaitSuffix = "\n})()"
)

// compiled is a bundle ready to run.
type compiled struct {
	prg *goja.Program
	// async is set when the bundle awaits at its top level: the program's
	// value is the promise of its async body.
	async bool
}

// bundleSuffix ends the name goja gives a bundle, whose positions the
// source map does not cover: esbuild's helpers and our own lines around
// the bundle. Stacks leave those frames out (see scriptFrame).
const bundleSuffix = " (bundle)"

// hiddenFile reports whether a stack frame's file is one the script's
// author did not write: a bundle's own lines (see bundleSuffix), or the
// module esbuild makes for a bare name (see builtinNS).
func hiddenFile(name string) bool {
	return strings.HasSuffix(name, bundleSuffix) || strings.HasPrefix(name, builtinNS+":")
}

// dropBundleFrames removes from a stack text the frames of hidden files.
func dropBundleFrames(stack string) string {
	if !strings.Contains(stack, bundleSuffix) && !strings.Contains(stack, builtinNS+":") {
		return stack
	}
	lines := strings.Split(stack, "\n")
	out := lines[:0]
	for _, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "at ") && frameHidden(t) {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// frameHidden reports whether a frame line "at name (file:line:col)" or
// "at file:line:col" is of a hidden file.
func frameHidden(line string) bool {
	loc := strings.TrimPrefix(line, "at ")
	if i := strings.LastIndex(loc, " ("); i >= 0 && strings.HasSuffix(loc, ")") {
		loc = loc[i+2 : len(loc)-1]
	}
	return strings.Contains(loc, bundleSuffix+":") || strings.HasPrefix(loc, builtinNS+":")
}

// compileBundle compiles b, bundled from the file name, for goja with its
// source map, so that stacks name the original files, lines and
// columns. With repl, a top-level await is rewritten as wrapAwait does for
// a REPL entry, so that the file's declarations outlive the .load.
func compileBundle(name string, b *bundle, repl bool) (*compiled, error) {
	if de := checkDepth(b.code); de != nil {
		// Each file was measured as esbuild loaded it (see depthPlugin):
		// what esbuild wrapped around a file took it past the bound.
		se := depthError(name, de)
		se.Line = 0
		se.Message = "SyntaxError: the bundle esbuild made of it " + de.message()[len("source "):]
		return nil, se
	}
	m, err := adjustMap(b.sourceMap, 0)
	if err != nil {
		return nil, fmt.Errorf("js: %s: %w", name, err)
	}
	prg, perr := parseMapped(name, b.code, m)
	if perr == nil {
		return &compiled{prg: prg}, nil
	}
	if !strings.Contains(b.code, "await") {
		return nil, syntaxError(name, perr)
	}
	if repl {
		wrapped, ok := wrapAwait(b.code)
		if !ok {
			return nil, syntaxError(name, perr)
		}
		// wrapAwait puts its prefix on the first line, a comment or a
		// declaration of esbuild's, where nothing throws.
		prg, err := parseMapped(name, wrapped, m)
		if err != nil {
			return nil, syntaxError(name, perr)
		}
		return &compiled{prg: prg, async: true}, nil
	}
	if m, err = adjustMap(b.sourceMap, 1); err != nil {
		return nil, fmt.Errorf("js: %s: %w", name, err)
	}
	prg, err = parseMapped(name, moduleAwaitPrefix+b.code+moduleAwaitSuffix, m)
	if err != nil {
		return nil, syntaxError(name, perr)
	}
	return &compiled{prg: prg, async: true}, nil
}

// parseMapped parses and compiles code bundled from the file name with
// the source map m.
func parseMapped(name, code string, m []byte) (*goja.Program, error) {
	code = strings.TrimRight(code, "\n") + "\n//# sourceMappingURL=" + mapName + "\n"
	ast, err := goja.Parse(name+bundleSuffix, code, parser.WithSourceMapLoader(func(string) ([]byte, error) { return m, nil }))
	if err != nil {
		return nil, err
	}
	return goja.CompileAST(ast, false)
}

// compileFile compiles the script file at path: TypeScript and ES
// modules through esbuild (bundleFile), other JavaScript as goja's script.
func compileFile(path string) (*compiled, error) {
	if isModuleFile(path) {
		return loadModule(path, false)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("js: %w", err)
	}
	if de := checkDepth(string(src)); de != nil {
		return nil, depthError(path, de)
	}
	prg, err := goja.Compile(path, string(src), false)
	if err == nil {
		return &compiled{prg: prg}, nil
	}
	if looksLikeModule(string(src)) {
		return loadModule(path, false)
	}
	return nil, syntaxError(path, err)
}

// compileEntry compiles a REPL entry, or the file name (src) for a .load:
// a top-level await is run in an async function (wrapAwait), whose
// promise EvalNamed awaits; TypeScript and ES modules are bundled from
// the file name.
func compileEntry(name, src string) (*goja.Program, error) {
	if isModuleFile(name) {
		m, err := loadModule(name, true)
		if err != nil {
			return nil, err
		}
		return m.prg, nil
	}
	if de := checkDepth(src); de != nil {
		return nil, depthError(name, de)
	}
	code := src
	if wrapped, ok := wrapAwait(src); ok {
		code = wrapped // top-level await: its promise is awaited
	}
	// Compiled apart, a syntax error is goja's, not an exception that
	// would read "SyntaxError: SyntaxError: ...".
	prg, err := goja.Compile(name, code, false)
	if err == nil {
		return prg, nil
	}
	if name != replName && looksLikeModule(src) {
		if _, serr := os.Stat(name); serr == nil {
			m, merr := loadModule(name, true)
			if merr != nil {
				return nil, merr
			}
			return m.prg, nil
		}
	}
	return nil, syntaxError(name, err)
}

// loadModule bundles and compiles the file at path; see bundleFile.
func loadModule(path string, repl bool) (*compiled, error) {
	b, err := bundleFile(path)
	if err != nil {
		return nil, err
	}
	return compileBundle(path, b, repl)
}

// watchModule makes the promise of a module's async body end the run when
// it rejects, as an exception escaping a script does ("Uncaught ...", not
// "Uncaught (in promise) ...").
func (e *Engine) watchModule(v goja.Value) *goja.Promise {
	p, ok := promise(v)
	if !ok {
		return nil
	}
	obj := v.(*goja.Object)
	then, ok := goja.AssertFunction(obj.Get("then"))
	if !ok {
		return p
	}
	onReject := e.vm.ToValue(func(reason goja.Value) {
		se := e.rejectionError(reason)
		se.Message = "Uncaught " + strings.TrimPrefix(se.Message, "Uncaught (in promise) ")
		e.fail(se)
	})
	if _, err := then(obj, goja.Undefined(), onReject); err != nil {
		e.uncaught(err)
	}
	return p
}

// unsettled is the error of a run whose top-level await waits for a
// promise nothing will settle: the loop has nothing left to run.
func unsettled(name string) *scripting.ScriptError {
	return &scripting.ScriptError{
		File:    name,
		Message: "Error: top-level await never settled: nothing is left to resolve the promise awaited (no call or timer is pending, no serve(); handlers alone do not keep a script alive)",
	}
}
