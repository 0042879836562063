package jsontok

// MaxDepth is the deepest nesting of arrays and objects Build and Decode
// accept, encoding/json's own limit.
const MaxDepth = maxDepth

// Deeper reports whether b nests arrays and objects deeper than limit. It
// does not check that b is JSON: it counts the brackets outside strings,
// in one pass without recursion, so that input too deep to hand to a
// recursive parser is told apart before any parser sees it.
func Deeper(b []byte, limit int) bool {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '[', '{':
			if depth++; depth > limit {
				return true
			}
		case ']', '}':
			depth--
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return false
}
