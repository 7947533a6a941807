package soundcheck

import (
	"fmt"
	"math"
	"sort"

	"github.com/cued-dev/cued/pcm"
)

// This file checks a recording of a session that the daemon paused,
// resumed, skipped, stopped or recovered (after an audio fault) against the
// session's render, sample for sample.
//
// What the daemon's sink child plays (package playback's Player): the
// session's samples, exactly as rendered, up to the sample h where the
// device was when the control came; then a fade-out of FadeLen samples of
// the session from h (gain 1-(i+1)*Step, i < FadeLen: a linear ramp of
// 12 ms); then silence (the device plays silence while nothing is
// queued); then, where playing goes on at sample t (t = h+FadeLen for a
// resume: a pause holds the session at the first sample it did not play;
// the mark for a skip; the position held for a recovery), a fade-in of
// FadeLen samples from t (gain (k+1)*Step), then the session exactly from
// t+FadeLen. The fades are computed on the mixer's floating-point samples,
// so they are compared with the float render within 1 LSB; everything else
// must be equal to the 16-bit render exactly.

// FadeStep is the gain step per frame of the player's fades (12 ms) at
// rate.
func FadeStep(rate int) float64 { return 1 / (0.012 * float64(rate)) }

// FadeFrames is how many frames a fade of step lasts: those whose gain
// lies strictly between 0 and 1.
func FadeFrames(step float64) int { return int(math.Ceil(1/step-1e-9)) - 1 }

// PCM16 is a stereo 16-bit signal as integers.
type PCM16 struct {
	L, R []int
}

// Len is the number of frames.
func (p *PCM16) Len() int { return len(p.L) }

// ToPCM16 converts a 16-bit (or float) Audio to integer samples: 16-bit
// PCM exactly (ReadWAV divides by 32768), float as value*32768 rounded.
func ToPCM16(a *Audio) *PCM16 {
	p := &PCM16{}
	conv := func(c []float64) []int {
		out := make([]int, len(c))
		for i, v := range c {
			out[i] = int(math.Round(v * 32768))
		}
		return out
	}
	p.L = conv(a.Chans[0])
	if len(a.Chans) > 1 {
		p.R = conv(a.Chans[1])
	} else {
		p.R = p.L
	}
	return p
}

// at returns frame i, silence outside the signal.
func (p *PCM16) at(i int) (int, int) {
	if i < 0 || i >= len(p.L) {
		return 0, 0
	}
	return p.L[i], p.R[i]
}

// FadeGain is the gain of frame i (0-based) of a fade of step per frame,
// rising (in) or falling, as the player steps it.
func FadeGain(i int, step float64, in bool) float64 {
	g := float64(i+1) * step
	if in {
		return min(1, g)
	}
	return max(0, 1-g)
}

// encode16 is the outputs' conversion of one value (pcm.S16).
func encode16(v float64) int { return int(pcm.S16(v)) }

// Splicer compares a recording with a render around the daemon's cuts.
type Splicer struct {
	Rec    *PCM16
	Render *PCM16
	// RenderF is the float render (`cued render --format f32`), for the
	// fades.
	RenderF *Audio
	// Step is the fades' gain step per frame (FadeStep) and FadeLen
	// their length in frames (FadeFrames(Step): 529 at 44.1 kHz).
	Step    float64
	FadeLen int
}

// renF returns the float render's frame i (silence outside).
func (s *Splicer) renF(i int) (float64, float64) {
	c := s.RenderF.Chans
	if i < 0 || i >= len(c[0]) {
		return 0, 0
	}
	r := c[0]
	if len(c) > 1 {
		r = c[1]
	}
	return c[0][i], r[i]
}

// ExactRun counts the frames from recording frame r and render frame i on
// that are equal (the render is silence past its end), up to limit (or
// the end of the recording).
func (s *Splicer) ExactRun(r, i, limit int) int {
	n := 0
	for r+n < s.Rec.Len() && n < limit {
		a, b := s.Rec.at(r + n)
		c, d := s.Render.at(i + n)
		if a != c || b != d {
			break
		}
		n++
	}
	return n
}

// FadeErr is the largest difference (in LSB) between the recording from
// frame r and a fade (in or out) of the render from frame i, over the
// first n frames of the fade (n <= FadeLen).
func (s *Splicer) FadeErr(r, i int, in bool, n int) int {
	worst := 0
	for k := 0; k < n; k++ {
		g := FadeGain(k, s.Step, in)
		l, rr := s.renF(i + k)
		wl, wr := encode16(l*g), encode16(rr*g)
		a, b := s.Rec.at(r + k)
		worst = max(worst, abs(a-wl), abs(b-wr))
	}
	return worst
}

// Zeros counts the silent frames of the recording from frame r on.
func (s *Splicer) Zeros(r int) int {
	n := 0
	for r+n < s.Rec.Len() {
		a, b := s.Rec.at(r + n)
		if a != 0 || b != 0 {
			break
		}
		n++
	}
	return n
}

// FirstSound is the first recording frame at or after r whose magnitude
// is at least level, or -1.
func (s *Splicer) FirstSound(r, level int) int {
	for ; r < s.Rec.Len(); r++ {
		a, b := s.Rec.at(r)
		if abs(a) >= level || abs(b) >= level {
			return r
		}
	}
	return -1
}

// Cut is where a run of exact samples ended with a fade-out.
type Cut struct {
	// Rec is the recording frame where the fade-out starts, Session the
	// session sample it fades (the position the daemon held on to).
	Rec, Session int
	// FadeErr is the fade's largest difference from the expected fade
	// (LSB; 1 allowed for the float rounding).
	FadeErr int
	// Ambiguous is set when the fade is of near-silence, so that its
	// place cannot be pinned to the sample by the audio; Fits then holds
	// every recording frame where a fade-out fits (Rec included).
	Ambiguous bool
	Fits      []int
}

// Ends are the recording frames where the fade-out may end (one unless
// Ambiguous): where a resume's search starts.
func (c Cut) Ends(fadeLen int) []int {
	if len(c.Fits) == 0 {
		return []int{c.Rec + fadeLen}
	}
	out := make([]int, len(c.Fits))
	for i, f := range c.Fits {
		out[i] = f + fadeLen
	}
	return out
}

// FindCut looks for the fade-out that ends an exact run: the run from
// (r, i) ended at recording frame r+k; the fade-out starts at most
// FadeLen+1 frames before that, or, when the session is near-silent there
// (a fade of near-silence equals the render within 1 LSB, so the exact run
// can go on past it), anywhere in the near-silence before (up to 2 s).
func (s *Splicer) FindCut(r, i, k int) (Cut, bool) {
	best := Cut{FadeErr: math.MaxInt}
	var fits []int
	back := 2 * s.RenderF.Rate
	for c := k; c >= 0 && c >= k-back; c-- {
		e := s.FadeErr(r+c, i+c, false, s.FadeLen)
		if c < k-s.FadeLen-2 && e > 1 {
			break
		}
		if e <= 1 {
			fits = append(fits, r+c)
		}
		if e < best.FadeErr {
			best = Cut{Rec: r + c, Session: i + c, FadeErr: e}
		}
	}
	best.Ambiguous = len(fits) > 1
	best.Fits = fits
	return best, best.FadeErr <= 1
}

// Resume is where the session goes on after a cut (or a recovery): a
// fade-in at recording frame Rec of session sample Session, then exact.
type Resume struct {
	Rec, Session int
	// Delta is session sample minus recording frame after the resume.
	Delta   int
	FadeErr int
	// Exact is how many frames after the fade-in equal the render.
	Exact int
}

// Locate finds where a window of the recording (W frames from r) occurs in
// the render, exactly: the render frame closest to want within [lo, hi),
// or -1.
func (s *Splicer) Locate(r, w, lo, hi, want int) int {
	best := -1
	lo = max(lo, 0)
	hi = min(hi, s.Render.Len()-w)
	for j := lo; j < hi; j++ {
		if s.Rec.L[r] != s.Render.L[j] {
			continue
		}
		if s.ExactRun(r, j, w) == w {
			if best < 0 || abs(j-want) < abs(best-want) {
				best = j
			}
			if j > want {
				break
			}
		}
	}
	return best
}

// FindResume looks, from recording frame from (the earliest of froms: where
// a fade-out may have ended) on, for the session going on
// with a fade-in at a session sample in [lo, hi] (lo < 0: anywhere; near
// is then where to look first, or -1). It finds the first sound after
// from, places a window past its fade-in in the render exactly (the
// occurrence closest to near), which gives Delta; then it fits the fade-in
// at every recording frame p between from and the first sound whose
// session sample p+Delta lies in [lo, hi], the recording being silent from
// from to p. It returns the best fit even when it fails (ok false), with
// Rec -1 when the recording never goes on and Session -1 when its sound is
// not found in the render. Fits is how many candidates fit (more than one:
// the resume is in near-silence and not pinned to the sample).
func (s *Splicer) FindResume(froms []int, lo, hi, near int) (res Resume, fits int, ok bool) {
	from := froms[0]
	for _, f := range froms {
		from = min(from, f)
	}
	const level = 64
	const win = 2048
	res = Resume{Rec: -1, Session: -1, FadeErr: math.MaxInt}
	q := s.FirstSound(from, level)
	if q < 0 {
		return res, 0, false
	}
	res.Rec = q
	// A window past the fade-in, with sound in it.
	a := q + s.FadeLen
	for a+win < s.Rec.Len() {
		n := 0
		for k := 0; k < win; k++ {
			if abs(s.Rec.L[a+k]) >= level {
				n++
			}
		}
		if n >= 64 {
			break
		}
		a += win / 2
	}
	if a+win > s.Rec.Len() {
		return res, 0, false
	}
	if near < 0 {
		near = lo
	}
	j := -1
	if near >= 0 {
		j = s.Locate(a, win, near-s.Render.Len()/10, near+(a-from)+s.Render.Len()/10, near+(a-q))
	}
	if j < 0 {
		j = s.Locate(a, win, 0, s.Render.Len(), max(near, 0))
	}
	if j < 0 {
		return res, 0, false
	}
	delta := j - a
	res.Delta = delta
	res.Session = q + delta
	pmin, pmax := from, from
	for _, f := range froms {
		pmax = max(pmax, f+s.Zeros(f))
	}
	pmax = min(pmax, q)
	if lo >= 0 {
		pmin, pmax = max(pmin, lo-delta), min(pmax, hi-delta)
	}
	// Before the sound at q the recording is below level (FirstSound), so
	// the session's part before the fade-in's end is below level too: that
	// bounds the candidates to the render's quiet before q+delta (less one
	// fade, whose first samples quantise to nothing). The bound is level,
	// as for q: a render that rises through a few LSB to its first loud
	// sample (seen: 27 LSB before a cue, after a resume in silence) would
	// otherwise leave no candidate at all.
	s0 := q + delta
	for s0 > 0 && s0 <= s.Render.Len() && quiet(s.Render, s0-1, level) {
		s0--
	}
	pmin = max(pmin, s0-delta-s.FadeLen)
	var cands []int
	for p := pmax; p >= pmin; p-- {
		e := s.FadeErr(p, p+delta, true, s.FadeLen)
		if e <= 1 {
			cands = append(cands, p)
		}
		if e < res.FadeErr {
			res.Rec, res.Session, res.FadeErr = p, p+delta, e
		}
	}
	fits = len(cands)
	if res.FadeErr == math.MaxInt {
		// No candidate: say where the sound is.
		res.Rec, res.Session = q, q+delta
		return res, 0, false
	}
	// The candidates that fit the fade-in, nearest to near first (else
	// the latest first): the first one that the exact run after it
	// confirms up to the window is the resume.
	if near >= 0 {
		sort.SliceStable(cands, func(x, y int) bool { return abs(cands[x]+delta-near) < abs(cands[y]+delta-near) })
	}
	for _, p := range cands {
		if s.ExactRun(p+s.FadeLen, p+delta+s.FadeLen, a+win-(p+s.FadeLen)) >= a+win-(p+s.FadeLen) {
			res.Rec, res.Session = p, p+delta
			res.FadeErr = s.FadeErr(p, p+delta, true, s.FadeLen)
			break
		}
	}
	res.Exact = s.ExactRun(res.Rec+s.FadeLen, res.Session+s.FadeLen, math.MaxInt)
	return res, fits, res.FadeErr <= 1 && res.Rec+s.FadeLen+res.Exact >= a+win
}

// quiet reports whether frame i of p is below level on both channels.
func quiet(p *PCM16, i, level int) bool {
	l, r := p.at(i)
	return abs(l) < level && abs(r) < level
}

// RenderLen is the render's length in frames.
func (s *Splicer) RenderLen() int { return s.Render.Len() }

// Start finds the session's start in a recording that holds it from its
// first sample: the first sound of the recording is the render's first
// sound, and nothing sounds before it.
func (s *Splicer) Start() (rec0 int, err error) {
	q := s.FirstSound(0, 1)
	j := -1
	for i := range s.Render.L {
		if a, b := s.Render.at(i); a != 0 || b != 0 {
			j = i
			break
		}
	}
	if q < 0 || j < 0 {
		return 0, fmt.Errorf("no sound in the recording or the render")
	}
	return q - j, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
