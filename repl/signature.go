package repl

import (
	"slices"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// signatures returns one line per method of info, sorted by name:
// Upper({text: string}) -> {text: string}. A field that may be left out
// (omitempty) has a "?" after its name.
func signatures(info *plugin.Info) []string {
	names := make([]string, 0, len(info.Functions))
	for name := range info.Functions {
		names = append(names, name)
	}
	slices.Sort(names)
	lines := make([]string, 0, len(names))
	for _, name := range names {
		f := info.Functions[name]
		line := name + "(" + entityType(f.Input) + ")"
		if f.Output != nil {
			line += " -> " + entityType(f.Output)
		}
		lines = append(lines, line)
	}
	return lines
}

// entityType renders the type of e: its kind name, or for a struct (or a
// slice or map of structs) its fields in braces after the slice or map
// part: {a: string, b?: int}, []{id: int}.
func entityType(e *plugin.Entity) string {
	if e == nil {
		return ""
	}
	if len(e.Fields) == 0 {
		return e.Type
	}
	var b strings.Builder
	b.WriteString(containerPrefix(e.Type))
	b.WriteByte('{')
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name)
		if !f.Mandatory {
			b.WriteByte('?')
		}
		b.WriteString(": ")
		b.WriteString(entityType(&f))
	}
	b.WriteByte('}')
	return b.String()
}

// containerPrefix returns the slice and map part of a type name:
// "[]" of "[]Item", "map[string]" of "map[string]Item", "" of "Item".
func containerPrefix(t string) string {
	end := 0
	for {
		rest := t[end:]
		switch {
		case strings.HasPrefix(rest, "[]"):
			end += 2
		case strings.HasPrefix(rest, "*"):
			end++
		case strings.HasPrefix(rest, "map["):
			i := strings.IndexByte(rest, ']')
			if i < 0 {
				return t[:end]
			}
			end += i + 1
		default:
			return t[:end]
		}
	}
}
