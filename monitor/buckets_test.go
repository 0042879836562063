package monitor

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// TestBucketIndex holds the index to its definition: d is in bucket i when
// bucketBase·bucketRatio^i <= d < bucketBase·bucketRatio^(i+1) (the first
// bucket also holds all shorter, the last all longer), at every bucket's
// edges and at random durations of every magnitude.
func TestBucketIndex(t *testing.T) {
	x := newBucketIndex()
	want := func(d time.Duration) int {
		// The last i whose lower bound is at most d, by the definition.
		i := sort.Search(bucketCount, func(i int) bool {
			return i > 0 && float64(d) < bucketBase*math.Pow(bucketRatio, float64(i))
		})
		return max(i-1, 0)
	}
	check := func(d time.Duration) {
		t.Helper()
		if got, w := x.of(d), want(d); got != w {
			t.Fatalf("bucket of %d ns: %d, want %d", int64(d), got, w)
		}
	}
	for i := 1; i < bucketCount; i++ {
		edge := time.Duration(x.lo[i])
		check(edge - 1)
		check(edge)
		check(edge + 1)
	}
	for _, d := range []time.Duration{math.MinInt64, -1, 0, 1, 1039, 1040, time.Hour, 2 * time.Hour, math.MaxInt64} {
		check(d)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		check(time.Duration(r.Int64N(math.MaxInt64) >> r.IntN(63)))
	}
	if x.of(math.MaxInt64) != bucketCount-1 || x.of(time.Microsecond) != 0 {
		t.Fatalf("ends: %d, %d", x.of(math.MaxInt64), x.of(time.Microsecond))
	}
}
