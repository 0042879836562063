package js

import (
	"strings"
	"testing"
)

// FuzzSourceDepth: the depth scan (which reads every script, module, REPL
// entry and eval text, some of it from plugins) never panics or loops; it
// stops at an opening bracket; a bound it accepts, it accepts one higher
// too; it decides on what it has read so far; and brackets before the
// text count whatever the text holds.
func FuzzSourceDepth(f *testing.F) {
	for _, s := range []string{
		"", "(", ")", "}", "`", "`${", "${}", "/", "//", "/*", "*/", "'", "\"", "\\", "a / b", "x = /(/", "{} / (",
		"return /[/(]/g", "if (x) /'/", "`a${`b${c}`}d`", "'\\'(' + \"\\\"[\"", "/* ( */ // [\n{", "x.return / (",
		"a++ / (b)", ".5 / (1)", "\u00a0/(/", "#x", "`${)]}`", "{a: `${{b: [1]}}`}", "/[\\]/(]/", "x = {} / ((a / 1\n, {} / ((",
	} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, src string, bound int) {
		bound = 1 + abs(bound)%8
		r := sourceDepth(src, bound)
		if r >= 0 && !isOpening(src, r) {
			t.Fatalf("sourceDepth(%q, %d) = %d, not at an opening bracket", src, bound, r)
		}
		if r < 0 && sourceDepth(src, bound+1) >= 0 {
			t.Fatalf("sourceDepth(%q) accepts %d levels but not %d", src, bound, bound+1)
		}
		if r >= 0 && sourceDepth(src[:r+openingLen(src, r)], bound) != r {
			t.Fatalf("sourceDepth(%q, %d) = %d, but not on the text up to there", src, bound, r)
		}
		deep := strings.Repeat("(", bound+1)
		if got := sourceDepth(deep+src, bound); got != bound {
			t.Fatalf("sourceDepth(%q + %q, %d) = %d, want %d", deep, src, bound, got, bound)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// openingLen is the length of the opening bracket at i: 2 for ${.
func openingLen(src string, i int) int {
	if src[i] == '$' {
		return 2
	}
	return 1
}

// isOpening reports whether src has an opening bracket at i: (, [, {, or
// the $ of a template literal's ${.
func isOpening(src string, i int) bool {
	switch src[i] {
	case '(', '[', '{':
		return true
	case '$':
		return i+1 < len(src) && src[i+1] == '{'
	}
	return false
}
