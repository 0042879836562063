package scripting

import (
	"strings"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
	"github.com/switchboard-rpc/switchboard/plugin"
)

// fieldsKnown reports whether every field of the JSON value at b[pos:] that
// checkValue would look at is one e describes, reading b in place without
// decoding it. It looks at more than checkValue (every value of a key that
// comes twice, where checkValue sees the last), so true means checkValue
// finds nothing; false (an unknown field, a key with escapes, input that is
// not JSON) means checkValue must decide, and say what it found.
func fieldsKnown(e *plugin.Entity, b []byte, pos int) bool {
	if e == nil || len(e.Fields) == 0 {
		return true
	}
	pos = jsontok.SkipSpace(b, pos)
	if pos >= len(b) {
		return false
	}
	switch {
	case e.Type == "struct":
		if b[pos] != '{' {
			return true
		}
		return objectKnown(e.Fields, b, pos)
	case strings.HasPrefix(e.Type, "[]") && strings.HasSuffix(e.Type, "struct"):
		if b[pos] != '[' {
			return true
		}
		// The element's type as checkValue takes it: "[][]struct" holds
		// arrays whose elements are checked in turn.
		inner := plugin.Entity{Type: strings.TrimPrefix(e.Type, "[]"), Fields: e.Fields}
		pos = jsontok.SkipSpace(b, pos+1)
		if pos < len(b) && b[pos] == ']' {
			return true
		}
		for {
			if !fieldsKnown(&inner, b, pos) {
				return false
			}
			end, ok := jsontok.Skip(b, pos)
			if !ok {
				return false
			}
			pos = jsontok.SkipSpace(b, end)
			if pos >= len(b) {
				return false
			}
			switch b[pos] {
			case ',':
				pos++
				continue
			case ']':
				return true
			}
			return false
		}
	}
	return true
}

// objectKnown is fieldsKnown for the object that starts at b[pos].
func objectKnown(fields []plugin.Entity, b []byte, pos int) bool {
	pos = jsontok.SkipSpace(b, pos+1)
	if pos < len(b) && b[pos] == '}' {
		return true
	}
	for {
		if pos >= len(b) || b[pos] != '"' {
			return false
		}
		end, plain, ok := jsontok.SkipString(b, pos)
		if !ok || !plain {
			return false
		}
		f := fieldNamed(fields, string(b[pos+1:end-1]))
		if f == nil {
			return false
		}
		pos = jsontok.SkipSpace(b, end)
		if pos >= len(b) || b[pos] != ':' {
			return false
		}
		start := jsontok.SkipSpace(b, pos+1)
		if !fieldsKnown(f, b, start) {
			return false
		}
		if end, ok = jsontok.Skip(b, start); !ok {
			return false
		}
		pos = jsontok.SkipSpace(b, end)
		if pos >= len(b) {
			return false
		}
		switch b[pos] {
		case ',':
			pos = jsontok.SkipSpace(b, pos+1)
			continue
		case '}':
			return true
		}
		return false
	}
}
