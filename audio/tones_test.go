package audio

import (
	"math"
	"testing"

	"github.com/cued-dev/cued/sequencer"
)

// TestOscillator checks the recurrence against the closed form of the
// sweep over a long breath tone, and a constant tone.
func TestOscillator(t *testing.T) {
	for _, c := range []struct {
		name   string
		f0, f1 float64
		n      int
	}{
		{"rising 220-330 Hz over 10 s at 48 kHz", 220, 330, 10 * 48000},
		{"falling 330-196 Hz over 6 s", 330, 196, 6 * 44100},
		{"constant 1000 Hz over 1 s", 1000, 1000, 44100},
		{"wide 60-8000 Hz over 2 s", 60, 8000, 2 * 44100},
	} {
		t.Run(c.name, func(t *testing.T) {
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
		})
	}
}

// TestHum: the wake-up hum sounds over its whole event at the stated peak
// level and no louder, at its pitch, and starts and ends at zero (faded).
func TestHum(t *testing.T) {
	const rate = 44100
	o := testOptions(rate)
	o.Tones[sequencer.ToneWake] = Tone{30, 30}
	ev := toneEv(sequencer.KindWake, sequencer.ToneWake, 200, 1500, -50)
	s, err := NewSession(timeline(2000, ev), fakeClips{}, o)
	if err != nil {
		t.Fatal(err)
	}
	got := renderAll(t, s)
	from, to := 200*rate/1000, 1700*rate/1000
	limit := math.Pow(10, -50.0/20)
	peak, crossings := 0.0, 0
	for i, f := range got {
		v := math.Abs(f[0])
		if (i < from || i >= to) && v != 0 {
			t.Fatalf("sample %d outside the hum is %g", i, f[0])
		}
		peak = max(peak, v)
		if i > from && i < to && (got[i-1][0] < 0) != (f[0] < 0) {
			crossings++
		}
	}
	if peak > limit*1.0001 || peak < limit*0.99 {
		t.Errorf("peak %.3g, want %.3g (-50 dB)", peak, limit)
	}
	// 30 Hz for 1.5 s: 45 cycles, 90 zero crossings (give or take the
	// faded ends).
	if crossings < 88 || crossings > 92 {
		t.Errorf("%d zero crossings in 1.5 s, want about 90 (30 Hz)", crossings)
	}
	if got[from][0] != 0 || math.Abs(got[to-1][0]) > limit/100 {
		t.Errorf("the hum starts at %g and ends at %g, want faded to 0", got[from][0], got[to-1][0])
	}
	mid := got[(from+to)/2-rate/60 : (from+to)/2+rate/60]
	quiet := 0
	for _, f := range mid {
		if math.Abs(f[0]) < limit/1000 {
			quiet++
		}
	}
	if quiet > 4 {
		t.Errorf("%d samples near zero in the middle of the hum: it must not be digital silence", quiet)
	}
}
