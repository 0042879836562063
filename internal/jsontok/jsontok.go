// Package jsontok is the JSON the hub, the plugin SDK and the JavaScript
// and Lua engines do without encoding/json's reflection and second pass,
// with the same results: Decode builds the Go values json.Unmarshal gives
// for an any, checking the input as it goes; Encode writes plain scalars as
// json.Marshal does; Scanner reads the tokens of JSON already known to be
// valid, for the engines' own decoders. Strings with escapes or non-ASCII
// bytes, numbers that are not small integers, and anything invalid are
// handed to encoding/json and strconv, so every value and every error is
// theirs.
package jsontok

import (
	"encoding/json"
	"math"
	"strconv"
)

// Scanner walks valid JSON in B from offset I.
type Scanner struct {
	B []byte
	I int
}

var negZero = math.Copysign(0, -1)

// SkipSpace moves past JSON white space.
func (s *Scanner) SkipSpace() {
	for s.I < len(s.B) {
		switch s.B[s.I] {
		case ' ', '\t', '\n', '\r':
			s.I++
		default:
			return
		}
	}
}

// String decodes the string that starts at I (at its opening quote).
func (s *Scanner) String() (string, bool) {
	start := s.I
	s.I++ // "
	simple := true
	for {
		c := s.B[s.I]
		if c == '"' {
			break
		}
		if c == '\\' {
			simple = false
			s.I++
		} else if c >= 0x80 {
			simple = false
		}
		s.I++
	}
	s.I++
	if simple {
		return string(s.B[start+1 : s.I-1]), true
	}
	var out string
	if err := json.Unmarshal(s.B[start:s.I], &out); err != nil {
		return "", false
	}
	return out, true
}

// Number decodes the number that starts at I. ok is false for a number
// float64 cannot hold, whose error the caller gets from json.Unmarshal.
func (s *Scanner) Number() (float64, bool) {
	start := s.I
	simple := true // an integer of at most 15 digits: exact in float64
	for s.I < len(s.B) {
		c := s.B[s.I]
		if c >= '0' && c <= '9' || c == '-' {
			s.I++
			continue
		}
		if c == '.' || c == 'e' || c == 'E' || c == '+' {
			simple = false
			s.I++
			continue
		}
		break
	}
	tok := s.B[start:s.I]
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
