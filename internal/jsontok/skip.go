package jsontok

// Valid reports whether b is one JSON value, as json.Valid does (white space
// around it allowed, nesting within encoding/json's limit), in one pass that
// builds nothing and allocates nothing.
// It does not block.
func Valid(b []byte) bool {
	end, ok := Skip(b, 0)
	if !ok {
		return false
	}
	s := scanner{buf: b, pos: end}
	s.skipSpace()
	return s.pos == len(b)
}

// Skip checks the JSON value that starts at b[pos], after any white space,
// and returns where it ends; ok is false when there is no valid value there
// (or it nests deeper than encoding/json allows). What follows the value is
// not looked at. It does not allocate.
// It does not block.
func Skip(b []byte, pos int) (end int, ok bool) {
	k := skipper{scanner: scanner{buf: b, pos: pos}}
	if !k.value() {
		return 0, false
	}
	return k.pos, true
}

// SkipMember is Skip for a value nested depth arrays and objects deep (a
// member of a top-level object is 1 deep): those count against the
// nesting limit, as they do for encoding/json, which rejects the whole
// input when any value in it nests too deep. It does not allocate.
// It does not block.
func SkipMember(b []byte, pos, depth int) (end int, ok bool) {
	k := skipper{scanner: scanner{buf: b, pos: pos}, depth: depth}
	if !k.value() {
		return 0, false
	}
	return k.pos, true
}

// SkipSpace returns where the JSON white space that starts at b[pos] ends.
// It does not block.
func SkipSpace(b []byte, pos int) int {
	s := scanner{buf: b, pos: pos}
	s.skipSpace()
	return s.pos
}

// SkipString checks the JSON string whose opening quote is at b[pos] and
// returns where it ends, and whether it holds only bytes json.Unmarshal
// takes as they are (printable ASCII, no escapes): then b[pos+1:end-1] is
// the decoded string.
// It does not block.
func SkipString(b []byte, pos int) (end int, plain, ok bool) {
	k := skipper{scanner: scanner{buf: b, pos: pos}}
	plain, ok = k.string()
	return k.pos, plain, ok
}

// skipper checks JSON without building anything.
type skipper struct {
	scanner
	depth int
}

func (k *skipper) value() bool {
	k.skipSpace()
	if k.pos >= len(k.buf) {
		return false
	}
	switch c := k.buf[k.pos]; {
	case c == '{':
		return k.container('}')
	case c == '[':
		return k.container(']')
	case c == '"':
		_, ok := k.string()
		return ok
	case c == 't':
		return k.literal("true")
	case c == 'f':
		return k.literal("false")
	case c == 'n':
		return k.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		end, ok := k.number()
		k.pos = end
		return ok
	}
	return false
}

func (k *skipper) literal(word string) bool {
	if len(k.buf)-k.pos < len(word) || string(k.buf[k.pos:k.pos+len(word)]) != word {
		return false
	}
	k.pos += len(word)
	return true
}

// string checks the string at pos and moves past it; plain is true when it
// has no escape and only printable ASCII.
func (k *skipper) string() (plain, ok bool) {
	i := k.pos + 1
	for i < len(k.buf) && byteClass[k.buf[i]]&asIs != 0 {
		i++
	}
	plain = true
	for ; i < len(k.buf); i++ {
		switch c := k.buf[i]; {
		case c == '"':
			k.pos = i + 1
			return plain, true
		case c < 0x20:
			return false, false
		case c == '\\':
			plain = false
			i++
			if i >= len(k.buf) {
				return false, false
			}
			switch k.buf[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if len(k.buf)-i < 5 {
					return false, false
				}
				for _, h := range k.buf[i+1 : i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false, false
					}
				}
				i += 4
			default:
				return false, false
			}
		case c >= 0x80:
			plain = false
		}
	}
	return false, false
}

// container checks an object or an array whose opening byte is at pos.
func (k *skipper) container(closing byte) bool {
	if k.depth++; k.depth > maxDepth {
		return false
	}
	k.pos++
	k.skipSpace()
	if k.pos < len(k.buf) && k.buf[k.pos] == closing {
		k.pos++
		k.depth--
		return true
	}
	for {
		if closing == '}' {
			k.skipSpace()
			if k.pos >= len(k.buf) || k.buf[k.pos] != '"' {
				return false
			}
			if _, ok := k.string(); !ok {
				return false
			}
			k.skipSpace()
			if k.pos >= len(k.buf) || k.buf[k.pos] != ':' {
				return false
			}
			k.pos++
		}
		if !k.value() {
			return false
		}
		k.skipSpace()
		if k.pos >= len(k.buf) {
			return false
		}
		c := k.buf[k.pos]
		k.pos++
		switch c {
		case ',':
			continue
		case closing:
			k.depth--
			return true
		}
		return false
	}
}
