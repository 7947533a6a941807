package audio

import (
	"math"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

// A design is how one tone name sounds: a function of the event's length
// in samples that returns the waveform (at most that long; the rest of the
// event is silence) before it is scaled to the event's level.
type design func(t Tone, n, rate int) []float64

// designFor picks the design of a tone: by its name for the names the
// sequencer emits, else by the event kind, so that a new name still gets a
// sensible sound of its kind.
func designFor(kind sequencer.Kind, name string) design {
	switch name {
	case sequencer.ToneTickUp, sequencer.ToneTickDown:
		return tick
	case sequencer.TonePip:
		return pip
	case sequencer.ToneChime, sequencer.ToneZero, sequencer.ToneReminder:
		return chime
	case sequencer.ToneEnd:
		return endChime
	case sequencer.ToneInhale:
		return breath(0.7, 1)
	case sequencer.ToneExhale:
		return breath(1, 0.7)
	case sequencer.ToneHold, sequencer.ToneReturn:
		return breath(1, 1)
	case sequencer.ToneWake:
		return hum
	}
	switch kind {
	case sequencer.KindPacing:
		return tick
	case sequencer.KindBreath:
		return breath(1, 1)
	}
	return beepTone
}

// synthTone renders a tone at peak level gain (linear): the design's
// waveform normalised so that its largest sample is exactly gain.
func synthTone(d design, t Tone, n, rate int, gain float64) []float32 {
	w := d(t, n, rate)
	peak := 0.0
	for _, v := range w {
		peak = max(peak, math.Abs(v))
	}
	out := make([]float32, len(w))
	if peak == 0 {
		return out
	}
	k := gain / peak
	for i, v := range w {
		out[i] = float32(v * k)
	}
	return out
}

// ms converts a duration to samples at rate.
func ms(d time.Duration, rate int) int { return samples(d, rate) }

// rc is the raised-cosine ramp: 0 at i == 0, 1 at i >= n.
func rc(i, n int) float64 {
	if i >= n {
		return 1
	}
	return 0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(n))
}

// ramps applies a raised-cosine attack of a samples and release of r
// samples to w, shortened to fit, so that w's first and last samples are 0.
func ramps(w []float64, a, r int) {
	n := len(w)
	if n == 0 {
		return
	}
	a = max(1, min(a, n/2))
	r = max(1, min(r, n-a))
	for i := 0; i <= a && i < n; i++ {
		w[i] *= rc(i, a)
	}
	for j := 0; j <= r && j < n; j++ {
		w[n-1-j] *= rc(j, r)
	}
}

// osc is a sine oscillator for a linear sweep, by recurrence: the phasor
// (c, s) turns by (dc, ds) each sample, and that step itself turns by
// (ddc, dds), which makes the frequency move linearly. Plain arithmetic, so
// the same on every machine, and several times faster than a sine per
// sample; over the longest tone the phase drifts by well under 1e-5 rad.
type osc struct{ c, s, dc, ds, ddc, dds float64 }

// newSweep starts an oscillator at phase 0 that sweeps from f0 to f1 Hz
// over n samples: the phase at sample i is 2*pi*(f0*t + (f1-f0)*t*t/(2*T)).
func newSweep(f0, f1 float64, n, rate int) *osc {
	r := float64(rate)
	k := (f1 - f0) / (float64(max(n, 1)) / r) // Hz per second
	step := 2 * math.Pi * (f0/r + k/(2*r*r))
	turn := 2 * math.Pi * k / (r * r)
	o := &osc{c: 1}
	o.ds, o.dc = math.Sincos(step)
	o.dds, o.ddc = math.Sincos(turn)
	return o
}

// next returns the current sample of the timbre (a sine with h2 of second
// harmonic: soft, but easier to hear at low level than a pure sine) and
// advances.
func (o *osc) next(h2 float64) float64 {
	v := o.s + h2*(2*o.s*o.c) // sin 2x = 2 sin x cos x
	o.c, o.s = o.c*o.dc-o.s*o.ds, o.s*o.dc+o.c*o.ds
	o.dc, o.ds = o.dc*o.ddc-o.ds*o.dds, o.ds*o.ddc+o.dc*o.dds
	return v
}

// tick is a pacing tick: a 70 ms pluck that decays fast, soft enough to
// hear hundreds of times.
func tick(t Tone, n, rate int) []float64 {
	m := min(n, ms(70*time.Millisecond, rate))
	w := make([]float64, m)
	e, step := 1.0, expDet(-1/(0.022*float64(rate)))
	o := newSweep(t.Freq, t.FreqEnd, m, rate)
	for i := range w {
		w[i] = o.next(0.2) * e
		e *= step
	}
	ramps(w, ms(5*time.Millisecond, rate), ms(15*time.Millisecond, rate))
	return w
}

// pip is one countdown second: a short steady beep, clear but not sharp.
func pip(t Tone, n, rate int) []float64 {
	m := min(n, ms(110*time.Millisecond, rate))
	w := make([]float64, m)
	o := newSweep(t.Freq, t.FreqEnd, m, rate)
	for i := range w {
		decay := 1 - 0.3*float64(i)/float64(m)
		w[i] = o.next(0.15) * decay
	}
	ramps(w, ms(6*time.Millisecond, rate), ms(40*time.Millisecond, rate))
	return w
}

// bell adds to w, from sample at, a struck note at f Hz that decays with
// time constant tau seconds; its second harmonic fades faster, as a bell's
// does.
func bell(w []float64, at int, f, tau float64, rate int) {
	if at >= len(w) {
		return
	}
	a := ms(5*time.Millisecond, rate)
	// Decays by recurrence: exact for practical purposes, and the same on
	// every machine.
	e, step := 1.0, expDet(-1/(tau*float64(rate)))
	h, hstep := 0.25, expDet(-1/(0.12*float64(rate)))
	o := newSweep(f, f, 1, rate)
	for i := range w[at:] {
		w[at+i] += o.next(h) * e * rc(i, a)
		e *= step
		h *= hstep
	}
}

// chime marks a part change: two bell strikes, Freq then FreqEnd, ringing
// for up to 1.4 s.
func chime(t Tone, n, rate int) []float64 {
	m := min(n, ms(1400*time.Millisecond, rate))
	w := make([]float64, m)
	bell(w, 0, t.Freq, 0.35, rate)
	bell(w, min(ms(160*time.Millisecond, rate), m/3), t.FreqEnd, 0.35, rate)
	ramps(w, ms(5*time.Millisecond, rate), ms(60*time.Millisecond, rate))
	return w
}

// endChime closes the session: Freq, FreqEnd, then both together with a
// long ring, up to 2.6 s; three strikes so that it cannot be taken for a
// part chime.
func endChime(t Tone, n, rate int) []float64 {
	m := min(n, ms(2600*time.Millisecond, rate))
	w := make([]float64, m)
	bell(w, 0, t.Freq, 0.4, rate)
	bell(w, min(ms(220*time.Millisecond, rate), m/4), t.FreqEnd, 0.4, rate)
	last := min(ms(460*time.Millisecond, rate), m/2)
	bell(w, last, t.Freq, 0.9, rate)
	bell(w, last, t.FreqEnd, 0.9, rate)
	ramps(w, ms(5*time.Millisecond, rate), ms(80*time.Millisecond, rate))
	return w
}

// breath returns the design of a breath phase: a soft tone over the whole
// phase, sweeping from Freq to FreqEnd, its level moving from a0 to a1 (a
// swell while breathing in, an ebb while breathing out).
func breath(a0, a1 float64) design {
	return func(t Tone, n, rate int) []float64 {
		w := make([]float64, n)
		o := newSweep(t.Freq, t.FreqEnd, n, rate)
		for i := range w {
			x := float64(i) / float64(n)
			w[i] = o.next(0.08) * (a0 + (a1-a0)*x)
		}
		ramps(w, ms(80*time.Millisecond, rate), ms(80*time.Millisecond, rate))
		return w
	}
}

// hum is the wake-up signal (sequencer.Wake): a steady pure tone at Freq
// over the whole event, faded in and out over 100 ms so that it starts and
// stops without a click. At 30 Hz and -50 dB it is below hearing on
// headphones, yet not the digital zero a sleeping output ignores.
func hum(t Tone, n, rate int) []float64 {
	return steady(t, n, rate, 0, 100*time.Millisecond, 100*time.Millisecond)
}

// beepTone is the sound of a tone name the mixer has no design for: a
// plain 250 ms beep.
func beepTone(t Tone, n, rate int) []float64 {
	return steady(t, min(n, ms(250*time.Millisecond, rate)), rate, 0.1, 10*time.Millisecond, 40*time.Millisecond)
}

// steady is m samples of the timbre with h2 of second harmonic (see osc)
// sweeping from Freq to FreqEnd at a steady level, with an attack and a
// release.
func steady(t Tone, m, rate int, h2 float64, attack, release time.Duration) []float64 {
	w := make([]float64, m)
	o := newSweep(t.Freq, t.FreqEnd, m, rate)
	for i := range w {
		w[i] = o.next(h2)
	}
	ramps(w, ms(attack, rate), ms(release, rate))
	return w
}
