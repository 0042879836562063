package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag holding a number of bytes: 1048576, 512KiB, 64MiB,
// 1GiB (binary units) or 500KB, 64MB (decimal ones).
type byteSize struct{ n *int }

// sizeUnits are the suffixes byteSize accepts, longest first.
var sizeUnits = []struct {
	suffix string
	mult   int
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
	{"b", 1},
}

func (f byteSize) String() string {
	if f.n == nil {
		return ""
	}
	return formatSize(*f.n)
}

// formatSize writes n in the largest binary unit that divides it.
func formatSize(n int) string {
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return strconv.Itoa(n/u.mult) + u.suffix
		}
	}
	return strconv.Itoa(n)
}

func (f byteSize) Set(v string) error {
	s := strings.ToLower(strings.TrimSpace(v))
	mult := 1
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%q is not a size in bytes, such as 64MiB", v)
	}
	if n > int(^uint(0)>>1)/mult {
		return fmt.Errorf("%q is too large", v)
	}
	*f.n = n * mult
	return nil
}
