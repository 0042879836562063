package lua

import (
	"slices"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Complete returns the names that complete word, for a REPL's tab
// completion: the globals that start with word, or, when word has dots
// ("string.fo"), the string keys of the table the part before the last
// dot names that start with what follows it, each as the whole dotted
// word. It reads tables raw, running no metamethod. Call it on the
// script's goroutine, between runs.
func (e *Engine) Complete(word string) []string {
	t := e.state.G.Global
	path, prefix := "", word
	if i := strings.LastIndex(word, "."); i >= 0 {
		path, prefix = word[:i], word[i+1:]
		for _, p := range strings.Split(path, ".") {
			next, ok := t.RawGetString(p).(*lua.LTable)
			if !ok {
				return nil
			}
			t = next
		}
		path += "."
	}
	var names []string
	if path == "" {
		names = e.Globals()
	}
	t.ForEach(func(k, _ lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			names = append(names, string(s))
		}
	})
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, path+n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
