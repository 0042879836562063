package monitor

import (
	"math"
	"math/bits"
	"time"
)

// bucketIndex finds a duration's summary bucket (see bucketBase) without a
// logarithm: lo holds each bucket's smallest duration, and cell, for each
// power of two and each of its 32 equal parts, the bucket of that part's
// first duration. A part spans at most 33/32 of its start, less than one
// bucket's 1.04, so a duration is in its part's bucket or the next one:
// one lookup and one comparison. It takes about 8.5 KiB, made once per
// Monitor and shared by its series; it never changes after.
type bucketIndex struct {
	lo   [bucketCount + 1]int64 // lo[bucketCount] is MaxInt64, past every other duration
	cell [64 << cellBits]uint16
}

// cellBits is how many bits after the leading one pick a part of a power
// of two (32 parts).
const cellBits = 5

func newBucketIndex() *bucketIndex {
	x := &bucketIndex{}
	x.lo[0] = math.MinInt64
	for i := 1; i < bucketCount; i++ {
		x.lo[i] = int64(math.Ceil(bucketBase * math.Pow(bucketRatio, float64(i))))
	}
	x.lo[bucketCount] = math.MaxInt64
	i := 0
	for o := cellBits + 1; o < 64; o++ { // durations of o bits
		for m := range int64(1) << cellBits {
			start := int64(1)<<(o-1) + m<<(o-1-cellBits)
			for x.lo[i+1] <= start {
				i++
			}
			x.cell[o<<cellBits|int(m)] = uint16(i)
		}
	}
	return x
}

// of returns the bucket of d: the i with lo[i] <= d < lo[i+1].
func (x *bucketIndex) of(d time.Duration) int {
	if d < time.Duration(x.lo[1]) {
		return 0
	}
	o := bits.Len64(uint64(d)) // > cellBits: d is at least lo[1]
	m := int(uint64(d)>>(o-1-cellBits)) & (1<<cellBits - 1)
	i := int(x.cell[o<<cellBits|m])
	if int64(d) >= x.lo[i+1] {
		i++
	}
	return min(i, bucketCount-1) // lo[bucketCount] is d's when d is MaxInt64
}
