// Package jsontok is the JSON the hub, the plugin SDK and the JavaScript
// and Lua engines decode and encode without encoding/json's reflection and
// second pass, with the same results. Build decodes into any kind of value
// through a Builder, checking the input as it goes: Decode builds the Go
// values json.Unmarshal gives for an any, and the engines build their own.
// Encode writes plain values (scalars, and the []any and map[string]any
// json.Unmarshal makes) as json.Marshal does. Strings with escapes or
// non-ASCII bytes, numbers float64 cannot hold exactly, other types, and
// anything invalid are handed to encoding/json and strconv, so every value
// and every error is theirs.
package jsontok

import (
	"encoding/json"
	"math"
	"strconv"
)

// scanner reads JSON in buf from offset pos. Its quoted and float read a
// token that walker has checked.
type scanner struct {
	buf []byte
	pos int
}

var negZero = math.Copysign(0, -1)

// Classes of a byte in a JSON string, for byteClass.
const (
	// asIs: json.Unmarshal takes the byte as it is (printable ASCII, not a
	// quote or a backslash).
	asIs = 1 << iota
	// written: json.Marshal writes the byte as it is (asIs, and not one of
	// the <, > and & it escapes for HTML).
	written
)

// byteClass holds the classes of every byte value. It is never written
// after it is built.
var byteClass = func() (t [256]uint8) {
	for c := 0x20; c < 0x7f; c++ {
		switch c {
		case '"', '\\':
		case '<', '>', '&':
			t[c] = asIs
		default:
			t[c] = asIs | written
		}
	}
	return t
}()

// skipSpace moves past JSON white space.
func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// quoted decodes the string that starts at pos (at its opening quote).
func (s *scanner) quoted() (string, bool) {
	start := s.pos
	s.pos++ // "
	simple := true
	for {
		c := s.buf[s.pos]
		if c == '"' {
			break
		}
		if c == '\\' {
			simple = false
			s.pos++
		} else if c >= 0x80 {
			simple = false
		}
		s.pos++
	}
	s.pos++
	if simple {
		return string(s.buf[start+1 : s.pos-1]), true
	}
	var out string
	if err := json.Unmarshal(s.buf[start:s.pos], &out); err != nil {
		return "", false
	}
	return out, true
}

// float decodes the number that starts at pos. ok is false for a number
// float64 cannot hold, whose error the caller gets from json.Unmarshal.
func (s *scanner) float() (float64, bool) {
	start := s.pos
	simple := true // an integer of at most 15 digits: exact in float64
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		if c >= '0' && c <= '9' || c == '-' {
			s.pos++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' {
			simple = false
			s.pos++
			continue
		}
		break
	}
	tok := s.buf[start:s.pos]
	if simple && len(tok) <= 15 {
		neg := tok[0] == '-'
		if neg {
			tok = tok[1:]
		}
		var n int64
		for _, c := range tok {
			n = n*10 + int64(c-'0')
		}
		if neg {
			if n == 0 {
				return negZero, true
			}
			n = -n
		}
		return float64(n), true
	}
	f, err := strconv.ParseFloat(string(tok), 64)
	return f, err == nil
}
