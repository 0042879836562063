package benchkit

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestComparePairsEachRoundsTimes(t *testing.T) {
	// The machine is three times slower in every third round, for all ops
	// alike: times spread, the ratio of each round does not. Runs are
	// counted to know the round; the first is op 0's calibration.
	runs := -1
	op := func(per float64) Op {
		return func(n int) (time.Duration, error) {
			slow := 1.0
			if runs >= 0 && (runs/3)%3 == 2 {
				slow = 3
			}
			runs++
			return time.Duration(per * slow * float64(n)), nil
		}
	}
	c, err := Compare(9, time.Nanosecond, op(1000), op(1500), op(500))
	if err != nil {
		t.Fatal(err)
	}
	if runs != 27 {
		t.Fatalf("%d runs, want 27", runs)
	}
	want := []float64{1, 1.5, 0.5}
	for i, w := range want {
		if math.Abs(c.Ratio[i]-w) > 1e-9 {
			t.Errorf("Ratio[%d] = %v, want %v", i, c.Ratio[i], w)
		}
	}
	if c.Ns[1] != 1500 {
		t.Errorf("Ns[1] = %v, want the median 1500 (the fast rounds)", c.Ns[1])
	}
}

// scripted is an op whose successive runs take the given times per
// operation.
func scripted(per ...float64) Op {
	return func(n int) (time.Duration, error) {
		d := time.Duration(per[0] * float64(n))
		per = per[1:]
		return d, nil
	}
}

func TestCompareRatioIsTheMedianOfEachRoundsRatio(t *testing.T) {
	// Rounds where op 1 took 2×, 1.1× and 2× op 0: the ratio is 2×, where
	// the ratio of the median times would be 2200/2000 = 1.1×. The first
	// run of op 0 is its calibration.
	c, err := Compare(3, time.Nanosecond, scripted(100, 1000, 2000, 10000), scripted(2000, 2200, 20000))
	if err != nil {
		t.Fatal(err)
	}
	if c.Ratio[1] != 2 || c.Ns[0] != 2000 || c.Ns[1] != 2200 {
		t.Errorf("got ratio %v, times %v; want ratio 2, times [2000 2200]", c.Ratio[1], c.Ns)
	}
}

func TestCompareRefusesNothing(t *testing.T) {
	if _, err := Compare(3, time.Millisecond); err == nil {
		t.Error("Compare of no ops: no error")
	}
	if _, err := Compare(0, time.Millisecond, scripted(1)); err == nil {
		t.Error("Compare of zero rounds: no error")
	}
}

func TestCompareRotatesTheOrderOfEachRound(t *testing.T) {
	var order []int
	op := func(i int) Op {
		return func(n int) (time.Duration, error) {
			order = append(order, i)
			return time.Duration(n), nil
		}
	}
	if _, err := Compare(3, time.Nanosecond, op(0), op(1), op(2)); err != nil {
		t.Fatal(err)
	}
	// The first run is op 0's calibration.
	want := []int{0, 0, 1, 2, 1, 2, 0, 2, 0, 1}
	if !slices.Equal(order, want) {
		t.Errorf("ran %v, want %v", order, want)
	}
}
