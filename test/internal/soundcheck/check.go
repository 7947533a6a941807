// Package soundcheck compares a recording of a session played through a
// real sound device with the session's render and its timeline: it checks
// that what reached the device is every event, in order, on time, whole,
// unclipped and at the right pitch.
//
// The render (`cued render`) holds exactly the samples the speaker was
// given, so the recording is aligned to it by cross-correlation, then
// checked event by event against the timeline (`cued timeline --json`):
//
//   - every sounding event is found where the timeline puts it: its onset
//     (a threshold at -20 dB of the event's own level, or, for a sound that
//     starts under a louder one, a local cross-correlation) measured in the
//     recording and in the render, relative to the first event, within
//     Options.OnsetTolerance;
//   - the recording matches the render sample for sample, up to a gain: no
//     dropout (no run of digital silence where the render has sound), no
//     glitch (no 5 ms block whose difference from the render is above
//     -20 dB of the event's level), no level change within an event;
//   - no sample at full scale and no peak above the mixer's -1 dBFS ceiling;
//   - tones, ticks and breath phases that sound alone have their pitch
//     (config.yaml audio.tones) within Options.PitchTolerance;
//   - nothing sounds before the session starts or after it ends;
//   - the render is of the timeline (silent before the first event, each
//     lone tone starting within its attack of its time).
package soundcheck

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Options are the tolerances of Compare.
type Options struct {
	// Tones gives each tone name's pitch (config.yaml audio.tones).
	Tones map[string]Tone
	// OnsetTolerance is the largest onset error allowed, relative to
	// the first event (default 10 ms).
	OnsetTolerance time.Duration
	// PitchTolerance is the largest relative pitch error (default 0.03).
	PitchTolerance float64
	// MaxShift is how far from its place an event is searched for
	// (default 300 ms).
	MaxShift time.Duration
}

func (o *Options) defaults() {
	if o.OnsetTolerance == 0 {
		o.OnsetTolerance = 10 * time.Millisecond
	}
	if o.PitchTolerance == 0 {
		o.PitchTolerance = 0.03
	}
	if o.MaxShift == 0 {
		o.MaxShift = 300 * time.Millisecond
	}
}

// EventResult is what Compare found for one sounding event.
type EventResult struct {
	Index  int   // in the timeline's events
	Event  Event // the event
	At     int   // its start in the render: floor(start_ms*rate/1000)
	Method string
	// RenderOnset and RecOnset are where the onset detector fired, in
	// render and recording samples; -1 when it did not (Method "xcorr").
	RenderOnset, RecOnset int
	// ErrMs is the onset error relative to the first event, in ms.
	ErrMs float64
	// Lag is where the event's start sits in the recording relative to
	// the global alignment, in samples; Corr the normalised correlation
	// there.
	Lag  int
	Corr float64
	// Gain is the event's level in the recording relative to the render.
	Gain float64
	// Pitch checks: wanted, measured in the render and in the recording
	// (Hz), one per window; empty when not checked.
	PitchWant, PitchRender, PitchRec []float64
	Problems                         []string
}

// Report is the outcome of Compare.
type Report struct {
	Rate int
	// Offset is the recording sample that holds render sample 0, found
	// by cross-correlation; OffsetCorr the normalised correlation.
	Offset     int
	OffsetCorr float64
	// Gain is the recording's level relative to the render.
	Gain float64
	// PeakDBFS is the recording's peak.
	PeakDBFS float64
	Events   []EventResult
	// Checked counts the events checked, PitchChecked the pitch windows.
	Checked, PitchChecked int
	// WorstMs is the largest onset error (absolute, ms) and Worst the
	// index in Events of the event that has it (-1 if none).
	WorstMs  float64
	Worst    int
	Problems []string
	// Notes are findings that are not failures by themselves.
	Notes []string
}

// OK reports whether nothing is wrong.
func (r *Report) OK() bool {
	if len(r.Problems) > 0 {
		return false
	}
	for _, e := range r.Events {
		if len(e.Problems) > 0 {
			return false
		}
	}
	return true
}

// AllProblems lists every problem, the events' prefixed with the event.
func (r *Report) AllProblems() []string {
	out := append([]string(nil), r.Problems...)
	for _, e := range r.Events {
		for _, p := range e.Problems {
			out = append(out, fmt.Sprintf("event %d %s %s at %s: %s", e.Index, e.Event.Kind, e.Event.Name(), clock(e.Event.StartMs), p))
		}
	}
	return out
}

func clock(ms int) string {
	return fmt.Sprintf("%d:%02d.%03d", ms/60000, ms/1000%60, ms%1000)
}

func (r *Report) ms(samples int) float64 { return float64(samples) * 1000 / float64(r.Rate) }

// Summary is the one-line outcome.
func (r *Report) Summary() string {
	worst := "none"
	if r.Worst >= 0 {
		e := r.Events[r.Worst]
		worst = fmt.Sprintf("%.2f ms (event %d %s at %s)", r.WorstMs, e.Index, e.Event.Name(), clock(e.Event.StartMs))
	}
	status := "ok"
	if n := len(r.AllProblems()); n > 0 {
		status = fmt.Sprintf("FAIL (%d problems)", n)
	}
	return fmt.Sprintf("%s: %d events checked, worst onset error %s, %d pitch windows, session at %.1f ms in the recording (corr %.4f), gain %+.2f dB, peak %.1f dBFS",
		status, r.Checked, worst, r.PitchChecked, r.ms(r.Offset), r.OffsetCorr, db(r.Gain), r.PeakDBFS)
}

// String is the full report: a line per event, the problems, the summary.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%3s %9s  %-7s %-18s %-6s %8s %7s %6s %7s  %s\n", "#", "start", "kind", "what", "method", "onset", "lag", "corr", "gain", "pitch want/render/rec (Hz)")
	for _, e := range r.Events {
		p := ""
		for i := range e.PitchWant {
			p += fmt.Sprintf("%.0f/%.1f/%.1f ", e.PitchWant[i], e.PitchRender[i], e.PitchRec[i])
		}
		mark := ""
		if len(e.Problems) > 0 {
			mark = "  <-- " + strings.Join(e.Problems, "; ")
		}
		fmt.Fprintf(&b, "%3d %9s  %-7s %-18s %-6s %+7.2fms %+5.1fms %6.3f %+6.2fdB  %s%s\n",
			e.Index, clock(e.Event.StartMs), e.Event.Kind, e.Event.Name(), e.Method, e.ErrMs, r.ms(e.Lag), e.Corr, db(e.Gain), p, mark)
	}
	for _, p := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", p)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(&b, "problem: %s\n", p)
	}
	b.WriteString(r.Summary())
	b.WriteString("\n")
	return b.String()
}

func db(g float64) float64 {
	if g <= 0 {
		return math.Inf(-1)
	}
	return 20 * math.Log10(g)
}

// Compare checks rec (a recording of the session) against render (its
// render) and tl (its timeline). It returns an error only when the inputs
// cannot be compared at all; everything wrong with the recording is in the
// report.
func Compare(tl *Timeline, render, rec *Audio, o Options) (*Report, error) {
	o.defaults()
	if render.Rate != rec.Rate {
		return nil, fmt.Errorf("the render is at %d Hz and the recording at %d Hz", render.Rate, rec.Rate)
	}
	if render.Len() == 0 {
		return nil, fmt.Errorf("the render is empty")
	}
	rate := render.Rate
	R := &Report{Rate: rate, Worst: -1}
	sm := func(d time.Duration) int { return int(int64(d) * int64(rate) / int64(time.Second)) }
	r, x := render.Mono(), rec.Mono()
	N, M := len(r), len(x)
	if M == 0 {
		R.Problems = append(R.Problems, "the recording is empty: nothing arrived")
		return R, nil
	}

	// Clipping and level, over the whole recording.
	peak, full := 0.0, 0
	for _, c := range rec.Chans {
		for _, v := range c {
			peak = max(peak, math.Abs(v))
			if v >= 32767.0/32768 || v <= -1 {
				full++
			}
		}
	}
	R.PeakDBFS = db(peak)
	if full > 0 {
		R.Problems = append(R.Problems, fmt.Sprintf("%d samples at full scale: clipping", full))
	}
	if R.PeakDBFS > -0.9 {
		R.Problems = append(R.Problems, fmt.Sprintf("peak %.2f dBFS is above the mixer's -1 dBFS ceiling", R.PeakDBFS))
	}

	// Alignment on the first sound (up to a second of it): onsets are
	// measured relative to the first event.
	first, firstLen := -1, 0
	for _, e := range tl.Events {
		if e.Sounds() {
			first, firstLen = msToSample(e.StartMs, rate), msToSample(e.LengthMs, rate)
			break
		}
	}
	if first < 0 || first >= N {
		return nil, fmt.Errorf("the timeline has no sound within the render")
	}
	// The render must be of this timeline: silent before the first
	// event, sounding within 20 ms of its start.
	if i := firstAbove(r, humEnd(tl, first, rate), first, 4.0/32768); i >= 0 {
		R.Problems = append(R.Problems, fmt.Sprintf("the render has sound %.1f ms before the timeline's first event: the render is not of this timeline", R.ms(first-i)))
	}
	if firstAbove(r, first, first+sm(20*time.Millisecond), 4.0/32768) < 0 {
		R.Problems = append(R.Problems, "the render is silent for 20 ms from the timeline's first event: the render is not of this timeline")
	}

	// The first event is searched for in the whole recording: a badly
	// broken playback defeats any alignment of the session as a whole.
	// A sound can recur (the part chime), so the earliest position whose
	// correlation is within 10 % of the best wins.
	a0 := max(0, first-sm(5*time.Millisecond))
	seg := r[a0:min(N, first+min(firstLen, sm(time.Second)))]
	// On copies decimated by 4 first (fast over a long recording), then
	// to the sample.
	const dec = 4
	pos4, _ := earliestMatch(decimate(seg, dec), decimate(x, dec), -a0/dec, M/dec-1)
	// (within 10 ms: the decimated copies can prefer a neighbouring
	// period of a tone).
	pos, corr := bestLag(seg, x, pos4*dec-sm(10*time.Millisecond), pos4*dec+sm(10*time.Millisecond))
	d := pos - a0
	R.Offset, R.OffsetCorr = d, corr
	if corr < 0.5 {
		R.Problems = append(R.Problems, fmt.Sprintf("the session's first sound was not found in the recording (best normalised correlation %.3f): nothing or something else arrived", corr))
		return R, nil
	}

	// Sample-for-sample comparison in 10 ms blocks at the first event's
	// alignment: where the recording departs from the render.
	blk := sm(10 * time.Millisecond)
	bad, firstBad := 0, -1
	for b := max(0, -d); b+blk <= N && b+d+blk <= M; b += blk {
		var er, ed float64
		for i := b; i < b+blk; i++ {
			er += r[i] * r[i]
			diff := x[i+d] - r[i]
			ed += diff * diff
		}
		if ed > max(0.01*er, float64(blk)*1e-8) { // -20 dB of the block, or -80 dBFS
			bad++
			if firstBad < 0 {
				firstBad = b
			}
		}
	}
	if bad > 0 {
		R.Notes = append(R.Notes, fmt.Sprintf("the recording departs from the render in %d blocks of 10 ms at the first event's alignment, the first at session time %s (a level change, a gap or a shift there; each event is checked at its own alignment)", bad, clock(int(R.ms(firstBad)))))
	}

	checkHums(R, tl, r, x, d)

	// Event by event.
	er, ex := envelope(r, sm(2*time.Millisecond)), envelope(x, sm(2*time.Millisecond))
	shift := sm(o.MaxShift)
	type span struct{ a, b int }
	var spans []span
	for _, e := range tl.Events {
		if e.Sounds() {
			spans = append(spans, span{msToSample(e.StartMs, rate), msToSample(e.StartMs+e.LengthMs, rate)})
		}
	}
	alone := func(a, b, self int) bool {
		for k, s := range spans {
			if k != self && s.a < b && a < s.b {
				return false
			}
		}
		return true
	}
	minRun := sm(time.Millisecond)
	dropAt := map[int]bool{}
	var raw []int // onset error of each result, in samples, before making it relative
	var gains []float64
	lastLag := 0
	si := -1
	for idx, e := range tl.Events {
		if !e.Sounds() {
			continue
		}
		si++
		s := msToSample(e.StartMs, rate)
		n := min(msToSample(e.StartMs+e.LengthMs, rate), N) - s
		res := EventResult{Index: idx, Event: e, At: s, RenderOnset: -1, RecOnset: -1}
		if n <= 0 {
			res.Problems = append(res.Problems, "the event lies beyond the render's end: the render is not of this timeline")
			R.Events = append(R.Events, res)
			raw = append(raw, 0)
			continue
		}
		R.Checked++
		// Local alignment, searched around where the previous event was
		// found.
		a := max(0, s-sm(5*time.Millisecond))
		seg := r[a:min(N, s+min(n, sm(400*time.Millisecond)))]
		if maxAbs(seg, 0, len(seg)) < 4.0/32768 {
			res.Problems = append(res.Problems, "the render is silent here: the render is not of this timeline")
			R.Events = append(R.Events, res)
			raw = append(raw, 0)
			continue
		}
		pos, c := bestLag(seg, x, a+d+lastLag-shift, a+d+lastLag+shift)
		res.Lag, res.Corr = pos-(a+d), c
		if c < 0.8 {
			res.Problems = append(res.Problems, fmt.Sprintf("not found in the recording within ±%v of its place (best correlation %.3f)", o.MaxShift, c))
			res.Lag = lastLag
		} else {
			lastLag = res.Lag
		}
		de := d + res.Lag
		// Onset by threshold, when the event stands out from what is
		// already sounding; else the local alignment is the onset.
		P := maxIn(er, s, s+min(n, sm(time.Second)))
		B := maxIn(er, s-sm(30*time.Millisecond), s)
		errS := res.Lag
		res.Method = "xcorr"
		if P >= 4*B && P > 1e-4 {
			T := max(0.1*P, 2*B)
			on := -1
			for i := max(0, s-sm(30*time.Millisecond)); i < s+n; i++ {
				if er[i] >= T {
					on = i
					break
				}
			}
			back := 0
			for back < shift && s-back-1 >= 0 && er[s-back-1] < T {
				back++
			}
			// The threshold in the recording follows the event's level
			// there, so that a level change does not move the onset.
			Tr := T * max(gainAt(x, r, s, n, de), 0.1)
			// The scan starts one envelope window after the render's
			// last loud sample (at the edge itself when the render is
			// quiet for less than that): right at that edge the two
			// envelopes differ by the recording's rounding alone.
			if w := sm(2 * time.Millisecond); back > w {
				back -= w
			}
			start := max(0, s-back+de)
			onR := -1
			if start < M && ex[start] >= Tr {
				res.Problems = append(res.Problems, fmt.Sprintf("the recording already sounds at the event's level %.1f ms before its start, where the render is quieter: an early, shifted or extra sound", R.ms(back)))
			} else {
				for i := start; i < min(M, s+de+n); i++ {
					if ex[i] >= Tr {
						onR = i
						break
					}
				}
			}
			res.RenderOnset = on
			res.RecOnset = onR
			if on >= 0 && onR >= 0 {
				res.Method = "onset"
				errS = (onR - d) - on
				// The render against the timeline: nothing of the
				// event before its start; and a tone that starts alone
				// crosses its threshold within its attack. (Speech may
				// begin softly: no upper bound for it, nor for a sound
				// that starts with another.)
				bias := R.ms(on - s)
				if bias < -0.05 {
					res.Problems = append(res.Problems, fmt.Sprintf("the render's onset is %.1f ms before the timeline's start: the render is not of this timeline", -bias))
				}
				limit := 20.0
				if e.Kind == "breath" {
					limit = 120
				}
				if e.Kind != "voice" && alone(s, s+min(n, sm(100*time.Millisecond)), si) && bias > limit {
					res.Problems = append(res.Problems, fmt.Sprintf("the render's onset is %.1f ms after the timeline's start: the render is not of this timeline", bias))
				}
			} else if onR < 0 && c >= 0.8 && len(res.Problems) == 0 {
				res.Problems = append(res.Problems, "no onset in the recording: the event did not arrive")
			}
		}
		raw = append(raw, errS)

		// Level, glitches and dropouts within the event, at its own
		// alignment.
		res.Gain = gainAt(x, r, s, n, de)
		if c >= 0.8 {
			gains = append(gains, res.Gain)
		}
		var den float64
		for i := s; i < s+n; i++ {
			den += r[i] * r[i]
		}
		evRMS := math.Sqrt(den / float64(n))
		b5 := sm(5 * time.Millisecond)
		for b := s; b+b5 <= s+n; b += b5 {
			var ed float64
			for i := b; i < b+b5; i++ {
				v := 0.0
				if i+de >= 0 && i+de < M {
					v = x[i+de]
				}
				diff := v - res.Gain*r[i]
				ed += diff * diff
			}
			if rms := math.Sqrt(ed / float64(b5)); rms > 0.1*evRMS && rms > 1e-4 {
				res.Problems = append(res.Problems, fmt.Sprintf("differs from the render %.1f ms into the event (the difference is %.1f dB below the event's level): a dropout or glitch", R.ms(b-s), -db(rms/evRMS)))
				break
			}
		}
		for i := max(s+de, 0); i < min(M, s+n+de); {
			if !silentFrame(rec, i) {
				i++
				continue
			}
			j := i
			for j < min(M, s+n+de) && silentFrame(rec, j) {
				j++
			}
			if j-i >= minRun && maxAbs(r, i-de, j-de) > 4.0/32768 && !dropAt[i] {
				dropAt[i] = true
				res.Problems = append(res.Problems, fmt.Sprintf("dropout: %.1f ms of digital silence %.1f ms into the event where the render has sound", R.ms(j-i), R.ms(i-de-s)))
			}
			i = j
		}

		// Pitch.
		if e.Kind != "voice" {
			t, ok := o.Tones[e.Tone]
			if !ok {
				res.Problems = append(res.Problems, fmt.Sprintf("tone %q has no pitch in the config", e.Tone))
			} else {
				for _, w := range pitchWindows(e, t, s, n, rate) {
					if !alone(w.lo, w.hi, si) {
						continue
					}
					fr := pitch(r, w.lo, w.hi, rate, 0.5*w.want, 1.8*w.want)
					fx := pitch(x, w.lo+de, w.hi+de, rate, 0.5*w.want, 1.8*w.want)
					res.PitchWant = append(res.PitchWant, w.want)
					res.PitchRender = append(res.PitchRender, fr)
					res.PitchRec = append(res.PitchRec, fx)
					R.PitchChecked++
					tol := max(o.PitchTolerance*w.want, 3)
					if math.Abs(fx-w.want) > tol {
						res.Problems = append(res.Problems, fmt.Sprintf("pitch %.1f Hz, want %.1f Hz", fx, w.want))
					}
					if math.Abs(fr-w.want) > tol {
						res.Problems = append(res.Problems, fmt.Sprintf("the render's pitch is %.1f Hz, want %.1f Hz: the config's tones are not those of the render", fr, w.want))
					}
				}
			}
		}
		R.Events = append(R.Events, res)
	}

	// The recording as a whole.
	R.Gain = median(gains)
	if math.Abs(db(R.Gain)) > 1 {
		R.Problems = append(R.Problems, fmt.Sprintf("the recording is %+.2f dB from the render's level", db(R.Gain)))
	}
	lastEnd := 0
	for _, sp := range spans {
		lastEnd = max(lastEnd, min(N, sp.b))
	}
	end := d + lastLag
	if d+first < 0 {
		R.Problems = append(R.Problems, fmt.Sprintf("the recording starts %.1f ms after the first sound did: its start is missing", R.ms(-d-first)))
	}
	if end+lastEnd > M {
		R.Problems = append(R.Problems, fmt.Sprintf("the recording ends %.1f ms before the session's last sound does", R.ms(end+lastEnd-M)))
	}
	quiet := 2.0 / 32768
	if i := firstAbove(x, 0, min(d-sm(time.Millisecond), M), quiet); i >= 0 {
		R.Problems = append(R.Problems, fmt.Sprintf("sound in the recording %.1f ms before the session started", R.ms(d-i)))
	}
	if i := firstAbove(x, max(0, end+N+sm(time.Millisecond)), M, quiet); i >= 0 {
		R.Problems = append(R.Problems, fmt.Sprintf("sound in the recording %.1f ms after the session ended", R.ms(i-end-N)))
	}
	if len(rec.Chans) == 2 {
		worst, at := 0.0, 0
		for i := max(0, d); i < min(M, end+N); i++ {
			if v := math.Abs(rec.Chans[0][i] - rec.Chans[1][i]); v > worst {
				worst, at = v, i
			}
		}
		if worst > 2.0/32768 {
			R.Problems = append(R.Problems, fmt.Sprintf("left and right differ by up to %.1f dBFS (at session time %.1f ms); the mix is the same on both", db(worst), R.ms(at-d)))
		}
	}

	// Onset errors relative to the first event checked; order.
	first = -1
	for i, e := range R.Events {
		if e.Corr > 0 && first < 0 {
			first = i
		}
	}
	if first >= 0 {
		tol := float64(o.OnsetTolerance) / float64(time.Millisecond)
		prevAt, prevPos := -1, -1
		for i := range R.Events {
			e := &R.Events[i]
			if e.Corr == 0 {
				continue
			}
			e.ErrMs = R.ms(raw[i] - raw[first])
			if a := math.Abs(e.ErrMs); a > R.WorstMs || R.Worst < 0 {
				R.WorstMs, R.Worst = a, i
			}
			if math.Abs(e.ErrMs) > tol {
				e.Problems = append(e.Problems, fmt.Sprintf("onset %+.1f ms off the timeline, relative to the first event (tolerance %.0f ms)", e.ErrMs, tol))
			}
			pos := e.At + raw[i]
			if e.At > prevAt && prevAt >= 0 && pos <= prevPos {
				e.Problems = append(e.Problems, "arrived out of order")
			}
			if e.At > prevAt {
				prevAt, prevPos = e.At, pos
			}
		}
	}
	return R, nil
}

type pitchWindow struct {
	lo, hi int
	want   float64
}

// pitchWindows are the stretches of an event whose pitch is known, from
// the tone designs of package audio.
func pitchWindows(e Event, t Tone, s, n, rate int) []pitchWindow {
	ms := func(v float64) int { return int(v * float64(rate) / 1000) }
	mid := (t.Freq + t.FreqEnd) / 2
	switch {
	case e.Kind == "pacing":
		return []pitchWindow{{s, s + min(n, ms(60)), mid}}
	case e.Tone == "pip":
		return []pitchWindow{{s, s + min(n, ms(110)), mid}}
	case e.Tone == "chime":
		return []pitchWindow{{s, s + min(n/3, ms(150)), t.Freq}}
	case e.Tone == "end":
		return []pitchWindow{{s, s + min(n/4, ms(200)), t.Freq}}
	case e.Kind == "breath":
		if n < ms(600) {
			return []pitchWindow{{s + n/4, s + 3*n/4, mid}}
		}
		w := ms(200)
		var out []pitchWindow
		for _, f := range []float64{0.25, 0.75} {
			c := s + int(f*float64(n))
			out = append(out, pitchWindow{c - w/2, c + w/2, t.Freq + (t.FreqEnd-t.Freq)*f})
		}
		return out
	}
	return nil
}

func msToSample(ms, rate int) int { return int(int64(ms) * int64(rate) / 1000) }

func decimate(x []float64, k int) []float64 {
	out := make([]float64, len(x)/k)
	for i := range out {
		s := 0.0
		for _, v := range x[i*k : i*k+k] {
			s += v
		}
		out[i] = s / float64(k)
	}
	return out
}

func firstAbove(x []float64, lo, hi int, lim float64) int {
	for i := max(lo, 0); i < min(hi, len(x)); i++ {
		if math.Abs(x[i]) > lim {
			return i
		}
	}
	return -1
}

func maxAbs(x []float64, lo, hi int) float64 {
	m := 0.0
	for i := max(lo, 0); i < min(hi, len(x)); i++ {
		m = max(m, math.Abs(x[i]))
	}
	return m
}

func silentFrame(a *Audio, i int) bool {
	for _, c := range a.Chans {
		if math.Abs(c[i]) >= 0.5/32768 {
			return false
		}
	}
	return true
}

// gainAt is the least-squares gain of x[i+de] against r[i] over [s, s+n).
func gainAt(x, r []float64, s, n, de int) float64 {
	var num, den float64
	for i := s; i < s+n && i+de < len(x); i++ {
		if i+de >= 0 {
			num += x[i+de] * r[i]
			den += r[i] * r[i]
		}
	}
	if den == 0 {
		return 0
	}
	return num / den
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	w := append([]float64(nil), v...)
	sort.Float64s(w)
	return w[len(w)/2]
}

// humEnd is the end of the wake-up hums that lie wholly before sample
// first (0 if none): the render is silent from there to the first sound.
func humEnd(tl *Timeline, first, rate int) int {
	end := 0
	for _, e := range tl.Events {
		if e.Hum() {
			if to := msToSample(e.StartMs+e.LengthMs, rate); to <= first {
				end = max(end, to)
			}
		}
	}
	return end
}

// checkHums checks each wake-up hum of tl in the recording x at offset d
// from the render r: it arrived (its RMS over its middle within 1 dB of
// the render's, and not digital silence in any 10 ms there) and no louder
// than the event's level. A hum missing would leave a Bluetooth output
// asleep; one too loud would be heard.
func checkHums(R *Report, tl *Timeline, r, x []float64, d int) {
	n, worst := 0, math.Inf(-1)
	for _, e := range tl.Events {
		if !e.Hum() {
			continue
		}
		s, t := msToSample(e.StartMs, R.Rate), msToSample(e.StartMs+e.LengthMs, R.Rate)
		edge := msToSample(100, R.Rate) // the fades
		lo, hi := s+edge, t-edge
		if lo+d < 0 || hi+d > len(x) || hi > len(r) || hi <= lo {
			R.Problems = append(R.Problems, fmt.Sprintf("the wake-up hum at %s lies outside the recording", clock(e.StartMs)))
			continue
		}
		limit := math.Pow(10, e.GainDB/20)
		peak := maxAbs(x, s+d, t+d)
		rmsR, rmsX := rms(r[lo:hi]), rms(x[lo+d:hi+d])
		blk := msToSample(10, R.Rate)
		quiet := false
		for b := lo; b+blk <= hi; b += blk {
			quiet = quiet || maxAbs(x, b+d, b+d+blk) == 0
		}
		switch {
		case rmsR == 0:
			R.Problems = append(R.Problems, fmt.Sprintf("the render has no wake-up hum at %s", clock(e.StartMs)))
		case quiet || rmsX == 0:
			R.Problems = append(R.Problems, fmt.Sprintf("the wake-up hum at %s did not arrive: digital silence in the recording", clock(e.StartMs)))
		case math.Abs(db(rmsX/rmsR)) > 1:
			R.Problems = append(R.Problems, fmt.Sprintf("the wake-up hum at %s arrived at %+.1f dB of the render's level", clock(e.StartMs), db(rmsX/rmsR)))
		case peak > limit*1.06:
			R.Problems = append(R.Problems, fmt.Sprintf("the wake-up hum at %s peaks at %.1f dBFS, above its level %.1f dB", clock(e.StartMs), db(peak), e.GainDB))
		}
		n++
		worst = max(worst, db(peak))
	}
	if n > 0 {
		R.Notes = append(R.Notes, fmt.Sprintf("%d wake-up hum(s) arrived, each not digital silence and within 1 dB of the render, peak %.1f dBFS at most", n, worst))
	}
}

func rms(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}
