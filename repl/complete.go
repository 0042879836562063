package repl

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Completion contexts, matched against the text before the cursor.
var (
	// a plugin name being typed as the first string argument of a binding
	// that takes one: call("ec
	pluginArg = regexp.MustCompile(`\b(?:call|callAsync|info|unplug|waitFor)\s*\(\s*(["'])([^"']*)$`)
	// a method name being typed as the second argument of call:
	// call("echo", "Up
	methodArg = regexp.MustCompile(`\b(?:call|callAsync)\s*\(\s*(["'])([^"']+)["']\s*,\s*(["'])([^"']*)$`)
	// a method name being typed as the first argument of broadcast
	broadcastArg = regexp.MustCompile(`\b(?:broadcast|broadcastAsync)\s*\(\s*(["'])([^"']*)$`)
	// a field name being typed in the payload of call:
	// call("echo", "Upper", {te
	payloadArg = regexp.MustCompile(`\b(?:call|callAsync)\s*\(\s*(["'])([^"']+)["']\s*,\s*(["'])([^"']+)["']\s*,\s*\{(?:[^{}]*,\s*)?([A-Za-z_$][A-Za-z0-9_$]*)?$`)
	// a plugin name after .info, a file name after .load
	infoArg = regexp.MustCompile(`^\s*\.info\s+(?:-raw\s+)?(\S*)$`)
	loadArg = regexp.MustCompile(`^\s*\.load\s+(\S*)$`)
	// the identifier (with dots, for fields) being typed
	identTail = regexp.MustCompile(`[A-Za-z_$][A-Za-z0-9_$.]*$`)
)

// complete is liner's word completer: it completes the word before the
// cursor. Inside call("…") it offers plugin names; in its second argument
// the plugin's method names; in its payload the method's input fields;
// after .load file names, after .info plugin names; otherwise names the
// engine knows (globals, and members after a dot) and, at the start of a
// line, meta-commands. It runs on the prompt's goroutine: the engine is
// asked through the REPL's loop (see names).
func (r *REPL) complete(line string, pos int) (head string, completions []string, tail string) {
	return complete(line, pos, r.cfg.Hub, r.names, r.lang)
}

// complete implements REPL.complete over a hub and a source of names:
// names(word) returns the names that complete word ("JSON.str", "con").
// lang picks the syntax of payload fields: "text: " in js, "text = " in
// lua.
func complete(line string, pos int, hub Hub, names func(word string) []string, lang string) (head string, completions []string, tail string) {
	if pos > len(line) {
		pos = len(line)
	}
	before, tail := line[:pos], line[pos:]
	if m := payloadArg.FindStringSubmatch(before); m != nil {
		prefix := m[5]
		sep := ": "
		if lang == "lua" {
			sep = " = "
		}
		var fields []string
		for _, f := range inputFields(hub, m[2], m[4]) {
			fields = append(fields, f+sep)
		}
		return before[:len(before)-len(prefix)], withPrefix(fields, prefix), tail
	}
	if m := methodArg.FindStringSubmatch(before); m != nil {
		prefix := m[4]
		return before[:len(before)-len(prefix)], closeQuote(withPrefix(methodNames(hub, m[2]), prefix), m[3], tail), tail
	}
	if m := pluginArg.FindStringSubmatch(before); m != nil {
		prefix := m[2]
		return before[:len(before)-len(prefix)], closeQuote(withPrefix(pluginNames(hub), prefix), m[1], tail), tail
	}
	if m := broadcastArg.FindStringSubmatch(before); m != nil {
		prefix := m[2]
		return before[:len(before)-len(prefix)], closeQuote(withPrefix(allMethodNames(hub), prefix), m[1], tail), tail
	}
	if m := infoArg.FindStringSubmatch(before); m != nil {
		prefix := m[1]
		return before[:len(before)-len(prefix)], withPrefix(pluginNames(hub), prefix), tail
	}
	if m := loadArg.FindStringSubmatch(before); m != nil {
		prefix := m[1]
		return before[:len(before)-len(prefix)], filesFor(prefix), tail
	}
	if strings.HasPrefix(before, ".") && !strings.Contains(before, " ") {
		names := make([]string, len(metaCommands))
		for i, m := range metaCommands {
			names[i] = m.name
		}
		return "", withPrefix(names, before), tail
	}
	word := identTail.FindString(before)
	if word == "" || names == nil {
		return before, nil, tail
	}
	return before[:len(before)-len(word)], withPrefix(names(word), word), tail
}

// closeQuote adds the closing quote to a lone candidate, unless the text
// after the cursor has it already.
func closeQuote(candidates []string, quote, tail string) []string {
	if len(candidates) == 1 && !strings.HasPrefix(tail, quote) {
		candidates[0] += quote
	}
	return candidates
}

// inputFields returns the names of the fields of a method's input.
func inputFields(hub Hub, plugin, method string) []string {
	info := hub.PluginInfo(plugin)
	if info == nil {
		return nil
	}
	f, ok := info.Functions[method]
	if !ok || f.Input == nil {
		return nil
	}
	var names []string
	for _, field := range f.Input.Fields {
		names = append(names, field.Name)
	}
	return names
}

// filesFor returns the files and directories (these ending in "/") whose
// path starts with prefix.
func filesFor(prefix string) []string {
	matches, err := filepath.Glob(globEscape(prefix) + "*")
	if err != nil {
		return nil
	}
	for i, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.IsDir() {
			matches[i] = m + string(filepath.Separator)
		}
	}
	return withPrefix(matches, prefix)
}

// globEscape quotes the characters filepath.Match treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// withPrefix returns the sorted, distinct names that start with prefix,
// escaped: plugins choose their names and their methods', and liner prints
// the candidates as they are.
func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, Escape(n))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func pluginNames(hub Hub) []string {
	var names []string
	for name := range hub.Connected(false) {
		names = append(names, name)
	}
	return names
}

func methodNames(hub Hub, plugin string) []string {
	info := hub.PluginInfo(plugin)
	if info == nil {
		return nil
	}
	var names []string
	for name := range info.Functions {
		names = append(names, name)
	}
	return names
}

// allMethodNames returns the methods any connected plugin serves.
func allMethodNames(hub Hub) []string {
	var names []string
	for _, info := range hub.Connected(true) {
		for name := range info.Functions {
			names = append(names, name)
		}
	}
	return names
}
