package repl

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"echo 1.0.0", "echo 1.0.0"},
		{"héllo wörld ✓ 日本", "héllo wörld ✓ 日本"},
		{`a\b "q"`, `a\b "q"`},
		{"\x1b]0;pwned\x07", `\x1b]0;pwned\a`},
		{"1.0\n[disconnect] kv stopped", `1.0\n[disconnect] kv stopped`},
		{"tab\there\r", `tab\there\r`},
		{"\u009b2J csi", `\u009b2J csi`},
		{"del\x7f", `del\x7f`},
		{"rtl\u202eevil", `rtl\u202eevil`},
		{"bad\xff\xfebytes", `bad\xff\xfebytes`},
		{"\x00", `\x00`},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := escapeLines("{\n  \"v\": \"\u009b\"\n}"); got != "{\n  \"v\": \"\\u009b\"\n}" {
		t.Errorf("escapeLines = %q", got)
	}
}
