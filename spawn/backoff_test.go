package spawn

import (
	"testing"
	"time"
)

func TestRestartBackoff(t *testing.T) {
	var got []time.Duration
	d := time.Duration(0)
	for range 8 {
		d = nextDelay(d, time.Second)
		got = append(got, d)
	}
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		800 * time.Millisecond, 1600 * time.Millisecond, 3200 * time.Millisecond, 5 * time.Second, 5 * time.Second}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("delays %v, want %v", got, want)
		}
	}
	// A child that ran long enough starts the back-off over.
	if d := nextDelay(5*time.Second, restartReset); d != MinRestartDelay {
		t.Errorf("after a long run: %v, want %v", d, MinRestartDelay)
	}
}
