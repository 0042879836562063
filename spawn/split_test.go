package spawn_test

import (
	"strings"
	"testing"

	"github.com/switchboard-rpc/switchboard/spawn"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "echo", want: []string{"echo"}},
		{in: "  a  b\tc ", want: []string{"a", "b", "c"}},
		{in: `a 'b c' "d e"`, want: []string{"a", "b c", "d e"}},
		{in: `a 'it''s' x\ y`, want: []string{"a", "its", "x y"}},
		{in: `"a \"q\" \\ \n"`, want: []string{`a "q" \ \n`}},
		{in: `a ''`, want: []string{"a", ""}},
		{in: `a 'b`, err: true},
		{in: `a "b`, err: true},
		{in: "   ", err: true},
	}
	for _, tt := range tests {
		got, err := spawn.SplitCommand(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("spawn.SplitCommand(%q) error = %v", tt.in, err)
			continue
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("spawn.SplitCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
