package audio

import (
	"math"
	"testing"

	"github.com/cued-dev/cued/sequencer"
)

func rms(x [][2]float64) float64 {
	sum := 0.0
	for _, f := range x {
		sum += f[0] * f[0]
	}
	return math.Sqrt(sum / float64(len(x)))
}

// TestDucking renders a tick under speech and subtracts the speech alone.
func TestDucking(t *testing.T) {
	rate := 44100
	for _, duck := range []float64{-9, -6, -15} {
		clips := fakeClips{"talk": speechLike(2*rate, 0.5, 3)}
		voice := voiceEv("talk", 1000, clips, rate)
		tick := toneEv(sequencer.KindPacing, "tick-up", 2000, 500, -10)
		o := testOptions(rate)
		o.DuckDB = duck
		render := func(evs ...sequencer.Event) [][2]float64 {
			s, err := NewSession(timeline(4000, evs...), clips, o)
			if err != nil {
				t.Fatal(err)
			}
			return renderAll(t, s)
		}
		both, talk, alone := render(voice, tick), render(voice), render(tick)
		a, b := samples(tick.Start, rate), samples(tick.End(), rate)
		diff := make([][2]float64, b-a)
		for i := range diff {
			diff[i][0] = both[a+i][0] - talk[a+i][0]
		}
		got := 20 * math.Log10(rms(diff)/rms(alone[a:b]))
		if math.Abs(got-duck) > 0.5 {
			t.Errorf("tick under speech is %.2f dB, want %g ± 0.5", got, duck)
		}
		// Outside speech, the tick is as loud as alone.
		if d := both[3600*rate/1000][0] - alone[3600*rate/1000][0]; d != 0 {
			t.Errorf("after speech the mix differs by %g", d)
		}
	}
}

func TestDuckRampIsSmooth(t *testing.T) {
	rate := 44100
	clips := fakeClips{"talk": make([]float32, rate)} // silent speech: only the duck shows
	s, err := NewSession(timeline(4000,
		toneEv(sequencer.KindBreath, "hold", 0, 4000, -6),
		voiceEv("talk", 1000, clips, rate),
	), clips, testOptions(rate))
	if err != nil {
		t.Fatal(err)
	}
	out := renderAll(t, s)
	// A 262 Hz tone (with 8% second harmonic) at peak A steps at most
	// A*2*pi*f*1.16/rate between samples; a click would step further.
	limit := dbToGain(-6)*2*math.Pi*262*1.2/float64(rate) + 1e-4
	for i := 1; i < len(out); i++ {
		if d := math.Abs(out[i][0] - out[i-1][0]); d > limit {
			t.Fatalf("step %g at %d", d, i)
		}
	}
	// Fully ducked while the clip plays, fully up again after the ramp.
	at := func(ms int) float64 {
		p := ms * rate / 1000
		return rms(out[p : p+rate/50])
	}
	if g := 20 * math.Log10(at(1500)/at(500)); math.Abs(g+9) > 0.3 {
		t.Errorf("ducked level %g dB, want -9", g)
	}
	if g := 20 * math.Log10(at(2100)/at(500)); math.Abs(g) > 0.3 {
		t.Errorf("after the ramp %g dB, want 0", g)
	}
}
