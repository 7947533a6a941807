package soundcheck

import (
	"math"
	"math/rand"
	"testing"
)

// The player's fades at the test rate.
var (
	step = FadeStep(rate)
	L    = FadeFrames(step)
)

// spliceSession is a synthetic session: a 3 s noisy tone, 0.5 s of
// silence, then a 2 s tone that starts with a soft attack at the mark
// (sample markAt), like a chime after a part boundary.
func spliceSession() (render *PCM16, renderF *Audio, markAt int) {
	rng := rand.New(rand.NewSource(1))
	n := 6 * rate
	markAt = 3*rate + rate/2
	f := make([]float64, n)
	for i := range f {
		switch {
		case i < 3*rate:
			f[i] = 0.3*math.Sin(2*math.Pi*300*float64(i)/rate) + 0.05*(rng.Float64()-0.5)
		case i >= markAt && i < markAt+2*rate:
			k := float64(i - markAt)
			f[i] = 0.4 * math.Min(1, k/2000) * math.Sin(2*math.Pi*660*k/rate)
		}
	}
	renderF = &Audio{Rate: rate, Chans: [][]float64{f, f}, Bits: 32}
	render = &PCM16{L: make([]int, n), R: make([]int, n)}
	for i, v := range f {
		render.L[i] = encode16(v)
		render.R[i] = encode16(v)
	}
	return render, renderF, markAt
}

// daemonOut builds what the daemon sends: the session to h, a fade-out from
// h, gap frames of silence, a fade-in from to, the session from to+L to
// the end; lead frames of silence first. lose drops that many frames after
// the fade-in (an underrun that lost content).
func daemonOut(f []float64, lead, h, gap, to, lose int) *PCM16 {
	var out []int
	put := func(v float64) { out = append(out, encode16(v)) }
	for range lead {
		put(0)
	}
	for i := 0; i < h; i++ {
		put(f[i])
	}
	for k := 0; k < L; k++ {
		put(f[h+k] * FadeGain(k, step, false))
	}
	for range gap {
		put(0)
	}
	for k := 0; k < L; k++ {
		put(f[to+k] * FadeGain(k, step, true))
	}
	for i := to + L + lose; i < len(f); i++ {
		put(f[i])
	}
	for range rate / 2 {
		put(0)
	}
	return &PCM16{L: out, R: out}
}

func TestSplicePauseResume(t *testing.T) {
	render, renderF, _ := spliceSession()
	h := rate + 12345
	s := &Splicer{Rec: daemonOut(renderF.Chans[0], 1000, h, rate, h, 0), Render: render, RenderF: renderF, Step: step, FadeLen: L}
	r0, err := s.Start()
	if err != nil || r0 != 1000 {
		t.Fatalf("Start = %d, %v; want 1000", r0, err)
	}
	k := s.ExactRun(r0, 0, math.MaxInt)
	c, ok := s.FindCut(r0, 0, k)
	if !ok || c.Session != h || c.Ambiguous {
		t.Fatalf("FindCut = %+v, %v; want the cut at %d", c, ok, h)
	}
	res, _, ok := s.FindResume(c.Ends(L), h, h, h)
	if !ok || res.Session != h || res.Rec != c.Rec+L+rate {
		t.Fatalf("FindResume = %+v, %v; want session %d at recording frame %d", res, ok, h, c.Rec+L+rate)
	}
	if end := res.Session + L + res.Exact; end < render.Len() {
		t.Errorf("exact only to %d of %d", end, render.Len())
	}
}

func TestSpliceResumeOneSampleOff(t *testing.T) {
	render, renderF, _ := spliceSession()
	h := rate + 12345
	for _, d := range []int{-1, 1, 441} { // repeated, lost, lost a lot
		s := &Splicer{Rec: daemonOut(renderF.Chans[0], 1000, h, rate, h+d, 0), Render: render, RenderF: renderF, Step: step, FadeLen: L}
		k := s.ExactRun(1000, 0, math.MaxInt)
		c, _ := s.FindCut(1000, 0, k)
		if _, _, ok := s.FindResume(c.Ends(L), h, h, h); ok {
			t.Errorf("resume %+d samples off passed as exact", d)
		}
		res, _, ok := s.FindResume(c.Ends(L), -1, -1, h)
		if !ok || res.Session != h+d {
			t.Errorf("resume %+d off: found %+v, %v; want session %d", d, res, ok, h+d)
		}
	}
}

func TestSpliceSkipToSoftStart(t *testing.T) {
	// A skip cut in silence lands on a mark where a sound starts softly:
	// neither place is pinned by the audio alone, the pair is.
	render, renderF, mark := spliceSession()
	h := 3*rate + 4410 // in the silence after the first sound
	s := &Splicer{Rec: daemonOut(renderF.Chans[0], 1000, h, 0, mark, 0), Render: render, RenderF: renderF, Step: step, FadeLen: L}
	k := s.ExactRun(1000, 0, math.MaxInt)
	c, ok := s.FindCut(1000, 0, k)
	if !ok || !c.Ambiguous {
		t.Fatalf("FindCut = %+v, %v; want an ambiguous cut (silence)", c, ok)
	}
	res, _, ok := s.FindResume(c.Ends(L), mark, mark+45, mark)
	if !ok || res.Session != mark || res.Rec != 1000+h+L {
		t.Fatalf("FindResume = %+v, %v; want session %d at recording frame %d", res, ok, mark, 1000+h+L)
	}
	// Landing 100 samples past the mark is not the mark.
	s.Rec = daemonOut(renderF.Chans[0], 1000, h, 0, mark+100, 0)
	c, _ = s.FindCut(1000, 0, s.ExactRun(1000, 0, math.MaxInt))
	if res, _, ok := s.FindResume(c.Ends(L), mark, mark+45, mark); ok {
		t.Errorf("a skip to mark+100 passed as the mark: %+v", res)
	}
}

func TestSpliceDropoutIsNotACut(t *testing.T) {
	render, renderF, _ := spliceSession()
	// 5 ms of silence in the middle of the tone, with no fade.
	rec := &PCM16{}
	for i := 0; i < render.Len(); i++ {
		if i >= rate && i < rate+220 {
			rec.L, rec.R = append(rec.L, 0), append(rec.R, 0)
			continue
		}
		rec.L, rec.R = append(rec.L, render.L[i]), append(rec.R, render.R[i])
	}
	s := &Splicer{Rec: rec, Render: render, RenderF: renderF, Step: step, FadeLen: L}
	k := s.ExactRun(0, 0, math.MaxInt)
	if k != rate {
		t.Fatalf("exact run %d, want %d", k, rate)
	}
	if c, ok := s.FindCut(0, 0, k); ok {
		t.Errorf("a dropout passed as a fade-out: %+v", c)
	}
}

func TestSpliceRecovery(t *testing.T) {
	// A recording that starts in silence and picks the session up mid
	// tone with a fade-in (after an audio fault).
	render, renderF, _ := spliceSession()
	to := 2*rate + 777
	f := renderF.Chans[0]
	var out []int
	for range rate {
		out = append(out, 0)
	}
	for k := 0; k < L; k++ {
		out = append(out, encode16(f[to+k]*FadeGain(k, step, true)))
	}
	for i := to + L; i < len(f); i++ {
		out = append(out, encode16(f[i]))
	}
	s := &Splicer{Rec: &PCM16{L: out, R: out}, Render: render, RenderF: renderF, Step: step, FadeLen: L}
	res, fits, ok := s.FindResume([]int{0}, -1, -1, -1)
	if !ok || res.Session != to || res.Rec != rate || fits != 1 {
		t.Fatalf("FindResume = %+v, fits %d, %v; want session %d at frame %d", res, fits, ok, to, rate)
	}
}
