package js_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/scripting"
	"github.com/switchboard-rpc/switchboard/scripting/internal/scripttest"
	"github.com/switchboard-rpc/switchboard/scripting/js"
)

// runFiles writes files into a new directory and runs its main file.
func runFiles(t *testing.T, main string, files map[string]string) (string, error) {
	t.Helper()
	env := setup(t, scripting.Config{})
	dir := t.TempDir()
	for name, src := range files {
		scripttest.WriteFile(t, dir, name, src)
	}
	e, err := js.New(env.RT)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = e.RunFile(ctx, filepath.Join(dir, main), nil)
	return env.Stdout.String(), err
}

// TestTypeScriptColumns checks the columns of a stack through the source
// map: the column of the token where the error is, 1-based, as an editor
// counts (goja alone would print one less and, where a token starts at
// the next column, that token's; see sourcemap.go).
func TestTypeScriptColumns(t *testing.T) {
	_, err := runFiles(t, "main.ts", map[string]string{
		"main.ts": "const n: number = 1;\nfunction f(x: number): never {\n    throw new Error(`bad ${x}`);\n}\n  f(n);\n",
	})
	se := asScriptError(t, err)
	if !strings.HasSuffix(se.File, "main.ts") || se.Line != 3 {
		t.Errorf("at %s:%d, want main.ts:3", se.File, se.Line)
	}
	lines := strings.Split(se.Stack, "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "main.ts:3:11)") || !strings.HasSuffix(lines[1], "main.ts:5:3") {
		t.Errorf("stack:\n%s\nwant f at main.ts:3:11 (new), then main.ts:5:3 (f)", se.Stack)
	}
}

// TestModuleRequireBuiltin checks that an import of a bare name is a
// require() at run time (here the built-in util).
func TestModuleRequireBuiltin(t *testing.T) {
	out, err := runFiles(t, "main.mjs", map[string]string{
		"main.mjs": `import { format } from "util"; import * as u from "util"; console.log(format("%s-%d", "a", 1), typeof u.format);`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "a-1 function" {
		t.Errorf("stdout %q", out)
	}
}

// TestModuleTopLevelAwaitScope checks that a module's top-level await
// keeps its declarations in the module: they are not globals.
func TestModuleTopLevelAwaitScope(t *testing.T) {
	out, err := runFiles(t, "main.ts", map[string]string{
		"main.ts": "const x: number = await Promise.resolve(2);\nconsole.log(x, typeof globalThis.x);\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != "2 undefined" {
		t.Errorf("stdout %q", out)
	}
}

// TestModuleExitCode checks exit() inside a module's async top level.
func TestModuleExitCode(t *testing.T) {
	_, err := runFiles(t, "main.ts", map[string]string{
		"main.ts": "await Promise.resolve();\nexit(4);\nconsole.log('never');\n",
	})
	var exit *scripting.ExitError
	if !errors.As(err, &exit) || exit.Code != 4 {
		t.Fatalf("err %v, want exit 4", err)
	}
}

// TestModuleNotTypeChecked checks that a type error does not stop a run:
// esbuild strips types, tsc checks them.
func TestModuleNotTypeChecked(t *testing.T) {
	out, err := runFiles(t, "main.ts", map[string]string{
		"main.ts": "const n: number = \"not a number\" as any as number;\nconst s: string = n;\nconsole.log(s);\n",
	})
	if err != nil || strings.TrimSpace(out) != "not a number" {
		t.Fatalf("out %q, err %v", out, err)
	}
}
