package js

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-rpc/switchboard/scripting"
)

// Source nested too deeply crashes the host: goja's parser recurses once
// per level of brackets (parseLogicalOrExpression ... in goja's
// parser/expression.go), and so does esbuild's, so that 300,000 nested
// parentheses, arrays, objects, blocks or template substitutions overflow
// the Go stack, a fatal error no recover() catches. No upstream issue was
// found for it in goja or esbuild. Every source text is therefore measured
// by sourceDepth before either parser sees it, and refused past
// MaxSourceDepth (see checkDepth and its callers: files, REPL entries,
// require, the files esbuild loads, the bundle, eval and Function).

// ErrTooDeep is the error (under a *DepthError) of source nested deeper
// than MaxSourceDepth.
var ErrTooDeep = errors.New("source nested too deeply")

// DepthError is source refused because its brackets nest deeper than
// MaxSourceDepth. It is errors.Is ErrTooDeep.
type DepthError struct {
	// File is the file's name, if the source is a file's.
	File string
	// Line and Column (from 1, in characters) are those of the opening
	// bracket past the bound.
	Line, Column int
}

// Error reads "SyntaxError: [file: ]source nested deeper than 1000 levels
// of brackets, the bound js.MaxSourceDepth, at line L, column C".
func (e *DepthError) Error() string {
	at := ""
	if e.File != "" {
		at = e.File + ": "
	}
	return fmt.Sprintf("SyntaxError: %s%s, at line %d, column %d", at, e.message(), e.Line, e.Column)
}

// message is the error's text without its position.
func (e *DepthError) message() string {
	return fmt.Sprintf("source nested deeper than %d levels of brackets, the bound js.MaxSourceDepth", MaxSourceDepth)
}

// Is reports whether target is ErrTooDeep.
func (e *DepthError) Is(target error) bool { return target == ErrTooDeep }

// checkDepth returns a *DepthError if src nests deeper than
// MaxSourceDepth, and nil otherwise.
func checkDepth(src string) *DepthError {
	at := sourceDepth(src, MaxSourceDepth)
	if at < 0 {
		return nil
	}
	line, col := position(src, at)
	return &DepthError{Line: line, Column: col}
}

// depthError is de in the source file name, as a script error at its
// line: "name:3: SyntaxError: source nested deeper than ... (column 7)",
// as esbuild's errors read (see buildError).
func depthError(name string, de *DepthError) *scripting.ScriptError {
	return &scripting.ScriptError{
		File:    name,
		Line:    de.Line,
		Message: fmt.Sprintf("SyntaxError: %s (column %d)", de.message(), de.Column),
		Err:     de,
	}
}

// position is the line and column (from 1, the column in characters) of
// the byte offset at in src.
func position(src string, at int) (line, col int) {
	line, start := 1, 0
	for i := 0; i < at; i++ {
		if src[i] == '\n' {
			line, start = line+1, i+1
		}
	}
	return line, utf8.RuneCountInString(src[start:at]) + 1
}

// sourceDepth returns the offset of the first opening bracket of src
// that nests it deeper than bound, or -1. It is a scan, not a parse: it
// counts (, [, { and the ${ of template literals, outside string
// literals, comments, template text and regular expression literals, and
// every closing bracket ends the innermost level whatever its kind. It
// tells a regular expression from a division by the token before the /,
// as a parser would in the usual cases; where it cannot (after a }, the
// end of a block or of an object literal), the literal's text is also
// measured as code, and a "literal" not ended on its line is code. Wrong
// or unfinished source only has to be measured, not understood: goja
// reports its errors. The scan keeps its own stack (of template
// substitutions) and never recurses.
func sourceDepth(src string, bound int) int {
	var (
		// open holds one byte per open level: the bracket, or '$' for a
		// template substitution, or 'h' for a ( after if, while, for or
		// with (after whose ) a / starts a regular expression).
		open  []byte
		slash = slashRegexp // what a / here starts
		word  string        // the identifier or keyword just scanned, if any
		dot   bool          // the token before word is a . (word is a property)
	)
	push := func(kind byte) bool {
		open = append(open, kind)
		return len(open) > bound
	}
	n := len(src)
	i := 0
	inTemplate := false // scanning a template literal's text
	for i < n {
		if inTemplate {
			c := src[i]
			switch {
			case c == '\\':
				i += 2
			case c == '`':
				i++
				inTemplate, slash, word = false, slashDivide, ""
			case c == '$' && i+1 < n && src[i+1] == '{':
				if push('$') {
					return i
				}
				i += 2
				inTemplate, slash, word = false, slashRegexp, ""
			default:
				i++
			}
			continue
		}
		c := src[i]
		prevWord := word
		word = ""
		trivia := false // whitespace or a comment, which change nothing
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			word, trivia = prevWord, true
			i++
		case c >= utf8.RuneSelf && isSpace(src[i:]):
			_, size := utf8.DecodeRuneInString(src[i:])
			word, trivia = prevWord, true
			i += size
		case c == '/' && i+1 < n && src[i+1] == '/':
			for i < n && src[i] != '\n' && src[i] != '\r' {
				i++
			}
			word, trivia = prevWord, true
		case c == '/' && i+1 < n && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return -1 // goja reports the unended comment
			}
			i += 2 + end + 2
			word, trivia = prevWord, true
		case c == '/' && slash != slashDivide:
			end, deep, closed := skipRegexp(src, i+1)
			switch {
			case !closed:
				// Not a regular expression (or a broken one): what
				// follows is measured as code.
				i++
				slash = slashRegexp
			case slash == slashEither:
				// After a }, a / may divide: what would be code then
				// counts, and the levels it would leave open stay open.
				if len(open)+deep.max > bound {
					return i + 1 + deep.maxAt
				}
				for range deep.left {
					open = append(open, '(')
				}
				i, slash = end, slashDivide
			default:
				i, slash = end, slashDivide
			}
		case c == '\'' || c == '"':
			i = skipString(src, i+1, c)
			slash = slashDivide
		case c == '`':
			i++
			inTemplate = true
		case c == '(' || c == '[' || c == '{':
			kind := c
			if c == '(' && (prevWord == "if" || prevWord == "while" || prevWord == "for" || prevWord == "with") {
				kind = 'h'
			}
			if push(kind) {
				return i
			}
			i++
			slash = slashRegexp
		case c == ')' || c == ']' || c == '}':
			i++
			slash = slashDivide
			if c == '}' {
				slash = slashEither // a block's end, or an object literal's
			}
			var top byte
			if len(open) > 0 {
				top = open[len(open)-1]
			}
			// A ) or ] cannot end a substitution: a syntax error, which
			// leaves it open.
			if top != 0 && (top != '$' || c == '}') {
				open = open[:len(open)-1]
			}
			switch {
			case top == '$' && c == '}':
				inTemplate = true
			case top == 'h':
				slash = slashRegexp
			}
		case isWordByte(c):
			start := i
			for i < n && (isWordByte(src[i]) || src[i] >= '0' && src[i] <= '9' || src[i] == '\\') {
				if src[i] >= utf8.RuneSelf && isSpace(src[i:]) {
					break
				}
				i++
			}
			word = src[start:i]
			slash = slashDivide
			if !dot && regexKeyword(word) {
				slash = slashRegexp
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < n && src[i+1] >= '0' && src[i+1] <= '9':
			for i < n && (isWordByte(src[i]) || src[i] >= '0' && src[i] <= '9' || src[i] == '.') {
				i++
			}
			slash = slashDivide
		case (c == '+' || c == '-') && i+1 < n && src[i+1] == c:
			i += 2
			slash = slashDivide // a++ / b; ++/re/ is no expression
		default:
			i++
			slash = slashRegexp // after an operator or punctuator
		}
		if !trivia {
			dot = c == '.'
		}
	}
	return -1
}

// isWordByte reports whether c may start an identifier: a letter, _, $,
// # (private names) or a byte of a multi-byte character.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c == '#' || c >= 0x80
}

// isSpace reports whether s starts with a non-ASCII space or line
// terminator (U+00A0, U+2028, U+FEFF...), which JavaScript skips as it
// does a space.
func isSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r) || r == '\ufeff'
}

// regexKeyword reports whether a / after the keyword w starts a regular
// expression (return /x/), rather than dividing it (a name: x / 2).
func regexKeyword(w string) bool {
	switch w {
	case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
		"throw", "case", "do", "else", "yield", "await", "extends":
		return true
	}
	return false
}

// skipString returns the offset just past the string literal whose text
// starts at i and that quote ends, or at the end of its line if it is
// not ended there (an error goja reports).
func skipString(src string, i int, quote byte) int {
	for i < len(src) {
		switch src[i] {
		case '\\':
			i += 2
			continue
		case quote:
			return i + 1
		case '\n', '\r':
			return i
		}
		i++
	}
	return len(src)
}

// What a / starts, decided by the token before it.
const (
	slashRegexp = iota // a regular expression: after an operator, (, return
	slashDivide        // a division: after a name, a number, ), ]
	slashEither        // either: after a } (a block's, or an object's)
)

// bracketDepth is how the text of a regular expression literal would
// nest if it were code: its deepest level (max, first reached at the
// offset maxAt from its start) and the levels it would leave open (left).
type bracketDepth struct {
	max, maxAt, left int
}

// skipRegexp returns the offset just past the regular expression literal
// (and its flags) whose text starts at i, how its brackets would nest as
// code, and whether the literal ends on its line (closed). A / in a class
// ([/]) does not end it.
func skipRegexp(src string, i int) (end int, deep bracketDepth, closed bool) {
	start, class := i, false
	for i < len(src) {
		switch c := src[i]; {
		case c == '\\':
			i += 2
			continue
		case c == '\n' || c == '\r':
			return i, deep, false
		case c == '(' || c == '[' || c == '{':
			deep.left++
			if deep.left > deep.max {
				deep.max, deep.maxAt = deep.left, i-start
			}
			class = class || c == '['
		case c == ')' || c == ']' || c == '}':
			deep.left = max(deep.left-1, 0)
			class = class && c != ']'
		case c == '/' && !class:
			i++
			for i < len(src) && isWordByte(src[i]) {
				i++
			}
			return i, deep, true
		}
		i++
	}
	return len(src), deep, false
}
