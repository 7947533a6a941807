package audio

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cued-dev/cued/sequencer"
	"github.com/gopxl/beep/v2"
)

// separated is a timeline where every sound has silence around it, so
// that onsets and ends can be read off the render.
func separated(rate int) (*sequencer.Timeline, fakeClips) {
	clips := fakeClips{"hello": speechLike(rate/2, 0.8, 1), "short": speechLike(rate/50, 0.8, 2)}
	return timeline(9000,
		toneEv(sequencer.KindPacing, "tick-up", 101, 500, -22),
		toneEv(sequencer.KindPacing, "tick-down", 701, 500, 0),
		toneEv(sequencer.KindTone, "pip", 1303, 500, -16),
		toneEv(sequencer.KindTone, "chime", 1907, 1500, -14),
		toneEv(sequencer.KindBreath, "inhale", 3511, 700, -20),
		toneEv(sequencer.KindBreath, "exhale", 4313, 650, 0),
		toneEv(sequencer.KindBreath, "hold", 5017, 333, -28),
		toneEv(sequencer.KindBreath, "return", 5419, 301, -28),
		voiceEv("hello", 5821, clips, rate),
		voiceEv("short", 6523, clips, rate),
		toneEv(sequencer.KindTone, "end", 6601, 2300, -12),
		mark(0, "start"), mark(3511, "breath"),
	), clips
}

func TestOnsetsAndEnds(t *testing.T) {
	for _, rate := range []int{44100, 48000} {
		tl, clips := separated(rate)
		s, err := NewSession(tl, clips, testOptions(rate))
		if err != nil {
			t.Fatal(err)
		}
		out := renderAll(t, s)
		for _, e := range tl.Events {
			if e.Kind == sequencer.KindMark {
				continue
			}
			start := samples(e.Start, rate)
			end := start + samples(e.Length, rate)
			if e.Kind == sequencer.KindVoice {
				end = start + len(clips[e.Cue])
			}
			// The first nonzero sample: every sound starts from exactly 0 at
			// its first sample, so this is start+1.
			first, last, audible := -1, -1, -1
			for i := start - rate/20; i < end+rate/20; i++ {
				if out[i][0] != 0 {
					if first < 0 {
						first = i
					}
					last = i
				}
				if audible < 0 && math.Abs(out[i][0]) > 1e-3*dbToGain(e.GainDB) {
					audible = i
				}
			}
			// Audible within its attack ramp (5 ms; 80 ms for breath).
			ramp := rate / 200
			if e.Kind == sequencer.KindBreath {
				ramp = rate * 80 / 1000
			}
			if audible < start || audible > start+ramp {
				t.Errorf("%d Hz: %s %s%s at %v: audible from sample %d, want within %d samples of %d",
					rate, e.Kind, e.Tone, e.Cue, e.Start, audible, ramp, start)
			}
			if first < start-1 || first > start+1 {
				t.Errorf("%d Hz: %s %s%s at %v: first sound at sample %d, want %d±1",
					rate, e.Kind, e.Tone, e.Cue, e.Start, first, start)
			}
			if last >= end {
				t.Errorf("%d Hz: %s %s%s: sound at sample %d, after the event's end %d", rate, e.Kind, e.Tone, e.Cue, last, end)
			}
			if e.Kind == sequencer.KindBreath && last < end-3 {
				t.Errorf("%d Hz: breath %s ends at %d, want the whole phase (to %d)", rate, e.Tone, last, end)
			}
			if e.Kind == sequencer.KindVoice && last < end-3 {
				t.Errorf("%d Hz: clip %s ends at %d, want it whole (to %d)", rate, e.Cue, last, end)
			}
		}
	}
}

// TestToneEdges checks every design at several lengths: first and last
// samples exactly 0, peak exactly the level, no longer than the event.
func TestToneEdges(t *testing.T) {
	for name, tone := range testTones() {
		for _, kind := range []sequencer.Kind{sequencer.KindTone, sequencer.KindPacing, sequencer.KindBreath} {
			for _, n := range []int{1, 2, 3, 10, 200, 441, 4410, 44100, 200000} {
				b := synthTone(designFor(kind, name), tone, n, 44100, 0.5)
				if len(b) > n {
					t.Fatalf("%s/%s n=%d: %d samples", kind, name, n, len(b))
				}
				if len(b) > 0 && (b[0] != 0 || b[len(b)-1] != 0) {
					t.Errorf("%s/%s n=%d: edges %g, %g; want 0", kind, name, n, b[0], b[len(b)-1])
				}
				peak := float32(0)
				for _, v := range b {
					peak = max(peak, float32(math.Abs(float64(v))))
				}
				if n >= 10 && math.Abs(float64(peak)-0.5) > 1e-6 {
					t.Errorf("%s/%s n=%d: peak %g, want 0.5", kind, name, n, peak)
				}
			}
		}
	}
	if designFor(sequencer.KindTone, "whistle") == nil || designFor(sequencer.KindPacing, "x") == nil {
		t.Fatal("no fallback design")
	}
}

// TestNoDiscontinuities checks the sample-to-sample step around every
// event edge, with loud tones and a clip that starts and ends at half
// scale.
func TestNoDiscontinuities(t *testing.T) {
	rate := 44100
	tl, clips := separated(rate)
	for i := range tl.Events {
		tl.Events[i].GainDB = 0
	}
	clips["hello"][0], clips["hello"][len(clips["hello"])-1] = 0.5, -0.5
	s, err := NewSession(tl, clips, testOptions(rate))
	if err != nil {
		t.Fatal(err)
	}
	out := renderAll(t, s)
	for _, e := range tl.Events {
		if e.Kind == sequencer.KindMark {
			continue
		}
		start := samples(e.Start, rate)
		end := start + samples(e.Length, rate)
		if e.Kind == sequencer.KindVoice {
			end = start + len(clips[e.Cue])
		}
		for _, b := range []int{start, end} {
			for i := b - 4; i < b+4; i++ {
				if d := math.Abs(out[i+1][0] - out[i][0]); d > 0.01 {
					t.Errorf("%s %s%s: step %g at sample %d (edge %d)", e.Kind, e.Tone, e.Cue, d, i, b)
				}
			}
		}
	}
}

// TestNeverClips overlaps loud sounds on purpose.
func TestNeverClips(t *testing.T) {
	rate := 44100
	clips := fakeClips{"loud": make([]float32, rate)}
	for i := range clips["loud"] {
		clips["loud"][i] = float32(math.Copysign(1, math.Sin(2*math.Pi*150*float64(i)/float64(rate))))
	}
	tl := timeline(3000,
		voiceEv("loud", 100, clips, rate),
		toneEv(sequencer.KindBreath, "inhale", 0, 3000, 0),
		toneEv(sequencer.KindTone, "chime", 200, 1500, 0),
		toneEv(sequencer.KindTone, "pip", 300, 1000, 0),
		toneEv(sequencer.KindTone, "end", 400, 2500, 6),
		toneEv(sequencer.KindPacing, "tick-up", 500, 800, 0),
		toneEv(sequencer.KindPacing, "tick-down", 1300, 800, 0),
	)
	o := testOptions(rate)
	o.Volume.Voice = 6
	o.DuckDB = 0
	s, err := NewSession(tl, clips, o)
	if err != nil {
		t.Fatal(err)
	}
	peak := 0.0
	for _, f := range renderAll(t, s) {
		peak = max(peak, math.Abs(f[0]), math.Abs(f[1]))
	}
	if peak >= float64(kneeC) || peak < 0.8 {
		t.Fatalf("peak %g, want below %g (-1 dBFS) and limited, not silent", peak, kneeC)
	}
}

func TestKnee(t *testing.T) {
	prev := float32(0)
	for x := float32(0); x < 50; x += 0.001 {
		y := x
		if x > kneeT {
			y = knee(x)
		}
		if y < prev || y >= kneeC || (x > kneeT && knee(-x) != -knee(x)) {
			t.Fatalf("knee(%g) = %g after %g", x, y, prev)
		}
		prev = y
	}
}

func TestChunkedEqualsWhole(t *testing.T) {
	tl, clips := realistic(44100)
	tl.Events = tl.Events[:60] // the first minute or so is plenty
	s, err := NewSession(tl, clips, testOptions(44100))
	if err != nil {
		t.Fatal(err)
	}
	whole := renderAll(t, s)
	for _, size := range []int{479, 1, 7, 512, 1023, 1024, 1025, 4096, 44100} {
		if size == 1 {
			_ = s.Seek(len(whole) - 20000) // one sample at a time: the tail only
		} else {
			_ = s.Seek(0)
		}
		from := s.Position()
		buf := make([][2]float64, size)
		for at := from; ; {
			n, ok := s.Stream(buf)
			for i := range n {
				if buf[i] != whole[at+i] {
					t.Fatalf("chunk %d: sample %d = %v, whole render has %v", size, at+i, buf[i], whole[at+i])
				}
			}
			at += n
			if !ok {
				if at != len(whole) {
					t.Fatalf("chunk %d: ended at %d of %d", size, at, len(whole))
				}
				break
			}
		}
	}
}

func TestSeekMatchesRender(t *testing.T) {
	tl, clips := realistic(48000)
	s, err := NewSession(tl, clips, testOptions(48000))
	if err != nil {
		t.Fatal(err)
	}
	whole := renderAll(t, s)
	var ps []int
	for _, e := range tl.Events {
		p := samples(e.Start, 48000)
		// the start, inside the attack, mid-event, around the duck ramp.
		ps = append(ps, p, p-1, p+1, p+7, p+samples(e.Length, 48000)/2, p-1440, p-700, p+1439)
	}
	for _, sg := range s.stretches {
		ps = append(ps, sg.start, sg.end-1)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		ps = append(ps, r.IntN(s.Len()))
	}
	ps = append(ps, 0, s.Len()-1)
	buf := make([][2]float64, 2000)
	for _, p := range ps {
		if p < 0 || p >= s.Len() {
			continue
		}
		if err := s.Seek(p); err != nil {
			t.Fatal(err)
		}
		n, _ := s.Stream(buf[:r.IntN(len(buf))+1])
		for i := range n {
			if buf[i] != whole[p+i] {
				t.Fatalf("after Seek(%d): sample %d = %v, full render has %v", p, p+i, buf[i], whole[p+i])
			}
		}
		if s.Position() != p+n {
			t.Fatalf("position %d after streaming %d from %d", s.Position(), n, p)
		}
	}
	if err := s.Seek(-1); err == nil || s.Seek(s.Len()+1) == nil {
		t.Fatal("seek outside the session accepted")
	}
	if err := s.Seek(s.Len()); err != nil {
		t.Fatal(err)
	}
	if n, ok := s.Stream(buf); n != 0 || ok {
		t.Fatalf("at the end: Stream = %d, %v", n, ok)
	}
}

func TestPauseLosesNothing(t *testing.T) {
	tl, clips := separated(44100)
	s, err := NewSession(tl, clips, testOptions(44100))
	if err != nil {
		t.Fatal(err)
	}
	whole := renderAll(t, s)
	_ = s.Seek(0)
	ctrl := &beep.Ctrl{Streamer: s}
	var got [][2]float64
	buf := make([][2]float64, 512)
	for i := 0; ; i++ {
		ctrl.Paused = i%5 == 3 || i%7 == 2
		n, ok := ctrl.Stream(buf)
		if ctrl.Paused {
			for _, f := range buf[:n] {
				if f != [2]float64{} {
					t.Fatal("sound while paused")
				}
			}
			continue
		}
		got = append(got, buf[:n]...)
		if !ok {
			break
		}
	}
	if len(got) != len(whole) {
		t.Fatalf("%d samples with pauses, %d without", len(got), len(whole))
	}
	for i := range got {
		if got[i] != whole[i] {
			t.Fatalf("sample %d differs after pauses", i)
		}
	}
}

func TestStreamDoesNotAllocate(t *testing.T) {
	tl, clips := realistic(44100)
	s, err := NewSession(tl, clips, testOptions(44100))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([][2]float64, 512)
	r := rand.New(rand.NewPCG(3, 4))
	allocs := testing.AllocsPerRun(2000, func() {
		if s.Position() > s.Len()-len(buf) {
			_ = s.Seek(0)
		}
		s.Stream(buf)
	})
	seeks := testing.AllocsPerRun(200, func() {
		_ = s.Seek(r.IntN(s.Len()))
		s.Stream(buf)
	})
	if allocs != 0 || seeks != 0 {
		t.Fatalf("allocations per Stream: %g, per Seek+Stream: %g", allocs, seeks)
	}
}

// TestIndex: NewIndex lays out a timeline's marks and length as
// NewSession does, at both rates.
func TestIndex(t *testing.T) {
	for _, rate := range []int{44100, 48000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			tl, clips := realistic(rate)
			s, err := NewSession(tl, clips, testOptions(rate))
			if err != nil {
				t.Fatal(err)
			}
			x := NewIndex(tl, rate)
			if x.Len() != s.Len() || !slices.Equal(x.Marks(), s.Marks()) || len(x.Marks()) == 0 {
				t.Fatalf("NewIndex: length %d, marks %v; NewSession: %d, %v", x.Len(), x.Marks(), s.Len(), s.Marks())
			}
			for _, p := range []int{0, x.Marks()[0], x.Len() / 2, x.Len()} {
				if x.Prev(p) != s.Prev(p) {
					t.Errorf("Prev(%d): %d, session %d", p, x.Prev(p), s.Prev(p))
				}
			}
		})
	}
}

// TestCheck: Check refuses what NewSession refuses, and passes what it
// builds.
func TestCheck(t *testing.T) {
	tl, clips := realistic(44100)
	o := testOptions(44100)
	if err := Check(tl, clips, o); err != nil {
		t.Fatalf("Check of a good session: %v", err)
	}
	bad := map[string]func() (*sequencer.Timeline, Clips, Options){
		"no clip": func() (*sequencer.Timeline, Clips, Options) { return tl, fakeClips{}, o },
		"no pitch": func() (*sequencer.Timeline, Clips, Options) {
			o2 := o
			o2.Tones = map[string]Tone{}
			return tl, clips, o2
		},
		"bad rate": func() (*sequencer.Timeline, Clips, Options) { o2 := o; o2.Rate = 1; return tl, clips, o2 },
	}
	for name, f := range bad {
		t.Run(name, func(t *testing.T) {
			tl, c, o := f()
			_, want := NewSession(tl, c, o)
			if err := Check(tl, c, o); err == nil || want == nil || err.Error() != want.Error() {
				t.Errorf("Check: %v; NewSession: %v", err, want)
			}
		})
	}
}

// TestVolume: each kind of sound moves by master plus its own level, the
// wake-up hum by none, and 0 dB everywhere is the mix as designed.
func TestVolume(t *testing.T) {
	const rate = 8000
	clips := fakeClips{"cue": speechLike(rate/2, 0.5, 7)}
	o := testOptions(rate)
	o.DuckDB = 0
	o.Tones[sequencer.ToneWake] = Tone{30, 30}
	// One event of each kind, apart: [start, end) in ms.
	tl := timeline(6000,
		voiceEv("cue", 100, clips, rate),
		toneEv(sequencer.KindPacing, "tick-up", 1000, 500, -6),
		toneEv(sequencer.KindTone, "chime", 2000, 1000, -6),
		toneEv(sequencer.KindBreath, "inhale", 3000, 1000, -6),
		toneEv(sequencer.KindWake, sequencer.ToneWake, 4500, 1000, -50),
	)
	spans := map[string][2]int{"voice": {100, 600}, "pacing": {1000, 1500}, "signals": {2000, 3000}, "breath": {3000, 4000}, "wake": {4500, 5500}}
	render := func(v Volume) [][2]float64 {
		o := o
		o.Volume = v
		s, err := NewSession(tl, clips, o)
		if err != nil {
			t.Fatal(err)
		}
		return renderAll(t, s)
	}
	base := render(Volume{})
	for _, c := range []struct {
		name string
		v    Volume
		want map[string]float64 // dB of each span against base
	}{
		{"zero", Volume{}, map[string]float64{"voice": 0, "pacing": 0, "signals": 0, "breath": 0, "wake": 0}},
		{"master", Volume{Master: -6}, map[string]float64{"voice": -6, "pacing": -6, "signals": -6, "breath": -6, "wake": 0}},
		{"kinds", Volume{Master: -3, Voice: 3, Pacing: -9, Signals: -20, Breath: 6}, map[string]float64{"voice": 0, "pacing": -12, "signals": -23, "breath": 3, "wake": 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := render(c.v)
			for name, want := range c.want {
				sp := spans[name]
				var num, den float64
				for i := sp[0] * rate / 1000; i < sp[1]*rate/1000; i++ {
					num += got[i][0] * got[i][0]
					den += base[i][0] * base[i][0]
				}
				if den == 0 {
					t.Fatalf("%s: silent in the base mix", name)
				}
				if db := 10 * math.Log10(num/den); math.Abs(db-want) > 0.01 {
					t.Errorf("%s moved %+.3f dB, want %+.1f", name, db, want)
				}
			}
		})
	}
	if err := (Volume{Voice: 13}).Check(); !errors.Is(err, ErrVolume) {
		t.Errorf("voice +13 dB: %v, want ErrVolume", err)
	}
}
