package audio

import (
	"math"
	"testing"
)

// TestOscillator checks the recurrence against the closed form of the
// sweep over a long breath tone, and a constant tone.
func TestOscillator(t *testing.T) {
	for _, c := range []struct {
		f0, f1 float64
		n      int
	}{{220, 330, 10 * 48000}, {330, 196, 6 * 44100}, {1000, 1000, 44100}, {60, 8000, 2 * 44100}} {
		rate := 44100
		if c.n%48000 == 0 {
			rate = 48000
		}
		o := newSweep(c.f0, c.f1, c.n, rate)
		T := float64(c.n) / float64(rate)
		worst := 0.0
		for i := range c.n {
			ts := float64(i) / float64(rate)
			want := math.Sin(2 * math.Pi * (c.f0*ts + (c.f1-c.f0)*ts*ts/(2*T)))
			worst = max(worst, math.Abs(o.next(0)-want))
		}
		t.Logf("%g-%g Hz over %d samples: largest error %.2g", c.f0, c.f1, c.n, worst)
		if worst > 1e-5 {
			t.Errorf("%g-%g Hz over %d samples: off by %g", c.f0, c.f1, c.n, worst)
		}
	}
}
