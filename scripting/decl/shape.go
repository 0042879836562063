// Package decl writes declarations of the script API for editors and type
// checkers: a TypeScript .d.ts (TypeScript) and LuaLS annotations (Lua),
// with typed signatures for the methods of the plugins given, made from
// the descriptions the plugins sent in their handshake (plugin.Info).
//
// The command `switchboard types` writes them for the plugins it finds
// connected; docs/typescript.md says how a workflow uses them.
package decl

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/switchboard-rpc/switchboard/plugin"
)

// A shape is the structure of a plugin.Entity's Type text: "[]map[string]
// struct" is an array of maps of objects.
type shape struct {
	kind   shapeKind
	elem   *shape          // of an array or a map
	scalar string          // the type name of a scalar, as described
	fields []plugin.Entity // of an object
}

type shapeKind int

const (
	scalarShape shapeKind = iota
	arrayShape
	mapShape
	objectShape
)

// shapeOf parses e; nil (a type with nothing to describe) is nil.
func shapeOf(e *plugin.Entity) *shape {
	if e == nil {
		return nil
	}
	return parseType(strings.TrimSpace(e.Type), e.Fields)
}

// parseType parses a type text whose innermost struct has fields.
func parseType(t string, fields []plugin.Entity) *shape {
	switch {
	case strings.HasPrefix(t, "[]") && t != "[]byte":
		return &shape{kind: arrayShape, elem: parseType(t[2:], fields)}
	case strings.HasPrefix(t, "map["):
		if i := strings.IndexByte(t, ']'); i > 0 {
			return &shape{kind: mapShape, elem: parseType(t[i+1:], fields)}
		}
	case t == "struct" || t == "object":
		return &shape{kind: objectShape, fields: fields}
	}
	return &shape{kind: scalarShape, scalar: t}
}

// scalarKind sorts the scalar type names plugins use (Go's kinds, and the
// free text of JSON-RPC plugins) into JSON's types: "string", "number",
// "boolean", "any", or "" for a name it does not know.
func scalarKind(name string) string {
	switch name {
	case "string", "[]byte", "time.Time":
		return "string"
	case "int", "int8", "int16", "int32", "int64",
		"uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
		"float32", "float64", "number", "integer", "float", "double":
		return "number"
	case "bool", "boolean":
		return "boolean"
	case "any", "interface", "interface {}":
		return "any"
	}
	return ""
}

// sortedPlugins returns the plugins' names in order, leaving out nil
// descriptions.
func sortedPlugins(plugins map[string]*plugin.Info) []string {
	names := make([]string, 0, len(plugins))
	for name, info := range plugins {
		if info != nil {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// sortedMethods returns the names of info's methods in order.
func sortedMethods(info *plugin.Info) []string {
	names := make([]string, 0, len(info.Functions))
	for name := range info.Functions {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// allOptional reports whether an object shape has no mandatory field, so
// that its payload may be left out.
func allOptional(s *shape) bool {
	if s == nil {
		return true
	}
	if s.kind != objectShape {
		return false
	}
	for _, f := range s.fields {
		if f.Mandatory {
			return false
		}
	}
	return true
}

// quote is s as a string literal of TypeScript and Lua alike (JSON's).
func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// luaQuote is s as a Lua string literal: JSON's escapes \uXXXX (which
// quote writes for control characters and for <, > and &) are not Lua's,
// so a control character is written as \ddd and every other byte as it is.
func luaQuote(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20 || c == 0x7f:
			b = fmt.Appendf(b, "\\%03d", c)
		default:
			b = append(b, c)
		}
	}
	return string(append(b, '"'))
}

var identRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// propertyName is a field name as an object type's key: bare when it is
// an identifier, quoted otherwise.
func propertyName(name string) string {
	if identRE.MatchString(name) {
		return name
	}
	return quote(name)
}

// sanitize makes s safe inside a one-line comment: no line breaks, no
// "*/" closing a block comment.
func sanitize(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ", "*/", "* /").Replace(s)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}
