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
		// Composite values: plain all through, or not somewhere inside.
		[]any{}, []any(nil), map[string]any{}, map[string]any(nil),
		map[string]any{"z": []any{true, nil, -0.5, 1e-7, 1e21, 123456789.125}, "a": map[string]any{"": 0}, "m": int64(-3)},
		map[string]any{"b": "two", "a": 1, "c": []any{true, nil}},
		map[string]any{"a<": 1.0}, map[string]any{"é": 1.0}, []any{"x", "tab\t"}, []any{1.0, math.NaN()},
		map[string]any{"k": []int{1, 2}}, []any{json.Number("1.50")}, []any{json.RawMessage(`{ "a" : 1 }`)},
		map[string]any{"t": struct{ A int }{1}}, []any{float32(0.1), uint8(7)},
		nested(999), nested(1000), nested(1001), cyclicMap(), cyclicSlice(),
	} {
		checkEncode(t, v)
	}
}

// nested returns [[...[1]...]] with n brackets.
func nested(n int) any {
	var v any = 1.0
	for range n {
		v = []any{v}
	}
	return v
}

// cyclicMap returns a map that holds itself, which json.Marshal refuses.
func cyclicMap() any {
	m := map[string]any{"a": 1.0}
	m["self"] = m
	return m
}

// cyclicSlice returns a slice that holds itself, which json.Marshal
// refuses.
func cyclicSlice() any {
	s := []any{nil}
	s[0] = s
	return s
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
		checkEncodeStruct(t, mixed{A: s, B: int8(n), C: b, D: x, E: uint16(n), I: uint64(n)})
		checkEncodeStruct(t, &plainText{s})
	})
}

// FuzzEncodeDecoded: for any JSON, the value json.Unmarshal makes of it
// (maps, slices and scalars, as a plugin's argument arrives) encodes as
// json.Marshal encodes it.
func FuzzEncodeDecoded(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var v any
		if json.Unmarshal(in, &v) != nil {
			return
		}
		checkEncode(t, v)
	})
}

func BenchmarkEncode(b *testing.B) {
	for _, c := range []struct {
		name string
		v    any
	}{
		{"text", "the quick brown fox jumps over the lazy dog, 0123456789"},
		{"object", map[string]any{"a": 1.0, "b": "two", "c": []any{true, nil}, "d": 0.25}},
	} {
		b.Run(c.name+"/jsontok", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Encode(c.v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encoding-json", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(c.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
