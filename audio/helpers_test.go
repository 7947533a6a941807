package audio

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

// fakeClips is a voice bank of synthetic clips.
type fakeClips map[string][]float32

func (f fakeClips) Clip(id string) ([]float32, bool) {
	c, ok := f[id]
	return c, ok
}

// speechLike returns n samples of a deterministic "voice": noise shaped by
// a syllable-rate envelope, peaking at about peak, nonzero from sample 0.
func speechLike(n int, peak float64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	c := make([]float32, n)
	for i := range c {
		env := 0.55 + 0.45*math.Sin(2*math.Pi*4*float64(i)/44100)
		c[i] = float32(peak * env * (r.Float64()*2 - 1))
	}
	if n > 0 {
		c[0] = float32(peak / 2)
	}
	return c
}

// testTones are the pitches of config.yaml.
func testTones() map[string]Tone {
	return map[string]Tone{
		"chime": {660, 990}, "pip": {1000, 1000}, "tick-up": {520, 520}, "tick-down": {390, 390},
		"inhale": {220, 330}, "exhale": {330, 196}, "hold": {262, 262}, "return": {196, 220},
		"end": {523, 784},
	}
}

func testOptions(rate int) Options {
	return Options{Rate: rate, DuckDB: -9, Tones: testTones()}
}

func msd(v int) time.Duration { return time.Duration(v) * time.Millisecond }

// toneEv and voiceEv build events.
func toneEv(kind sequencer.Kind, name string, start, length int, gain float64) sequencer.Event {
	return sequencer.Event{Start: msd(start), Length: msd(length), Kind: kind, Tone: name, GainDB: gain}
}

func voiceEv(cue string, start int, clips fakeClips, rate int) sequencer.Event {
	n := len(clips[cue])
	l := (int64(n)*1000 + int64(rate) - 1) / int64(rate)
	return sequencer.Event{Start: msd(start), Length: msd(int(l)), Kind: sequencer.KindVoice, Cue: cue}
}

func mark(start int, label string) sequencer.Event {
	return sequencer.Event{Start: msd(start), Kind: sequencer.KindMark, Label: label}
}

// timeline sorts events into a timeline of the given length.
func timeline(length int, evs ...sequencer.Event) *sequencer.Timeline {
	sortEvents(evs)
	return &sequencer.Timeline{Name: "test", Length: msd(length), Events: evs}
}

func sortEvents(evs []sequencer.Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Start < evs[j-1].Start; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}

// renderAll streams s from its current position to the end in one read.
func renderAll(t testing.TB, s *Session) [][2]float64 {
	t.Helper()
	buf := make([][2]float64, s.Len()-s.Position())
	n, _ := s.Stream(buf)
	if n != len(buf) {
		t.Fatalf("streamed %d of %d samples", n, len(buf))
	}
	return buf
}

// realistic builds a ~280 s session like a real routine: an intro, three
// parts each with a chime, set-up speech, a countdown, work with pacing
// ticks and breath phases with counts spoken over them, and the end.
func realistic(rate int) (*sequencer.Timeline, fakeClips) {
	clips := fakeClips{}
	var evs []sequencer.Event
	at := 500
	nclip := 0
	say := func(secs float64) {
		id := "cue-" + string(rune('a'+nclip%26)) + string(rune('a'+nclip/26))
		n := int(secs * float64(rate))
		clips[id] = speechLike(n, 0.84, uint64(nclip))
		evs = append(evs, voiceEv(id, at, clips, rate))
		at += int(secs*1000) + 400
		nclip++
	}
	evs = append(evs, mark(0, "start"))
	say(3.5)
	for part := range 3 {
		evs = append(evs, mark(at, "part"), toneEv(sequencer.KindTone, "chime", at, 1500, -14))
		at += 1600
		for i := range 7 {
			say(1.5 + float64((i*7+part)%5)*0.6)
		}
		for c := 0; c < 5; c++ {
			evs = append(evs, toneEv(sequencer.KindTone, "pip", at, 1000, -16))
			at += 1000
		}
		// 40 s of oscillation: a tick every 0.8 s, speech now and then.
		start := at
		for k := range 50 {
			name := "tick-up"
			if k%2 == 1 {
				name = "tick-down"
			}
			evs = append(evs, toneEv(sequencer.KindPacing, name, start+k*800, 800, -22))
		}
		at = start + 12000
		say(2)
		at = start + 30000
		say(1.2)
		at = start + 40000
		// Breath reps: inhale 3 s, exhale 4 s, hold 2 s, return 2 s.
		for rep := range 2 {
			for _, ph := range []struct {
				name string
				ms   int
			}{{"inhale", 3000}, {"exhale", 4000}, {"hold", 2000}, {"return", 2000}} {
				evs = append(evs, toneEv(sequencer.KindBreath, ph.name, at, ph.ms, -20))
				if ph.name == "inhale" {
					id := "num-" + string(rune('1'+rep))
					if _, ok := clips[id]; !ok {
						clips[id] = speechLike(int(0.8*float64(rate)), 0.84, uint64(100+rep))
					}
					evs = append(evs, voiceEv(id, at+200, clips, rate))
				}
				at += ph.ms
			}
		}
		say(2.5)
	}
	say(3)
	evs = append(evs, toneEv(sequencer.KindTone, "end", at, 2600, -12))
	at += 3000
	return timeline(at, evs...), clips
}
