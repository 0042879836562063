package js

import (
	"strings"
	"testing"
)

// TestShiftColumns checks the VLQ rewrite: the first generated column of
// each line and the first source column of the map are one more, the
// other (relative) numbers are unchanged.
func TestShiftColumns(t *testing.T) {
	// Line 1: [0,0,0,0] [4,0,0,4]; line 2: [2,0,1,-4]; line 3: [0] only.
	in := "AAAA,IAAI;EACJ;A"
	got, err := shiftColumns(in)
	if err != nil {
		t.Fatal(err)
	}
	// Line 1: [1,0,0,1] [4,0,0,4]; line 2: [3,0,1,-4]; line 3: [1].
	if want := "CAAC,IAAI;GACJ;C"; got != want {
		t.Errorf("shiftColumns(%q) = %q, want %q", in, got, want)
	}
	for _, n := range []int{0, 1, -1, 15, 16, -16, 1000, -123456} {
		var b strings.Builder
		encodeVLQ(&b, n)
		fields, err := decodeVLQ(b.String())
		if err != nil || len(fields) != 1 || fields[0] != n {
			t.Errorf("round trip of %d: %v, %v", n, fields, err)
		}
	}
	if _, err := shiftColumns("A!"); err == nil {
		t.Error("a bad character is accepted")
	}
	if _, err := shiftColumns("g"); err == nil {
		t.Error("an unfinished number is accepted")
	}
}
