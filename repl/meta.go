package repl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// metaCommands lists the meta-commands with their help, in help order.
var metaCommands = []struct{ name, args, help string }{
	{".help", "", "show this help"},
	{".plugins", "", "list the connected plugins"},
	{".info", "[-raw] NAME", "a plugin's methods, one signature a line (-raw: its description as JSON)"},
	{".lang", "js|lua", "switch language (each keeps its own variables and history)"},
	{".load", "FILE", "evaluate a .js, .ts or .lua file in its language"},
	{".editor", "", "enter a multi-line entry, ended by Ctrl-D (Ctrl-C drops it)"},
	{".break", "", "drop the unfinished entry (also .clear)"},
	{".clear", "", "drop the unfinished entry (also .break)"},
	{".save", "FILE", "write the entries evaluated without error in this language to FILE"},
	{".exit", "", "end the session (as Ctrl-D does)"},
}

// metaWord matches a line that reads as a meta-command: a dot and a name
// (".5 + 1" is JavaScript).
var metaWord = regexp.MustCompile(`^\.[A-Za-z][A-Za-z0-9_-]*(\s|$)`)

// isMetaName reports whether line reads as a meta-command, known or not.
func isMetaName(line string) bool { return metaWord.MatchString(line) }

// isMetaCommand reports whether name is a known meta-command.
func isMetaCommand(name string) bool {
	for _, m := range metaCommands {
		if m.name == name {
			return true
		}
	}
	return false
}

// meta runs a meta-command line.
func (r *REPL) meta(ctx context.Context, line string) (stop bool, err error) {
	name, arg, _ := strings.Cut(line, " ")
	name = strings.TrimSpace(name)
	arg = strings.TrimSpace(arg)
	switch name {
	case ".help":
		r.printHelp()
	case ".plugins":
		r.printPlugins()
	case ".info":
		r.printInfo(arg)
	case ".lang":
		r.switchLang(arg)
	case ".load":
		return r.load(ctx, arg)
	case ".editor":
		r.editing = true
		fmt.Fprintln(r.cfg.Out, "// editor mode: Ctrl-D evaluates the entry, Ctrl-C drops it")
	case ".break", ".clear":
		r.pending = ""
	case ".save":
		r.save(arg)
	case ".exit":
		return true, nil
	default:
		r.fail(fmt.Errorf("%s: unknown command (try .help)", name))
	}
	return false, nil
}

// save writes the entries of the current language that were evaluated
// without error to path, one after the other: a script that redoes the
// session.
func (r *REPL) save(path string) {
	if path == "" {
		r.fail(fmt.Errorf(".save needs a file name"))
		return
	}
	var b strings.Builder
	for _, e := range r.entries {
		if e.lang == r.lang {
			b.WriteString(strings.TrimRight(e.src, "\n"))
			b.WriteByte('\n')
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		r.fail(err)
		return
	}
	fmt.Fprintf(r.cfg.Out, "saved %s\n", path)
}

func (r *REPL) printHelp() {
	w := r.cfg.Out
	fmt.Fprintln(w, "Enter a statement to evaluate it; its result is printed as the language shows values (JavaScript as Node's REPL does).")
	fmt.Fprintln(w, "An unfinished statement continues on a \"...\" line. Tab completes names.")
	fmt.Fprintln(w, "Ctrl-C drops the line or cancels the call in flight; Ctrl-D ends the session.")
	fmt.Fprintln(w)
	for _, m := range metaCommands {
		fmt.Fprintf(w, "  %-18s %s\n", strings.TrimSpace(m.name+" "+m.args), m.help)
	}
}

func (r *REPL) printPlugins() {
	plugins := r.cfg.Hub.Connected(false)
	if len(plugins) == 0 {
		fmt.Fprintln(r.cfg.Out, "no plugins connected")
		return
	}
	names := make([]string, 0, len(plugins))
	for name := range plugins {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintln(r.cfg.Out, strings.TrimSpace(Escape(name)+" "+Escape(plugins[name].Version)))
	}
}

func (r *REPL) printInfo(arg string) {
	raw := false
	if rest, ok := strings.CutPrefix(arg, "-raw"); ok && (rest == "" || rest[0] == ' ') {
		raw, arg = true, strings.TrimSpace(rest)
	}
	name := arg
	if name == "" {
		r.fail(fmt.Errorf(".info needs a plugin name"))
		return
	}
	info := r.cfg.Hub.PluginInfo(name)
	if info == nil {
		r.fail(fmt.Errorf("no plugin %q is connected", name))
		return
	}
	if !raw {
		fmt.Fprintln(r.cfg.Out, strings.TrimSpace(Escape(info.Name)+" "+Escape(info.Version)))
		for _, line := range signatures(info) {
			fmt.Fprintln(r.cfg.Out, "  "+Escape(line))
		}
		return
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		r.fail(fmt.Errorf("describing %s: %w", name, err))
		return
	}
	fmt.Fprintln(r.cfg.Out, escapeLines(string(b)))
}

func (r *REPL) switchLang(lang string) {
	if lang == "" {
		fmt.Fprintln(r.cfg.Out, r.lang)
		return
	}
	if _, err := r.engine(lang); err != nil {
		r.fail(err)
		return
	}
	r.lang = lang
}

// load evaluates a file in the language its extension names (the current
// one for other extensions).
func (r *REPL) load(ctx context.Context, path string) (stop bool, err error) {
	if path == "" {
		r.fail(fmt.Errorf(".load needs a file name"))
		return false, nil
	}
	var lang string
	switch filepath.Ext(path) {
	case ".js", ".ts", ".mjs", ".mts":
		lang = "js"
	case ".lua":
		lang = "lua"
	default:
		r.fail(fmt.Errorf(".load %s: cannot run a %q file (.js, .ts, .mjs, .mts or .lua)", path, filepath.Ext(path)))
		return false, nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		r.fail(err)
		return false, nil
	}
	e, err := r.engine(lang)
	if err != nil {
		r.fail(err)
		return false, nil
	}
	if n, ok := e.(NamedEvaler); ok {
		return r.evalWith(ctx, func(ctx context.Context) (string, error) {
			return n.EvalNamed(ctx, path, string(src))
		})
	}
	return r.eval(ctx, e, string(src))
}

// NamedEvaler is what an engine may have besides Engine so that the
// errors of a .load point at the file's lines (those of scripting/js and
// scripting/lua do): Eval of src read from the file name.
type NamedEvaler interface {
	EvalNamed(ctx context.Context, name, src string) (string, error)
}
