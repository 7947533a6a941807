package soundcheck

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const rate = 44100

var testTones = map[string]Tone{
	"chime":     {660, 990},
	"pip":       {1000, 1000},
	"tick-up":   {520, 520},
	"tick-down": {390, 390},
	"inhale":    {220, 330},
	"exhale":    {330, 196},
	"hold":      {262, 262},
	"end":       {523, 784},
}

// testTimeline has every kind of event: a chime, speech, ticks (one under
// speech), pips, breath phases back to back, the end chime under speech.
func testTimeline() *Timeline {
	ev := func(start, length int, kind, name string, gain float64, ducked bool) Event {
		e := Event{StartMs: start, LengthMs: length, Kind: kind, GainDB: gain, Ducked: ducked}
		if kind == "voice" {
			e.Cue = name
		} else if kind == "mark" {
			e.Label = name
		} else {
			e.Tone = name
		}
		return e
	}
	return &Timeline{Routine: "synthetic", LengthMs: 12000, Events: []Event{
		ev(300, 0, "mark", "part 1/2", 0, false),
		ev(300, 700, "tone", "chime", -14, false),
		ev(1300, 1200, "voice", "a-cue", 0, false),
		ev(2600, 90, "pacing", "tick-up", -22, false),
		ev(3100, 90, "pacing", "tick-down", -31, true),
		ev(3100, 600, "voice", "word-halfway", 0, false),
		ev(3800, 90, "pacing", "tick-up", -22, false),
		ev(4300, 150, "tone", "pip", -16, false),
		ev(4800, 150, "tone", "pip", -16, false),
		ev(5300, 0, "mark", "part 2/2", 0, false),
		ev(5300, 700, "tone", "chime", -14, false),
		ev(6100, 3000, "breath", "inhale", -20, false),
		ev(9100, 1000, "breath", "exhale", -20, false),
		ev(10100, 500, "breath", "hold", -28, false),
		ev(10000, 1500, "tone", "end", -12, true),
		ev(10700, 800, "voice", "word-complete", 0, false),
	}}
}

// synth renders tl: simple stand-ins for the mixer's sounds with the
// same pitches where the analysis measures them.
func synth(tl *Timeline) []float64 {
	out := make([]float64, tl.LengthMs*rate/1000)
	for k, e := range tl.Events {
		if !e.Sounds() {
			continue
		}
		s, n := msToSample(e.StartMs, rate), msToSample(e.StartMs+e.LengthMs, rate)-msToSample(e.StartMs, rate)
		amp := math.Pow(10, e.GainDB/20)
		t := testTones[e.Tone]
		ph := 0.0
		for i := 0; i < n && s+i < len(out); i++ {
			x := float64(i) / rate
			f := t.Freq + (t.FreqEnd-t.Freq)*float64(i)/float64(n)
			env := math.Min(1, float64(i)/(0.005*rate)) * math.Min(1, float64(n-i)/(0.01*rate))
			var v float64
			switch {
			case e.Kind == "voice":
				f = 150 + 20*math.Sin(2*math.Pi*0.7*x+float64(k))
				ph += 2 * math.Pi * f / rate
				for h := 1.0; h <= 6; h++ {
					v += math.Sin(h*ph) / h
				}
				v *= 0.35 * (0.6 + 0.4*math.Sin(2*math.Pi*4*x))
			case e.Tone == "chime" || e.Tone == "end":
				split := int(0.16 * rate)
				if e.Tone == "end" {
					split = int(0.22 * rate)
				}
				f = t.Freq
				if i >= split {
					f = t.FreqEnd
				}
				ph += 2 * math.Pi * f / rate
				v = amp * math.Sin(ph) * math.Exp(-x/0.4)
			default:
				ph += 2 * math.Pi * f / rate
				v = amp * math.Sin(ph)
			}
			out[s+i] += v * env
		}
	}
	return out
}

func quantised(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(Quantise(v)) / 32768
	}
	return out
}

func stereo(x []float64) *Audio {
	return &Audio{Rate: rate, Bits: 16, Chans: [][]float64{x, append([]float64(nil), x...)}}
}

// recording puts x after pre ms of digital silence and before post ms.
func recording(x []float64, pre, post int) []float64 {
	out := make([]float64, pre*rate/1000, pre*rate/1000+len(x)+post*rate/1000)
	out = append(out, x...)
	return append(out, make([]float64, post*rate/1000)...)
}

func compare(t *testing.T, tl *Timeline, ren, rec []float64) *Report {
	t.Helper()
	r, err := Compare(tl, stereo(ren), stereo(rec), Options{Tones: testTones})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustPass(t *testing.T, r *Report) {
	t.Helper()
	if !r.OK() {
		t.Fatalf("want a pass, got:\n%s", r)
	}
}

// mustFail checks that the report fails and that some problem mentions
// every one of words.
func mustFail(t *testing.T, r *Report, words ...string) {
	t.Helper()
	if r.OK() {
		t.Fatalf("want a failure, got a pass:\n%s", r)
	}
	all := strings.Join(r.AllProblems(), "\n")
	for _, w := range words {
		if !strings.Contains(all, w) {
			t.Errorf("no problem mentions %q; problems:\n%s", w, all)
		}
	}
}

func TestIdenticalPasses(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	r := compare(t, tl, ren, recording(ren, 700, 300))
	mustPass(t, r)
	if want := 700 * rate / 1000; r.Offset != want {
		t.Errorf("offset %d, want %d", r.Offset, want)
	}
	if r.WorstMs != 0 {
		t.Errorf("worst onset error %v ms, want 0", r.WorstMs)
	}
	if r.Checked != 14 {
		t.Errorf("checked %d events, want 14", r.Checked)
	}
	if r.PitchChecked < 8 {
		t.Errorf("only %d pitch windows checked", r.PitchChecked)
	}
}

func TestGainAndNoisePass(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := recording(ren, 100, 100)
	seed := uint32(1)
	for i := range rec {
		seed = seed*1664525 + 1013904223
		rec[i] = math.Round((rec[i]*0.95+float64(int(seed>>30)-1)/32768)*32768) / 32768
	}
	r := compare(t, tl, ren, rec)
	mustPass(t, r)
}

// shiftAfter inserts gap ms of silence into x just before ms at.
func shiftAfter(x []float64, at, gap int) []float64 {
	i := at * rate / 1000
	out := append([]float64(nil), x[:i]...)
	out = append(out, make([]float64, gap*rate/1000)...)
	return append(out, x[i:]...)
}

func TestSmallShiftPasses(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	r := compare(t, tl, ren, recording(shiftAfter(ren, 5200, 6), 200, 200))
	mustPass(t, r)
	if r.WorstMs < 5.9 || r.WorstMs > 6.1 {
		t.Errorf("worst onset error %.2f ms, want 6", r.WorstMs)
	}
}

func TestShiftFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	r := compare(t, tl, ren, recording(shiftAfter(ren, 5200, 15), 200, 200))
	mustFail(t, r, "chime at 0:05.300: onset +15.0 ms off the timeline")
	if r.WorstMs < 14.9 || r.WorstMs > 15.1 {
		t.Errorf("worst onset error %.2f ms, want 15", r.WorstMs)
	}
}

func TestEarlyEventFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	// The first pip arrives 20 ms early.
	rec := append([]float64(nil), ren...)
	s, n := 4300*rate/1000, 150*rate/1000
	d := 20 * rate / 1000
	copy(rec[s-d:], ren[s:s+n])
	for i := s - d + n; i < s+n; i++ {
		rec[i] = 0
	}
	r := compare(t, tl, ren, recording(rec, 200, 200))
	mustFail(t, r, "pip at 0:04.300: onset -20.0 ms")
}

func TestDropoutFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := append([]float64(nil), ren...)
	// 10 ms of digital silence in the middle of the speech.
	for i := 1800 * rate / 1000; i < 1810*rate/1000; i++ {
		rec[i] = 0
	}
	r := compare(t, tl, ren, recording(rec, 200, 200))
	mustFail(t, r, "a-cue at 0:01.300: dropout: 10.0 ms of digital silence 500.0 ms into the event", "a-cue at 0:01.300: differs from the render 498.9 ms into the event")
}

func TestGlitchFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := append([]float64(nil), ren...)
	// 5 ms of the inhale repeated (a buffer played twice), no silence.
	s := 7000 * rate / 1000
	k := 5 * rate / 1000
	rec = append(rec[:s+k:s+k], rec[s:]...)
	r := compare(t, tl, ren, recording(rec, 200, 200))
	mustFail(t, r, "inhale at 0:06.100: differs from the render")
}

func TestClippingFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := make([]float64, len(ren))
	for i, v := range ren {
		rec[i] = float64(Quantise(v*4)) / 32768
	}
	r := compare(t, tl, ren, recording(rec, 200, 200))
	mustFail(t, r, "at full scale: clipping", "above the mixer's -1 dBFS ceiling")
}

func TestMissingEventFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := append([]float64(nil), ren...)
	for i := 4800 * rate / 1000; i < 4950*rate/1000; i++ {
		rec[i] = 0
	}
	r := compare(t, tl, ren, recording(rec, 200, 200))
	mustFail(t, r, "pip at 0:04.800: not found in the recording")
}

func TestTruncatedFirstEventFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := append([]float64(nil), ren...)
	// The device swallowed the first 40 ms of the first sound.
	for i := 0; i < 340*rate/1000; i++ {
		rec[i] = 0
	}
	r := compare(t, tl, ren, recording(rec, 200, 200))
	mustFail(t, r, "chime at 0:00.300")
}

func TestMissingStartFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	r := compare(t, tl, ren, recording(ren[310*rate/1000:], 0, 200))
	mustFail(t, r, "its start is missing")
	// Most of the first sound missing: it is not recognised any more, but
	// the recording fails.
	mustFail(t, compare(t, tl, ren, recording(ren[350*rate/1000:], 0, 200)))
	// A recording that starts in the silence before the first sound is
	// whole.
	mustPass(t, compare(t, tl, ren, recording(ren[250*rate/1000:], 0, 200)))
}

// resample plays x k times too fast, by linear interpolation.
func resample(x []float64, k float64) []float64 {
	out := make([]float64, int(float64(len(x))/k))
	for i := range out {
		p := float64(i) * k
		j := int(p)
		if j+1 < len(x) {
			out[i] = x[j] + (x[j+1]-x[j])*(p-float64(j))
		}
	}
	return out
}

func TestWrongRateFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	// Played at 48000 Hz instead of 44100: nothing matches.
	r := compare(t, tl, ren, recording(resample(ren, 48000.0/44100), 200, 200))
	mustFail(t, r, "not found in the recording")
	// 0.2 % fast: the pitch is still within 3 %, but the clock drifts
	// by 2 ms a second and the last events are more than 10 ms early.
	r = compare(t, tl, ren, recording(resample(ren, 1.002), 200, 200))
	mustFail(t, r, "word-complete at 0:10.700: onset -")
}

func TestExtraSoundFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := recording(ren, 500, 200)
	for i := 0; i < 2000; i++ {
		rec[1000+i] = 0.1 * math.Sin(float64(i)/5)
	}
	r := compare(t, tl, ren, rec)
	mustFail(t, r, "before the session started")
}

func TestLeftRightDifferFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := stereo(recording(ren, 200, 200))
	for i := range rec.Chans[1] {
		rec.Chans[1][i] = 0
	}
	r, err := Compare(tl, stereo(ren), rec, Options{Tones: testTones})
	if err != nil {
		t.Fatal(err)
	}
	mustFail(t, r, "left and right differ")
}

func TestNothingArrivedFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	r := compare(t, tl, ren, make([]float64, len(ren)+rate))
	mustFail(t, r, "not found in the recording")
}

func TestWAVRoundTrip(t *testing.T) {
	x := []float64{0, 0.5, -0.5, 32767.0 / 32768, -1}
	var b bytes.Buffer
	if err := WriteWAV16(&b, rate, x, x); err != nil {
		t.Fatal(err)
	}
	a, err := ParseWAV(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != rate || len(a.Chans) != 2 || a.Len() != len(x) {
		t.Fatalf("got %d Hz, %d channels, %d frames", a.Rate, len(a.Chans), a.Len())
	}
	for i, v := range a.Chans[1] {
		if want := float64(Quantise(x[i])) / 32768; v != want {
			t.Errorf("frame %d: %v, want %v", i, v, want)
		}
	}
	// A header that says "unknown size" is read to the end.
	raw := b.Bytes()
	raw[40], raw[41], raw[42], raw[43] = 0xff, 0xff, 0xff, 0xff
	if a, err = ParseWAV(raw); err != nil || a.Len() != len(x) {
		t.Fatalf("unknown size: %v, %d frames", err, a.Len())
	}
}

func TestXcorrMatchesDirect(t *testing.T) {
	a := []float64{1, -2, 3, 0.5}
	b := make([]float64, 50)
	for i := range b {
		b[i] = math.Sin(float64(i) * 0.7)
	}
	f, d := xcorr(a, b, -3, 40), xcorrDirect(a, b, -3, 40)
	for k := range d {
		if math.Abs(f[k]-d[k]) > 1e-9 {
			t.Fatalf("lag %d: fft %v, direct %v", k-3, f[k], d[k])
		}
	}
}

func TestPitch(t *testing.T) {
	for _, f := range []float64{196, 262, 390, 520, 1000} {
		x := make([]float64, rate/10)
		for i := range x {
			x[i] = math.Sin(2*math.Pi*f*float64(i)/rate) + 0.2*math.Sin(4*math.Pi*f*float64(i)/rate)
		}
		if got := pitch(x, 0, len(x), rate, f/2, 1.8*f); math.Abs(got-f) > 0.5 {
			t.Errorf("pitch of %v Hz: %v", f, got)
		}
		if got := pitch(x, 0, rate*60/1000, rate, f/2, 1.8*f); math.Abs(got-f) > 2 {
			t.Errorf("pitch of %v Hz over 60 ms: %v", f, got)
		}
	}
	_ = time.Millisecond
}

func TestWrongTimelineFails(t *testing.T) {
	tl := testTimeline()
	ren := quantised(synth(tl))
	rec := recording(ren, 200, 200)
	for _, shift := range []int{-40, 40} {
		tl2 := testTimeline()
		for i := range tl2.Events {
			tl2.Events[i].StartMs += shift
		}
		r := compare(t, tl2, ren, rec)
		mustFail(t, r, "the render is not of this timeline")
	}
	// One tone moved by 30 ms in the timeline only.
	tl2 := testTimeline()
	tl2.Events[7].StartMs -= 30
	mustFail(t, compare(t, tl2, ren, rec), "pip at 0:04.270: the render's onset is 31.2 ms after the timeline's start")
}

// withHum is testTimeline with a wake-up hum in its lead-in, rendered as
// a 30 Hz sine at -50 dB: the render, and the sample range the hum holds.
func withHum() (*Timeline, []float64, int, int) {
	tl := testTimeline()
	tl.Events = append([]Event{{StartMs: 0, LengthMs: 300, Kind: "wake", Tone: "wake", GainDB: -50}}, tl.Events...)
	ren := synth(tl)
	from, to := 0, msToSample(300, rate)
	amp := math.Pow(10, -50.0/20)
	for i := from; i < to; i++ {
		env := math.Min(1, math.Min(float64(i-from), float64(to-1-i))/(0.1*rate))
		ren[i] += amp * env * math.Sin(2*math.Pi*30*float64(i)/rate)
	}
	return tl, quantised(ren), from, to
}

func TestHum(t *testing.T) {
	tl, ren, from, to := withHum()
	pre := 700 * rate / 1000
	t.Run("arrived", func(t *testing.T) {
		r := compare(t, tl, ren, recording(ren, 700, 300))
		mustPass(t, r)
		if !strings.Contains(strings.Join(r.Notes, "\n"), "1 wake-up hum(s) arrived") {
			t.Errorf("no note of the hum: %q", r.Notes)
		}
	})
	t.Run("missing", func(t *testing.T) {
		rec := recording(ren, 700, 300)
		clear(rec[pre+from : pre+to])
		mustFail(t, compare(t, tl, ren, rec), "wake-up hum", "did not arrive")
	})
	t.Run("louder", func(t *testing.T) {
		rec := recording(ren, 700, 300)
		for i := pre + from; i < pre+to; i++ {
			rec[i] *= 2
		}
		mustFail(t, compare(t, tl, ren, rec), "wake-up hum", "arrived at +6.0 dB")
	})
}

func TestClockStaysRightAfterAPause(t *testing.T) {
	// 100 frames a second in chunks of 10, the first arriving 5 ms late;
	// then the monitor pauses for 0.5 s at frame 50 and goes on.
	path := filepath.Join(t.TempDir(), "rec.wav.clock")
	var b strings.Builder
	for f := 10; f <= 200; f += 10 {
		at := 100 + float64(f)/100 + 0.005
		if f > 50 {
			at += 0.5
		}
		fmt.Fprintf(&b, "%d %.6f\n", f, at)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ReadClock(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		frame int
		want  float64
	}{{0, 100.005}, {45, 100.455}, {60, 101.105}, {150, 102.005}} {
		t.Run(fmt.Sprint(tc.frame), func(t *testing.T) {
			if got := c.Wall(tc.frame); math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("Wall(%d) = %.6f, want %.6f", tc.frame, got, tc.want)
			}
		})
	}
	if got := c.Wall(500); !math.IsNaN(got) {
		t.Errorf("Wall past the last chunk = %v, want NaN", got)
	}
}
