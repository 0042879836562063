package repl

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// metaCommands lists the meta-commands with their help, in help order.
var metaCommands = []struct{ name, args, help string }{
	{".help", "", "show this help"},
	{".plugins", "", "list the connected plugins"},
	{".info", "NAME", "describe a plugin: its methods and their arguments"},
	{".lang", "js|lua", "switch language (each keeps its own variables)"},
	{".load", "FILE", "evaluate a .js or .lua file in its language"},
	{".exit", "", "end the session (as Ctrl-D does)"},
}

// isMetaName reports whether line starts with a meta-command's name.
func isMetaName(line string) bool {
	name, _, _ := strings.Cut(line, " ")
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
	case ".exit":
		return true, nil
	}
	return false, nil
}

func (r *REPL) printHelp() {
	w := r.cfg.Out
	fmt.Fprintln(w, "Enter a statement to evaluate it; its result is printed as JSON.")
	fmt.Fprintln(w, "An unfinished statement continues on a \"...\" line. Tab completes names.")
	fmt.Fprintln(w, "Ctrl-C drops the line or cancels the call in flight; Ctrl-D ends the session.")
	fmt.Fprintln(w)
	for _, m := range metaCommands {
		fmt.Fprintf(w, "  %-16s %s\n", strings.TrimSpace(m.name+" "+m.args), m.help)
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

func (r *REPL) printInfo(name string) {
	if name == "" {
		r.fail(fmt.Errorf(".info needs a plugin name"))
		return
	}
	info := r.cfg.Hub.PluginInfo(name)
	if info == nil {
		r.fail(fmt.Errorf("no plugin %q is connected", name))
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
	src, err := os.ReadFile(path)
	if err != nil {
		r.fail(err)
		return false, nil
	}
	lang := r.lang
	switch filepath.Ext(path) {
	case ".js":
		lang = "js"
	case ".lua":
		lang = "lua"
	}
	e, err := r.engine(lang)
	if err != nil {
		r.fail(err)
		return false, nil
	}
	return r.eval(ctx, e, string(src))
}
