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

// Comparison is what Compare measured.
type Comparison struct {
	// Ns is the median time per operation of each op, in nanoseconds.
	Ns []float64
	// Ratio is, for each op, the median over the rounds of its time
	// divided by the first op's time in the same round (Ratio[0] is 1).
	Ratio []float64
}

// Compare measures ops in alternation, rounds times each with the same n
// (each round in a rotated order), and returns the median time of each and
// the median of their ratios to the first, taken round by round. The first
// op is calibrated to take about d per round. Alternating means a noisy
// neighbour slows all of them alike; pairing the times of each round means
// a slow stretch of the machine, which moves one round's times together,
// does not land on one figure only. Many short rounds give steadier ratios
// than a few long ones.
func Compare(rounds int, d time.Duration, ops ...Op) (Comparison, error) {
	if len(ops) == 0 || rounds < 1 {
		return Comparison{}, errors.New("benchkit: nothing to compare")
	}
	n, err := Calibrate(ops[0], d)
	if err != nil {
		return Comparison{}, err
	}
	times := make([][]float64, len(ops))
	ratios := make([][]float64, len(ops))
	round := make([]float64, len(ops))
	for r := range rounds {
		// Each round starts one op further on, so that no op always runs
		// first or always after the same other.
		for k := range ops {
			i := (r + k) % len(ops)
			t, err := ops[i](n)
			if err != nil {
				return Comparison{}, err
			}
			round[i] = float64(t.Nanoseconds()) / float64(n)
		}
		for i := range ops {
			times[i] = append(times[i], round[i])
			ratios[i] = append(ratios[i], round[i]/round[0])
		}
	}
	c := Comparison{Ns: make([]float64, len(ops)), Ratio: make([]float64, len(ops))}
	for i := range ops {
		c.Ns[i], c.Ratio[i] = median(times[i]), median(ratios[i])
	}
	return c, nil
}

// median sorts s and returns its middle element (the upper one of an even
// count).
func median(s []float64) float64 {
	slices.Sort(s)
	return s[len(s)/2]
}
