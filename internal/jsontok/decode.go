package jsontok

import "encoding/json"

// Decode returns the Go value json.Unmarshal gives for b into an any (nil,
// bool, float64, string, []any, map[string]any), built in one pass over b
// once json.Valid has accepted it; with about half the work and fewer
// allocations than json.Unmarshal. Input json.Valid rejects, or a number
// float64 cannot hold, goes to json.Unmarshal, so the error is its error.
func Decode(b []byte) (any, error) {
	if json.Valid(b) {
		s := Scanner{B: b}
		if v, ok := s.value(); ok {
			return v, nil
		}
	}
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}

func (s *Scanner) value() (any, bool) {
	s.SkipSpace()
	switch s.B[s.I] {
	case '{':
		return s.object()
	case '[':
		return s.array()
	case '"':
		return s.String()
	case 't':
		s.I += 4
		return true, true
	case 'f':
		s.I += 5
		return false, true
	case 'n':
		s.I += 4
		return nil, true
	default:
		return s.Number()
	}
}

func (s *Scanner) object() (any, bool) {
	s.I++ // {
	m := map[string]any{}
	s.SkipSpace()
	if s.B[s.I] == '}' {
		s.I++
		return m, true
	}
	for {
		s.SkipSpace()
		k, ok := s.String()
		if !ok {
			return nil, false
		}
		s.SkipSpace()
		s.I++ // :
		v, ok := s.value()
		if !ok {
			return nil, false
		}
		m[k] = v
		s.SkipSpace()
		c := s.B[s.I]
		s.I++
		if c == '}' {
			return m, true
		}
	}
}

func (s *Scanner) array() (any, bool) {
	s.I++ // [
	a := []any{}
	s.SkipSpace()
	if s.B[s.I] == ']' {
		s.I++
		return a, true
	}
	for {
		v, ok := s.value()
		if !ok {
			return nil, false
		}
		a = append(a, v)
		s.SkipSpace()
		c := s.B[s.I]
		s.I++
		if c == ']' {
			return a, true
		}
	}
}
