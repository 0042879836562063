package repl

import (
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
	// the identifier (with dots, for fields) being typed
	identTail = regexp.MustCompile(`[A-Za-z_$][A-Za-z0-9_$.]*$`)
)

// complete is liner's word completer: it completes the word before the
// cursor. Inside call("…") it offers plugin names; in its second argument
// the plugin's method names; otherwise global names and, at the start of a
// line, meta-commands.
func (r *REPL) complete(line string, pos int) (head string, completions []string, tail string) {
	globals := func() []string { return r.current().Globals() }
	return complete(line, pos, r.cfg.Hub, globals)
}

// complete implements REPL.complete over a hub and a source of globals.
func complete(line string, pos int, hub Hub, globals func() []string) (head string, completions []string, tail string) {
	if pos > len(line) {
		pos = len(line)
	}
	before, tail := line[:pos], line[pos:]
	if m := methodArg.FindStringSubmatch(before); m != nil {
		prefix := m[4]
		return before[:len(before)-len(prefix)], withPrefix(methodNames(hub, m[2]), prefix), tail
	}
	if m := pluginArg.FindStringSubmatch(before); m != nil {
		prefix := m[2]
		return before[:len(before)-len(prefix)], withPrefix(pluginNames(hub), prefix), tail
	}
	if m := broadcastArg.FindStringSubmatch(before); m != nil {
		prefix := m[2]
		return before[:len(before)-len(prefix)], withPrefix(allMethodNames(hub), prefix), tail
	}
	if strings.HasPrefix(before, ".") && !strings.Contains(before, " ") {
		names := make([]string, len(metaCommands))
		for i, m := range metaCommands {
			names[i] = m.name
		}
		return "", withPrefix(names, before), tail
	}
	word := identTail.FindString(before)
	if word == "" || strings.Contains(word, ".") {
		return before, nil, tail
	}
	return before[:len(before)-len(word)], withPrefix(globals(), word), tail
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
