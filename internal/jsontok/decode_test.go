package jsontok

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"
)

// same reports whether a and b are the same decoded JSON value, telling
// -0 from 0 and an empty container from nil.
func same(a, b any) bool {
	switch x := a.(type) {
	case nil, bool, string:
		return a == b
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []any:
		y, ok := b.([]any)
		if !ok || (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !same(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || (x == nil) != (y == nil) || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !same(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// checkDecode fails t when Decode and json.Unmarshal disagree on in.
func checkDecode(t *testing.T, in []byte) {
	t.Helper()
	got, gotErr := Decode(in)
	var want any
	wantErr := json.Unmarshal(in, &want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("Decode(%q) error %v, json.Unmarshal %v", in, gotErr, wantErr)
	}
	if wantErr == nil && !same(got, want) {
		t.Fatalf("Decode(%q) = %#v, json.Unmarshal gives %#v", in, got, want)
	}
}

var decodeCases = []string{
	`null`, `true`, `false`, `0`, `-0`, `-0.0`, `1`, `-12`, `123456789012345`,
	`1234567890123456789`, `1.5`, `-2.5e-3`, `1E400`, `-1e400`, `4.9e-324`,
	`""`, `"plain"`, `"tab\there"`, `"\u00e9t\u00e9"`, `"été"`, `"\ud83d\ude00"`,
	`"\ud800"`, "\"\xff\"", `"a\"b\\c\/d"`,
	`[]`, `{}`, ` [ 1 , "two" , [ true , null ] , { } ] `,
	`{"a":1,"b":"two","c":[true,null]}`, `{"a":1,"a":2}`, `{"__proto__":{"x":1}}`,
	`{"nested":{"deep":[[[{"k":[]}]]]}}`,
	// Not JSON: the error must be json.Unmarshal's.
	``, ` `, `{`, `[1,]`, `{"a"}`, `{"a":}`, `tru`, `nul`, `01`, `1.`, `.5`, `+1`,
	`"unterminated`, `[1] 2`, `{"a":1,}`, `NaN`, "\"\x01\"", `-`, `1e`, `1e+`, `0x1`,
	`1.5.5`, `--1`, `[1 2]`, `{"a" 1}`, `{1:2}`, `"\x"`, `"\u12"`, `[`, `[1,`, `truee`, `nulL`,
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	for _, c := range decodeCases {
		checkDecode(t, []byte(c))
	}
}

func TestDecodeNestingLimitIsEncodingJSONs(t *testing.T) {
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		checkDecode(t, []byte(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
		checkDecode(t, []byte(strings.Repeat(`{"k":`, depth)+"1"+strings.Repeat("}", depth)))
	}
}

func TestDecodeMakesEmptyContainers(t *testing.T) {
	v, err := Decode([]byte(`{"a":[],"o":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	if a, ok := m["a"].([]any); !ok || a == nil {
		t.Errorf("[] decoded as %#v, want an empty non-nil []any", m["a"])
	}
	if o, ok := m["o"].(map[string]any); !ok || o == nil {
		t.Errorf("{} decoded as %#v, want an empty non-nil map", m["o"])
	}
}

// FuzzDecode holds Decode, Valid and DecodeInto to encoding/json.
func FuzzDecode(f *testing.F) {
	for _, c := range append(append(decodeCases, skipCases...), structCases...) {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		checkDecode(t, in)
		checkValid(t, in)
		checkDecodeInto(t, in)
	})
}

func BenchmarkDecode(b *testing.B) {
	in := []byte(`{"a":1,"b":"two","c":[true,null],"d":"the quick brown fox jumps over the lazy dog"}`)
	b.Run("jsontok", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(in, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestDeeper(t *testing.T) {
	for _, c := range []struct {
		in    string
		limit int
		want  bool
	}{
		{`1`, 0, false}, {`[]`, 0, true}, {`[]`, 1, false}, {`[[{}]]`, 2, true}, {`[[{}]]`, 3, false},
		{`["[[[["]`, 1, false}, {`["\"[[["]`, 1, false}, {`[1],[2],[3]`, 1, false}, {`{"a":[{"b":[]}]}`, 3, true},
		{strings.Repeat("[", 1_000_000), MaxDepth, true},
	} {
		if got := Deeper([]byte(c.in), c.limit); got != c.want {
			t.Errorf("Deeper(%.20q, %d) = %v, want %v", c.in, c.limit, got, c.want)
		}
	}
}

// A Stack keeps the object keys it has seen, within its bounds, and hands
// the same string out again.
func TestStackKeepsKeys(t *testing.T) {
	st := new(Stack[any])
	first, _ := Build[any]([]byte(`{"text":"a"}`), goValues{}, st)
	again, _ := Build[any]([]byte(`{"text":"b"}`), goValues{}, st)
	var k1, k2 string
	for k := range first.(map[string]any) {
		k1 = k
	}
	for k := range again.(map[string]any) {
		k2 = k
	}
	if k1 != "text" || unsafe.StringData(k1) != unsafe.StringData(k2) {
		t.Fatalf("keys %q and %q are not one string", k1, k2)
	}
	for i := range 2 * maxNames {
		Build[any]([]byte(fmt.Sprintf(`{"key%d":1,"%s":2}`, i, strings.Repeat("k", maxNameLen+1))), goValues{}, st)
	}
	if len(st.names) > maxNames {
		t.Fatalf("%d names kept, more than %d", len(st.names), maxNames)
	}
	for k := range st.names {
		if len(k) > maxNameLen {
			t.Fatalf("a key of %d bytes kept", len(k))
		}
	}
}
