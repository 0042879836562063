package jsontok

import (
	"encoding/json"
	"strings"
	"testing"
)

var skipCases = append([]string{
	`"\u00E9\uABCD"`, `"\u00g0"`, `"\q"`, `"\`, `"a\u"`, "\"a\tb\"", `{"a":"b" , "c" : [ 1 , 2 ] }`,
	`1 `, ` 1`, "\t\r\n1\n", `[1]]`, `{}}`, `{"a":1}x`, `[-]`, `[-0]`, `[0.0e-0]`, `[1e+5]`,
}, decodeCases...)

// checkValid fails t when Valid and json.Valid disagree on in, or when
// SkipString's plain does not match what json.Unmarshal decodes.
func checkValid(t *testing.T, in []byte) {
	t.Helper()
	if got, want := Valid(in), json.Valid(in); got != want {
		t.Fatalf("Valid(%q) = %v, json.Valid %v", in, got, want)
	}
	if len(in) > 0 && in[0] == '"' {
		end, plain, ok := SkipString(in, 0)
		var s string
		err := json.Unmarshal(in[:max(end, 1)], &s)
		if ok != (err == nil) {
			t.Fatalf("SkipString(%q) ok %v, json.Unmarshal of %q: %v", in, ok, in[:max(end, 1)], err)
		}
		if ok && plain && s != string(in[1:end-1]) {
			t.Fatalf("SkipString(%q) says plain, json.Unmarshal gives %q", in, s)
		}
	}
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range skipCases {
		checkValid(t, []byte(c))
	}
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		checkValid(t, []byte(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
		checkValid(t, []byte(strings.Repeat(`{"k":`, depth)+"1"+strings.Repeat("}", depth)))
	}
}

func TestSkipStopsAtTheValuesEnd(t *testing.T) {
	for _, c := range []struct {
		in   string
		pos  int
		want int
	}{
		{`{"a":[1,2]},`, 5, 10}, {`  "x" ]`, 0, 5}, {`[true]`, 1, 5}, {`12,`, 0, 2}, {`{"k":{}}`, 5, 7},
	} {
		if end, ok := Skip([]byte(c.in), c.pos); !ok || end != c.want {
			t.Errorf("Skip(%q, %d) = %d, %v; want %d", c.in, c.pos, end, ok, c.want)
		}
	}
}

func BenchmarkValid(b *testing.B) {
	in := []byte(`{"a":1,"b":"two","c":[true,null],"d":"the quick brown fox jumps over the lazy dog"}`)
	b.Run("jsontok", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !Valid(in) {
				b.Fatal("not valid")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !json.Valid(in) {
				b.Fatal("not valid")
			}
		}
	})
}
