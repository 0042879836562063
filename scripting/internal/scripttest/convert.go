package scripttest

import (
	"testing"
	"time"

	"github.com/switchboard-rpc/switchboard/internal/jsontok"
)

// ConvertResult returns the answer the convert benchmarks decode: what the
// plugin's Echo returns for the argument they encode, {a: 1, b: "two", c:
// [true, null]}.
func ConvertResult() []byte { return []byte(`{"a":1,"b":"two","c":[true,null]}`) }

// GoConvert does n times what a Go Call does to the argument and the
// result of the benchmarks' call besides sending and receiving them: it
// encodes the argument (built once, as bench/benchkit's Go caller does)
// and decodes ConvertResult(). It is the baseline of the engines' convert
// benchmarks, which do the same from a script.
func GoConvert(n int) (time.Duration, error) {
	payload := map[string]any{"a": 1.0, "b": "two", "c": []any{true, nil}}
	result := ConvertResult()
	start := time.Now()
	for range n {
		if _, err := jsontok.Encode(payload); err != nil {
			return 0, err
		}
		if _, err := jsontok.Decode(result); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// BenchConvert is the body of the engines' convert benchmarks: it times
// run, which makes b.N conversions in a script loop, then GoConvert for
// the same b.N with the timer stopped, and reports their ratio as "x-go".
func BenchConvert(b *testing.B, run func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	if err := run(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	base, err := GoConvert(b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(base.Nanoseconds()), "x-go")
}
