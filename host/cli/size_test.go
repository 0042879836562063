package cli

import "testing"

func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]int{
		"1048576": 1 << 20, "512KiB": 512 << 10, "64MiB": 64 << 20, "64mib": 64 << 20,
		"1GiB": 1 << 30, "500KB": 500_000, "2 MB": 2_000_000, "100B": 100,
	} {
		var n int
		if err := (byteSize{&n}).Set(in); err != nil || n != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "lots", "1.5MiB", "99999999999999GiB"} {
		var n int
		if err := (byteSize{&n}).Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, n)
		}
	}
	n := 64 << 20
	if got := (byteSize{&n}).String(); got != "64MiB" {
		t.Errorf("String() = %q", got)
	}
}
