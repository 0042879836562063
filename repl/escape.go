package repl

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape returns s safe to print on a terminal: every rune that is not
// printable (C0 and C1 controls, ESC, DEL, newlines and tabs, format and
// other invisible characters such as U+202E) is replaced with its Go escape
// (\x1b, \n, \u009b, \u202e), and every byte that is not UTF-8 with \xNN.
// Printable Unicode, the space and the backslash are kept as they are, so
// plain text, and the results the REPL prints, come out unchanged. It returns
// s itself when nothing needs escaping. Text that plugins supply (names,
// versions, async values, results, error messages, completion candidates)
// goes through it before the REPL or the host prints it.
func Escape(s string) string {
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, n) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&0xf, 16))
		case needsEscape(r, n):
			q := strconv.QuoteRune(r) // '\x1b', '\n', '\u009b'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// needsEscape reports whether the rune r, n bytes long, must be escaped.
func needsEscape(r rune, n int) bool {
	if r == utf8.RuneError && n == 1 {
		return true
	}
	return r != ' ' && !strconv.IsPrint(r)
}

// escapeLines escapes each line of s and keeps the line breaks, for
// multi-line text whose lines are the REPL's own (a printed result).
func escapeLines(s string) string {
	if Escape(s) == s {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return strings.Join(lines, "\n")
}
