package benchkit

import (
	"errors"
	"slices"
	"time"
)

// Op runs an operation n times and says how long that took.
type Op func(n int) (time.Duration, error)

// Calibrate finds an n for which op takes about d, starting from one run
// and growing as the testing package does.
func Calibrate(op Op, d time.Duration) (int, error) {
	n := 1
	for {
		t, err := op(n)
		if err != nil {
			return 0, err
		}
		if t >= d || n >= 1e9 {
			return n, nil
		}
		next := n * 100
		if t > 0 {
			next = int(float64(n) * float64(d) / float64(t) * 1.2)
		}
		n = min(max(next, n+1), n*100)
		if t >= d/4 {
			// Close enough: one more run at the predicted size.
			return n, nil
		}
	}
}

// Compare measures ops in alternation, rounds times each with the same n,
// and returns the median time per operation of each, in nanoseconds. The
// first op is calibrated to take about d per round. Alternating means a
// noisy neighbour slows all of them alike, so their ratios hold.
func Compare(rounds int, d time.Duration, ops ...Op) ([]float64, error) {
	if len(ops) == 0 || rounds < 1 {
		return nil, errors.New("benchkit: nothing to compare")
	}
	n, err := Calibrate(ops[0], d)
	if err != nil {
		return nil, err
	}
	samples := make([][]float64, len(ops))
	for range rounds {
		for i, op := range ops {
			t, err := op(n)
			if err != nil {
				return nil, err
			}
			samples[i] = append(samples[i], float64(t.Nanoseconds())/float64(n))
		}
	}
	out := make([]float64, len(ops))
	for i, s := range samples {
		slices.Sort(s)
		out[i] = s[len(s)/2]
	}
	return out, nil
}
