package jsontok

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// checkEncode fails t when Encode and json.Marshal disagree on v.
func checkEncode(t *testing.T, v any) {
	t.Helper()
	got, gotErr := Encode(v)
	want, wantErr := json.Marshal(v)
	if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("Encode(%#v) = %s, %v; json.Marshal gives %s, %v", v, got, gotErr, want, wantErr)
	}
}

func TestEncodeAgreesWithEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, true, false, 0, -7, int64(math.MinInt64), int64(math.MaxInt64),
		0.0, math.Copysign(0, -1), 1.0, -1.0, 1.5, 1e20, 1e21, 1 << 53, -(1 << 53), 1<<53 + 2,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1),
		"", "plain text, 0123456789", `quote"`, `back\slash`, "<html>", "a&b", "tab\t",
		"\x7f", "été", "\xff", "\u2028",
		[]any{1.0, "x"}, map[string]any{"b": 1.0, "a": nil}, struct{ A int }{1},
		func() {},
	} {
		checkEncode(t, v)
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("plain", 1.5, int64(3), true)
	f.Add("<&>\"\\\x00\u2028é", math.Copysign(0, -1), int64(-1), false)
	f.Fuzz(func(t *testing.T, s string, x float64, n int64, b bool) {
		checkEncode(t, s)
		checkEncode(t, x)
		checkEncode(t, n)
		checkEncode(t, int(n))
		checkEncode(t, b)
	})
}

func BenchmarkEncode(b *testing.B) {
	const text = "the quick brown fox jumps over the lazy dog, 0123456789"
	b.Run("jsontok", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Encode(text); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(text); err != nil {
				b.Fatal(err)
			}
		}
	})
}
