package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// The same small workflow in TypeScript (an interface, an enum, a generic,
// an import) and in JavaScript (a require), for BenchmarkRunStartup.
var startupFiles = map[string]string{
	"small.ts": `import { total, type Item } from "./lib";
enum Kind { Tool, Part }
const items: Item[] = [{ name: "a", n: 1 }, { name: "b", n: 2 }];
function first<T>(xs: T[]): T { return xs[0]; }
console.log(first(items).name, total(items), Kind[Kind.Part]);
`,
	"lib.ts": `export interface Item { name: string; n: number }
export function total(items: Item[]): number {
  return items.reduce((s, i) => s + i.n, 0);
}
`,
	"small.js": `const { total } = require("./lib.js");
const Kind = { Tool: 0, Part: 1, 0: "Tool", 1: "Part" };
const items = [{ name: "a", n: 1 }, { name: "b", n: 2 }];
function first(xs) { return xs[0]; }
console.log(first(items).name, total(items), Kind[Kind.Part]);
`,
	"lib.js": `exports.total = function total(items) {
  return items.reduce((s, i) => s + i.n, 0);
};
`,
}

// BenchmarkRunStartup measures `switchboard run small.ts`, a new process
// each time (the test binary under the name switchboard, see TestMain),
// against `switchboard run small.js`, the same workflow in JavaScript, run
// in alternation with it: ns/op is the TypeScript run, js-ns/op the
// JavaScript one, x-js the median of the ratios of the runs taken pair by
// pair, which a slow stretch of the machine moves less than the means
// (the target is at most 1.5).
func BenchmarkRunStartup(b *testing.B) {
	dir := b.TempDir()
	for name, src := range startupFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(dir, programName)
	if err := os.Symlink(self, bin); err != nil {
		b.Fatal(err)
	}
	run := func(script string) time.Duration {
		start := time.Now()
		cmd := exec.Command(bin, "run", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		d := time.Since(start)
		if err != nil || string(out) != "a 3 Part\n" {
			b.Fatalf("run %s: %v\n%s", script, err, out)
		}
		return d
	}
	run("small.js") // the first runs load the binary into the page cache
	run("small.ts")
	var ts, js time.Duration
	ratios := make([]float64, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		j := run("small.js")
		b.StartTimer()
		t := run("small.ts")
		js, ts = js+j, ts+t
		ratios = append(ratios, float64(t)/float64(j))
	}
	b.StopTimer()
	sort.Float64s(ratios)
	b.ReportMetric(float64(js.Nanoseconds())/float64(b.N), "js-ns/op")
	b.ReportMetric(ratios[len(ratios)/2], "x-js")
}
