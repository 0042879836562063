package js_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/js"
)

// crashDepth nests source deeply enough to overflow the Go stack in
// goja's parser (and in esbuild's) without the depth check: the host
// died with "fatal error: stack overflow" at 300,000 levels, which no
// recover() catches.
const crashDepth = 300_000

// nested is an expression nested n levels deep in parentheses.
func nested(n int) string { return strings.Repeat("(", n) + "1" + strings.Repeat(")", n) }

// tooDeep is the start of the message of source refused past the bound.
var tooDeep = fmt.Sprintf("source nested deeper than %d levels of brackets, the bound js.MaxSourceDepth", js.MaxSourceDepth)

// TestDeepSourceFiles: a script, a TypeScript file, an ES module that
// imports a deep one and a require()d CommonJS module nested past
// js.MaxSourceDepth are refused with a SyntaxError naming the file, the
// line and the bound, before goja or esbuild parses them, and the host
// goes on. At crashDepth each of them crashed the process.
func TestDeepSourceFiles(t *testing.T) {
	deep := "// line 1\nlet x = " + nested(crashDepth) + ";\n"
	for _, c := range []struct {
		main  string
		files map[string]string
		file  string // the file the error names
		col   int    // the column of the opening bracket past the bound
	}{
		{"main.js", map[string]string{"main.js": deep}, "main.js", 1009},
		{"main.ts", map[string]string{"main.ts": strings.Replace(deep, "let x", "let x: number", 1)}, "main.ts", 1017},
		{"main.mjs", map[string]string{"main.mjs": "import { y } from './lib.mjs';\nconsole.log(y);\n", "lib.mjs": deep + "export const y = x;\n"}, "lib.mjs", 1009},
	} {
		start := time.Now()
		out, err := runFiles(t, c.main, c.files)
		se := asScriptError(t, err)
		if filepath.Base(se.File) != c.file || se.Line != 2 || !strings.HasPrefix(se.Message, "SyntaxError: "+tooDeep) || out != "" {
			t.Errorf("%s: %v (file %s, line %d), stdout %q; want %s:2: SyntaxError: %s", c.main, err, se.File, se.Line, out, c.file, tooDeep)
		}
		if want := fmt.Sprintf(" (column %d)", c.col); !strings.HasSuffix(se.Message, want) {
			t.Errorf("%s: %q, want the column of the opening bracket past the bound:%s", c.main, se.Message, want)
		}
		if c.main == "main.js" && !errors.Is(err, js.ErrTooDeep) {
			t.Errorf("%s: %v is not js.ErrTooDeep", c.main, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: refused after %v, want at once", c.main, d)
		}
	}
	// esbuild wraps a CommonJS file it bundles in a function (three
	// levels; it would drop parentheses, but not arrays): the bundle is
	// measured too.
	_, err := runFiles(t, "main.mjs", map[string]string{
		"main.mjs": `import { x } from "./lib.cjs"; console.log(x)`,
		"lib.cjs":  "exports.x = " + strings.Repeat("[", js.MaxSourceDepth-1) + strings.Repeat("]", js.MaxSourceDepth-1) + ";",
	})
	if se := asScriptError(t, err); filepath.Base(se.File) != "main.mjs" || se.Line != 0 ||
		se.Message != "SyntaxError: the bundle esbuild made of it nested deeper than 1000 levels of brackets, the bound js.MaxSourceDepth" {
		t.Errorf("bundle: %v", err)
	}
	out, err := runFiles(t, "main.js", map[string]string{
		"main.js": `try { require("./lib.js") } catch (e) { console.log(e.name, e.message) }
console.log(require("./ok.js"))`,
		"lib.js": deep,
		"ok.js":  "module.exports = " + nested(js.MaxSourceDepth-2) + ";",
	})
	if want := string(filepath.Separator) + "lib.js:2: " + tooDeep + " (column 1009)\n1\n"; err != nil || !strings.HasSuffix(out, want) || !strings.HasPrefix(out, "SyntaxError ") {
		t.Errorf("require: %v, stdout %q, want ...%q", err, out, want)
	}
}

// TestDeepSourceEval: eval, Function, new Function and the async and
// generator function constructors refuse text nested past the bound with
// a SyntaxError the script catches (at crashDepth they crashed the host),
// and work as before otherwise. eval is always indirect: it sees global
// variables only, and its var declarations are global.
func TestDeepSourceEval(t *testing.T) {
	expect(t, fmt.Sprintf(`
const deep = %q;
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
for (const f of [() => eval(deep), () => globalThis.eval(deep), () => Function("return " + deep), () => new Function("a", deep),
	() => AsyncFunction(deep), () => new GeneratorFunction(deep), () => Function(deep, "")]) {
	try { f(); console.log("no error") } catch (e) { console.log(e instanceof SyntaxError, e.message) }
}
console.log(eval("1 + 2"), eval(%q), eval(42), Function("a", "b", "return a * b")(6, 7), new Function("return 1")())
console.log(AsyncFunction("return 1")() instanceof Promise, new GeneratorFunction("yield 5")().next().value)
console.log((() => {}) instanceof Function, Function.prototype.constructor === Function, (async () => {}).constructor === AsyncFunction,
	Function.name, Function.length, Object.getPrototypeOf(Function) === Function.prototype)
class F extends Function {}
const f = new F("return 9")
console.log(f(), f instanceof F, f instanceof Function)
let converted = []
Function({toString() { converted.push("a"); return "a" }}, {toString() { converted.push("body"); return "return a" }})
console.log(converted.join())
function local() { const secret = 1; try { return eval("secret") } catch (e) { return e.name } }
console.log(local())
eval("var declared = 5")
console.log(declared)
`, nested(crashDepth), nested(js.MaxSourceDepth)), strings.Repeat("true "+tooDeep+", at line 1, column 1001\n", 2)+
		"true "+tooDeep+", at line 1, column 1008\n"+
		strings.Repeat("true "+tooDeep+", at line 1, column 1001\n", 4)+
		`3 1 42 42 1
true 5
true true true Function 1 true
9 true true
a,body
ReferenceError
5`)
}

// TestDeepSourceREPL: a REPL entry and a .load of a file nested past the
// bound fail with the SyntaxError, Incomplete does not wait for more
// input after them, and the next entry runs.
func TestDeepSourceREPL(t *testing.T) {
	e, _ := newREPL(t)
	ctx := scripttest.Context(t, 10*time.Second)
	deep := "1 +\n" + nested(crashDepth)
	if e.Incomplete(deep) || e.Incomplete(strings.Repeat("(", crashDepth)) {
		t.Errorf("Incomplete(deep) = true, want false: Eval refuses it")
	}
	if _, err := e.Eval(ctx, deep); err == nil || err.Error() != "<repl>:2: SyntaxError: "+tooDeep+" (column 1001)" {
		t.Errorf("Eval(deep): %v", err)
	}
	path := scripttest.WriteFile(t, t.TempDir(), "deep.js", deep)
	if _, err := e.EvalNamed(ctx, path, deep); err == nil || err.Error() != path+":2: SyntaxError: "+tooDeep+" (column 1001)" {
		t.Errorf("EvalNamed(deep.js): %v", err)
	}
	if out, err := e.Eval(ctx, nested(js.MaxSourceDepth)); err != nil || out != "1" {
		t.Errorf("entry nested at the bound: %q, %v", out, err)
	}
}

// TestSourceDepthScan: what the depth check counts. Brackets nest up to
// the bound; those in strings, template text, comments and regular
// expressions do not count; those in template substitutions, and after
// a / that may divide as well as start a regular expression, do.
func TestSourceDepthScan(t *testing.T) {
	n := js.MaxSourceDepth
	r := strings.Repeat
	var srcs, want []string
	for _, c := range []struct {
		name, src string
		deep      bool
	}{
		{"at the bound", nested(n), false},
		{"past the bound", nested(n + 1), true},
		{"mixed brackets", "x = " + r("[{a:(", n/3+1) + "1" + r(")}]", n/3+1), true},
		{"mixed brackets within", "x = " + r("[{a:(", n/3) + "1" + r(")}]", n/3), false},
		{"siblings", r(nested(n)+";", 50), false},
		{"strings", `x = ["` + r("(", 5*n) + `", '` + r("[", 5*n) + `\'', "\"{"]`, false},
		{"template text", "x = `" + r("(", 5*n) + "${1}" + r("{", 5*n) + "`", false},
		{"template substitutions", "x = " + r("`${", n+1) + "1" + r("}`", n+1), true},
		{"comments", "// " + r("(", 5*n) + "\n/* " + r("{", 5*n) + " */ 1", false},
		{"regular expressions", `x = /\(` + r("[(]", 5*n) + `/g; y = [/[/(]/, /\//]; z = 4 / 2 / 1`, false},
		{"a quote in a regular expression", `x = /'/; y = ` + nested(n+1), true},
		{"a quote after a division", `a = 1; x = a / 2; y = "/"; z = ` + nested(n+1), true},
		{"a division after }", "x = {} / " + nested(n+1), true},
		{"divisions after } on many lines", "x = {} / " + r("(", 600) + "a / 1\n, {} / " + r("(", 600) + "a / 1" + r(")", 1200), true},
		{"a regular expression after a keyword and a no-break space", "function f() { return\u00a0/'/ }; x = " + nested(n+1), true},
		{"a regular expression after if", "if (1) /'/.test('a'); x = " + nested(n+1), true},
		{"an unended regular expression", "x = /" + r("(", n+1) + "\n" + r(")", n+1), true},
	} {
		srcs = append(srcs, c.src)
		want = append(want, fmt.Sprintf("%s: %v", c.name, c.deep))
	}
	cases, _ := json.Marshal(srcs)
	names, _ := json.Marshal(want)
	expect(t, fmt.Sprintf(`const names = %s;
%s.forEach((src, i) => {
	let deep = false;
	try { eval(src) } catch (e) { deep = e.message.includes(%q) }
	console.log(names[i].replace(/: .*/, ": " + deep));
})`, names, cases, tooDeep), strings.Join(want, "\n"))
}
