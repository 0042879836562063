package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// examplePlugins are the plugins whose declarations are the golden files
// examples/scripts/switchboard.d.ts and switchboard.meta.lua.
var examplePlugins = []string{"chaos", "echo", "kv", "progress"}

// typesOf runs switchboard types for the example plugins (built into
// pluginDir) with extra flags and returns what it wrote to stdout.
func typesOf(t *testing.T, extra ...string) string {
	t.Helper()
	args := []string{"types"}
	for _, p := range examplePlugins {
		args = append(args, "-spawn", filepath.Join(pluginDir, p), "-wait", p)
	}
	st, out, errb := fakeState(append(args, extra...)...)
	if status := st.main(); status != 0 {
		t.Fatalf("types %q: status %d; stderr:\n%s", extra, status, errb)
	}
	return out.String()
}

// TestTypesGolden compares the declarations written for the example
// plugins with the committed ones, which the example workflows use. To
// refresh them after a change, run the command in quickstart.ts's header
// (and its -lang lua form, -o examples/scripts/switchboard.meta.lua).
func TestTypesGolden(t *testing.T) {
	for _, tc := range []struct{ lang, golden string }{
		{"ts", "switchboard.d.ts"},
		{"lua", "switchboard.meta.lua"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			got := typesOf(t, "-lang", tc.lang)
			want, err := os.ReadFile(filepath.Join("../../examples/scripts", tc.golden))
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("types -lang %s differs from examples/scripts/%s:\n%s", tc.lang, tc.golden, lineDiff(string(want), got))
			}
		})
	}
}

// TestTypesOutput checks -o and the bad flags.
func TestTypesOutput(t *testing.T) {
	file := filepath.Join(t.TempDir(), "sb.d.ts")
	st, out, errb := fakeState("types", "-o", file)
	if status := st.main(); status != 0 || out.Len() != 0 {
		t.Fatalf("status %d, stdout %q, stderr %q", status, out, errb)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "No plugin was connected") || !strings.Contains(string(b), "declare function waitFor(") {
		t.Errorf("declarations without plugins:\n%s", b)
	}
	for _, args := range [][]string{{"types", "-lang", "js"}, {"types", "extra"}} {
		st, _, errb := fakeState(args...)
		if status := st.main(); status != exitUsage {
			t.Errorf("%q: status %d, want %d; stderr %s", args, status, exitUsage, errb)
		}
	}
}

// lineDiff shows the first line where got differs from want.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl
		}
	}
	return "(same lines)"
}

// tscPath is tsc as .ci/run installs it (npm ci in examples/scripts/typecheck).
const tscPath = "../../examples/scripts/typecheck/node_modules/.bin/tsc"

// TestTypeCheck runs tsc against the declarations of the example plugins
// (the golden file TestTypesGolden keeps equal to what types writes) on
// deliberately wrong calls, each of which must fail with the error
// expected, and on a workflow that opts in to untyped calls. .ci/run
// checks the example workflows themselves with tsc.
func TestTypeCheck(t *testing.T) {
	_, npmErr := exec.LookPath("npm")
	if _, err := os.Stat(tscPath); err != nil {
		if os.Getenv("CI") != "" && npmErr == nil {
			t.Fatalf("tsc is missing under CI, where npm is: .ci/run runs npm ci in examples/scripts/typecheck (%v)", err)
		}
		t.Skip("tsc not installed: run npm ci in examples/scripts/typecheck (.ci/run does where npm is)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	tsc, _ := filepath.Abs(tscPath)
	base, _ := filepath.Abs("../../examples/scripts/typecheck/tsconfig.json")
	decls, _ := filepath.Abs("../../examples/scripts/switchboard.d.ts")

	ref := "/// <reference path=" + quoteJS(decls) + " />\n"
	wrong := map[string]struct{ src, want string }{
		"field_type.ts":     {`call("echo", "Upper", { text: 1 });`, "Type 'number' is not assignable to type 'string'"},
		"unknown_method.ts": {`call("echo", "Uper", { text: "x" });`, `Argument of type '"Uper"' is not assignable to parameter of type '"Echo" | "Reverse" | "Upper"'`},
		"unknown_plugin.ts": {`call("nobody", "Upper", { text: "x" });`, `Argument of type '"nobody"' is not assignable to parameter of type 'keyof Plugins'`},
		"async_field.ts":    {`callAsync("kv", "Set", { key: 1, value: 2 });`, "Type 'number' is not assignable to type 'string'"},
		"missing_field.ts":  {`call("progress", "Run", { steps: 3 });`, "Property 'job' is missing"},
		"extra_field.ts":    {`call("echo", "Upper", { text: "x", loud: true });`, "Object literal may only specify known properties"},
		"result_type.ts":    {`const n: number = call("echo", "Upper", { text: "x" }).text;`, "Type 'string' is not assignable to type 'number'"},
		"async_result.ts":   {`const r = await callAsync("kv", "Get", { key: "k" }); r.nope;`, "Property 'nope' does not exist"},
		"error_code.ts":     {`try { call("echo", "Upper", { text: "x" }); } catch (e) { if ((e as Switchboard.CallError).code === "timed_out") {} }`, "have no overlap"},
	}
	dir := t.TempDir()
	var files []string
	for name, c := range wrong {
		writeFile(t, dir, name, ref+c.src+"\n")
		files = append(files, name)
	}
	writeTSConfig(t, dir, base, files)

	// Opting in to the generic signature lets unknown calls through, while
	// the typed overloads still come first.
	okDir := t.TempDir()
	writeFile(t, okDir, "optin.ts", ref+`declare global {
  function call(plugin: string, method: string, payload?: unknown, opts?: Switchboard.CallOptions): any;
}
call("nobody", "Anything", { x: 1 });
const s: string = call("echo", "Upper", { text: "x" }).text;
// @ts-expect-error: the typed overloads still come before the generic one.
const n: number = call("echo", "Upper", { text: "x" }).text;
console.log(s, n, info("echo")?.functions?.Upper?.input?.type, connected().echo?.name);
`)
	writeTSConfig(t, okDir, base, []string{"optin.ts"})

	// The two tsc runs at once: each takes a second or two.
	wrongRun := make(chan tscResult, 1)
	go func() { wrongRun <- runTSC(tsc, dir) }()
	ok := runTSC(tsc, okDir)
	bad := <-wrongRun
	if ok.err != nil {
		t.Errorf("tsc on the opt-in workflow: %v\n%s", ok.err, ok.out)
	}
	if bad.err == nil {
		t.Fatalf("tsc accepted the wrong calls:\n%s", bad.out)
	}
	for name, c := range wrong {
		if !hasTSError(bad.out, name, c.want) {
			t.Errorf("%s (%s): no error %q from tsc:\n%s", name, c.src, c.want, bad.out)
		}
	}
}

type tscResult struct {
	out string
	err error
}

// runTSC runs tsc on the project in dir, naming files relative to it.
func runTSC(tsc, dir string) tscResult {
	cmd := exec.Command(tsc, "-p", dir)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return tscResult{string(out), err}
}

// hasTSError reports whether tsc's output has an error in file whose
// message (its first line and the indented ones after it) contains want.
func hasTSError(out, file, want string) bool {
	var block strings.Builder
	found := false
	check := func() {
		if strings.HasPrefix(block.String(), file+"(") && strings.Contains(block.String(), want) {
			found = true
		}
		block.Reset()
	}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, " ") {
			check()
		}
		block.WriteString(line + "\n")
	}
	check()
	return found
}

func writeFile(t *testing.T, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeTSConfig writes a tsconfig.json that extends base and checks files.
func writeTSConfig(t *testing.T, dir, base string, files []string) {
	t.Helper()
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = quoteJS(f)
	}
	writeFile(t, dir, "tsconfig.json", `{"extends": `+quoteJS(base)+`, "files": [`+strings.Join(quoted, ", ")+`]}`)
}

func quoteJS(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
