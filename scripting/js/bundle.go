package js

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/evanw/esbuild/pkg/api"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// builtinNS is esbuild's namespace for the modules a bundle leaves to
// require() at run time: every bare name ("util", "console", a package in
// node_modules), which goja_nodejs's require resolves.
const builtinNS = "switchboard-require"

// mapName is the file name the bundle's source map comment gives; the
// parser's loader hands it the map whatever the name.
const mapName = "switchboard-bundle.map"

// bundle is a script compiled by esbuild from TypeScript or ES modules:
// JavaScript goja runs as a script, and the source map from its lines to
// those of the files it came from.
type bundle struct {
	code      string // without a sourceMappingURL comment
	sourceMap []byte // sources relative to the entry file's directory
}

// isModuleFile reports whether path is a file run through esbuild
// whatever it holds: TypeScript, or JavaScript marked as an ES module.
func isModuleFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".ts", ".mts", ".mjs":
		return true
	}
	return false
}

// moduleSyntaxRE finds what makes a .js file an ES module (import or
// export at the start of a line) or a top-level await, for the files goja
// cannot compile as a script.
var moduleSyntaxRE = regexp.MustCompile(`(?m)^\s*(?:import\s*[\w{*"'$]|export\s|.*\bawait\b)`)

// looksLikeModule reports whether src, which does not compile as a script,
// may be an ES module or use top-level await: then it is bundled.
func looksLikeModule(src string) bool { return moduleSyntaxRE.MatchString(src) }

// bundleFile compiles the file at path, and the local files it imports or
// requires, into one script with esbuild: TypeScript loses its types,
// import and export between files are linked, and bare module names stay
// require() calls. It does not type-check. The error is a
// *scripting.ScriptError at the first problem esbuild found.
func bundleFile(path string) (*bundle, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("js: %w", err)
	}
	dir := filepath.Dir(abs)
	entry, _ := json.Marshal("./" + filepath.Base(abs))
	res := api.Build(api.BuildOptions{
		// The entry imports the file, so that the file's exports are not
		// the bundle's (goja runs no module, so export is a syntax error).
		Stdin: &api.StdinOptions{
			Contents:   "import " + string(entry) + ";",
			ResolveDir: dir,
			Sourcefile: "<entry>",
			Loader:     api.LoaderJS,
		},
		AbsWorkingDir:  dir,
		Outfile:        abs + ".bundle.js",
		Bundle:         true,
		Write:          false,
		Format:         api.FormatESModule,
		Platform:       api.PlatformNeutral,
		Target:         api.ES2020,
		Supported:      map[string]bool{"top-level-await": true},
		Sourcemap:      api.SourceMapExternal,
		SourcesContent: api.SourcesContentExclude,
		// A .load keeps every top-level name of the file, used or not.
		TreeShaking: api.TreeShakingFalse,
		LogLevel:    api.LogLevelSilent,
		Plugins:     []api.Plugin{depthPlugin(dir), requirePlugin()},
	})
	if len(res.Errors) > 0 {
		return nil, buildError(path, res.Errors)
	}
	b := &bundle{}
	for _, f := range res.OutputFiles {
		switch {
		case strings.HasSuffix(f.Path, ".map"):
			b.sourceMap = f.Contents
		default:
			b.code = string(f.Contents)
		}
	}
	return b, nil
}

// depthPlugin measures each file esbuild loads before esbuild parses it:
// esbuild's parser, like goja's, overflows the Go stack on source nested
// some hundreds of thousands deep (see depth.go). A file nested deeper
// than MaxSourceDepth is an error at its line; esbuild loads the others
// itself. dir is the entry's directory, which esbuild's file names are
// relative to (see sourceName).
func depthPlugin(dir string) api.Plugin {
	return api.Plugin{Name: "switchboard-depth", Setup: func(b api.PluginBuild) {
		b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "file"},
			func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				src, err := os.ReadFile(a.Path)
				if err != nil {
					return api.OnLoadResult{}, nil // esbuild says why
				}
				de := checkDepth(string(src))
				if de == nil {
					return api.OnLoadResult{}, nil
				}
				file := a.Path
				if rel, err := filepath.Rel(dir, a.Path); err == nil {
					file = rel
				}
				return api.OnLoadResult{Errors: []api.Message{{
					Text:     de.message(),
					Location: &api.Location{File: file, Line: de.Line, Column: de.Column - 1},
				}}}, nil
			})
	}}
}

// requirePlugin leaves every bare module name to require() at run time:
// esbuild bundles a module "module.exports = require(name)" for it, whose
// require call stays as it is.
func requirePlugin() api.Plugin {
	return api.Plugin{Name: "switchboard-require", Setup: setupRequire}
}

func setupRequire(b api.PluginBuild) {
	b.OnResolve(api.OnResolveOptions{Filter: `.*`, Namespace: builtinNS},
		func(a api.OnResolveArgs) (api.OnResolveResult, error) {
			return api.OnResolveResult{Path: a.Path, External: true}, nil
		})
	b.OnResolve(api.OnResolveOptions{Filter: `^[^./]`},
		func(a api.OnResolveArgs) (api.OnResolveResult, error) {
			if filepath.IsAbs(a.Path) {
				return api.OnResolveResult{}, nil
			}
			return api.OnResolveResult{Path: a.Path, Namespace: builtinNS}, nil
		})
	b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: builtinNS},
		func(a api.OnLoadArgs) (api.OnLoadResult, error) {
			name, _ := json.Marshal(a.Path)
			src := "module.exports = require(" + string(name) + ");"
			return api.OnLoadResult{Contents: &src, Loader: api.LoaderJS}, nil
		})
}

// buildError describes esbuild's first error as a ScriptError at its
// file and line, the file named as the script's path names it.
func buildError(path string, msgs []api.Message) *scripting.ScriptError {
	m := msgs[0]
	se := &scripting.ScriptError{File: path, Message: "SyntaxError: " + m.Text}
	if strings.HasPrefix(m.Text, "Could not resolve") {
		se.Message = "Error: " + m.Text
	}
	if strings.Contains(strings.ToLower(m.Text), "top-level await") {
		se.Message += " (" + awaitAdvice + ")"
	}
	if m.Location != nil {
		se.File = sourceName(path, m.Location.File)
		se.Line = m.Location.Line
		se.Message = fmt.Sprintf("%s (column %d)", se.Message, m.Location.Column+1)
	}
	if n := len(msgs) - 1; n > 0 {
		se.Message += fmt.Sprintf(" (and %d more)", n)
	}
	return se
}

// awaitAdvice says what to write where a top-level await cannot be.
const awaitAdvice = "await at the top level works in the script run or loaded, and in the modules it imports; " +
	"elsewhere, put it in an async function and call it"

// sourceName names a file of a bundle, given relative to the entry's
// directory, as the entry's path names the entry: lib.ts beside
// dir/main.ts is dir/lib.ts.
func sourceName(entry, rel string) string {
	if rel == "" || rel == "<entry>" {
		return entry
	}
	if filepath.IsAbs(rel) {
		return rel
	}
	return filepath.Join(filepath.Dir(entry), rel)
}
