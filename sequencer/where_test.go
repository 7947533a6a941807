package sequencer

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/routine"
)

// allWords gives every cue of r and every shared word a length.
func allWords(r *routine.Routine) fakeClips {
	f := fakeClips(CueTexts(r))
	for id, text := range Words() {
		f[id] = text
	}
	return f
}

func compileStd(t *testing.T, id string) (*Timeline, fakeClips) {
	t.Helper()
	for _, r := range builtin(t) {
		if r.ID == id {
			clips := allWords(r)
			tl, err := Compile(r, Options{Level: routine.Standard}, clips)
			if err != nil {
				t.Fatal(err)
			}
			return tl, clips
		}
	}
	t.Fatalf("no built-in %s", id)
	return nil, nil
}

// TestWhereCues: the part of how many, then the breath of how many in a
// breath part, or the time left in the part; every cue id is a shared word.
func TestWhereCues(t *testing.T) {
	three, _ := compileStd(t, "tspine-3way")
	basic, _ := compileStd(t, "tspine-basic")
	p1, p3 := three.Steps[0], three.Steps[2]
	firstBreath := time.Duration(-1)
	for _, e := range three.Events {
		if e.Kind == KindBreath && e.Step == 2 && e.Rep == 3 {
			firstBreath = e.Start + 10*time.Millisecond
			break
		}
	}
	for _, c := range []struct {
		name string
		tl   *Timeline
		at   time.Duration
		want []string
	}{
		{"before the first part", three, 0, nil},
		{"3way part 1, 20 s left", three, p1.End - 20*time.Second, []string{PartCue(1), OfCue(3), SecondsLeftCue(20)}},
		{"3way part 1, 22.4 s left rounds to 20", three, p1.End - 22400*time.Millisecond, []string{PartCue(1), OfCue(3), SecondsLeftCue(20)}},
		{"3way part 1, 2 s left says 5", three, p1.End - 2*time.Second, []string{PartCue(1), OfCue(3), SecondsLeftCue(5)}},
		{"3way part 3, breath 3", three, firstBreath, []string{PartCue(3), OfCue(3), BreathCue(3), OfCue(p3.Reps)}},
		{"basic, one part: time left only", basic, basic.Steps[0].End - 70*time.Second, []string{MinutesLeftCue(1)}},
		{"basic, more than a minute", basic, basic.Steps[0].Start + time.Second, []string{leftCue(basic.Steps[0].End - basic.Steps[0].Start - time.Second)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.tl.WhereCues(c.at)
			if !slices.Equal(got, c.want) {
				t.Fatalf("WhereCues(%s) = %v, want %v", Clock(c.at), got, c.want)
			}
			words := Words()
			for _, id := range got {
				if _, ok := words[id]; !ok {
					t.Errorf("%s is not a shared word", id)
				}
			}
		})
	}
}

func TestLeftCue(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, SecondsLeftCue(5)}, {7 * time.Second, SecondsLeftCue(5)}, {7600 * time.Millisecond, SecondsLeftCue(10)},
		{57 * time.Second, SecondsLeftCue(55)}, {58 * time.Second, MinutesLeftCue(1)}, {119 * time.Second, MinutesLeftCue(1)},
		{10*time.Minute + 59*time.Second, MinutesLeftCue(10)}, {11 * time.Minute, WordMoreMinutes},
	} {
		t.Run(c.d.String(), func(t *testing.T) {
			if got := leftCue(c.d); got != c.want {
				t.Errorf("leftCue(%v) = %s, want %s", c.d, got, c.want)
			}
		})
	}
}

// TestOverlay: the overlay goes where the session says nothing, after the
// cue under way (never over speech, overlayGap apart), ducks what sounds
// under it, keeps the timeline valid and its length, and is refused when
// the session speaks for longer than OverlayWithin.
func TestOverlay(t *testing.T) {
	tl, clips := compileStd(t, "tspine-3way")
	cues := tl.WhereCues(tl.Steps[1].Start + 30*time.Second)
	var speech Event // a cue of over a second with 5 s of no speech after it
	voice := tl.ofKind(KindVoice)
	for i, e := range voice[:len(voice)-1] {
		if e.Length > time.Second && e.Length < 4*time.Second && voice[i+1].Start > e.End()+5*time.Second {
			speech = e
			break
		}
	}
	if speech.Cue == "" {
		t.Fatal("no cue with quiet after it")
	}
	for _, c := range []struct {
		name string
		from time.Duration
	}{
		{"in silence or under ticks", tl.Steps[1].Start + 30*time.Second},
		{"while a cue speaks", speech.Start + 100*time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, at, err := tl.Overlay(c.from, cues, clips)
			if err != nil {
				t.Fatal(err)
			}
			if at < c.from || at-c.from > OverlayWithin {
				t.Fatalf("placed at %s for %s", Clock(at), Clock(c.from))
			}
			if out.Length != tl.Length || len(out.Events) != len(tl.Events)+len(cues) {
				t.Fatalf("length %s, %d events; want %s, %d", Clock(out.Length), len(out.Events), Clock(tl.Length), len(tl.Events)+len(cues))
			}
			if err := Check(out); err != nil {
				t.Fatal(err)
			}
			for _, e := range tl.Events {
				if e.Kind == KindVoice && e.Start < at+10*time.Second && e.End()+overlayGap > at && e.Start < at {
					t.Fatalf("placed at %s, within %s of %s (ends %s)", Clock(at), overlayGap, e.Cue, Clock(e.End()))
				}
			}
			if tl.Events[0].Ducked != out.Events[0].Ducked && tl.Events[0].End() < at {
				t.Fatal("an event before the overlay changed")
			}
			if c.from == speech.Start+100*time.Millisecond && at < speech.End()+overlayGap {
				t.Fatalf("placed at %s, over %s (to %s)", Clock(at), speech.Cue, Clock(speech.End()))
			}
		})
	}
	t.Run("no room", func(t *testing.T) {
		busy := &Timeline{Length: 30 * time.Second, Steps: []StepInfo{{Start: 0, End: 30 * time.Second}},
			Events: []Event{{Start: time.Second, Length: 20 * time.Second, Kind: KindVoice, Cue: "long"}}}
		if _, _, err := busy.Overlay(2*time.Second, cues, clips); !errors.Is(err, ErrNoRoom) {
			t.Fatalf("over 20 s of speech: %v, want ErrNoRoom", err)
		}
	})
	t.Run("no clip", func(t *testing.T) {
		if _, _, err := tl.Overlay(0, []string{"nope"}, clips); err == nil {
			t.Fatal("an overlay of a cue without a clip was placed")
		}
	})
}

func TestRepeatCue(t *testing.T) {
	tl, _ := compileStd(t, "tspine-3way")
	p2 := tl.Steps[1]
	if got := tl.RepeatCue(p2.Start + 40*time.Second); got == "" || routine.SharedPrefix(got) != "" {
		t.Fatalf("RepeatCue in part 2 = %q, want its set-up or start cue", got)
	}
	if got := tl.RepeatCue(p2.Start); got != "" {
		t.Fatalf("RepeatCue at the part's start = %q, want none yet", got)
	}
}

// TestTimeLeft: with Options.TimeLeft the timed segments say the time
// left, each when it is true (to the rounding the where words use), none
// over other speech or the countdown; off by default; out of range refused.
func TestTimeLeft(t *testing.T) {
	for _, r := range builtin(t) {
		t.Run(r.ID, func(t *testing.T) {
			clips := allWords(r)
			tl, err := Compile(r, Options{Level: routine.Full, TimeLeft: 15 * time.Second}, clips)
			if err != nil {
				t.Fatal(err)
			}
			if err := Check(tl); err != nil {
				t.Fatal(err)
			}
			said := 0
			for i, e := range tl.Events {
				if e.Kind != KindVoice || !strings.HasPrefix(e.Cue, "word-left-") {
					continue
				}
				said++
				var end time.Duration = -1 // the zero sound that ends this work
				for _, z := range tl.Events[i:] {
					if z.Kind == KindTone && z.Tone == ToneZero && z.Step == e.Step && z.Segment == e.Segment {
						end = z.Start
						break
					}
				}
				if end < 0 {
					t.Fatalf("%s at %s: no end of work after it", e.Cue, Clock(e.Start))
				}
				if want := leftCue(end - e.Start); e.Cue != want || (end-e.Start)%(15*time.Second) != 0 {
					t.Errorf("%s at %s, %s before the end: want %s on a multiple of 15 s", e.Cue, Clock(e.Start), Clock(end-e.Start), want)
				}
				if end-e.Start <= 10*time.Second {
					t.Errorf("%s at %s: in the countdown", e.Cue, Clock(e.Start))
				}
			}
			if said == 0 {
				t.Fatal("no time left said")
			}
			off, _ := Compile(r, Options{Level: routine.Full}, clips)
			for _, e := range off.Events {
				if strings.HasPrefix(e.Cue, "word-left-") {
					t.Fatalf("time left said with TimeLeft 0: %s", e.Cue)
				}
			}
		})
	}
	if _, err := Compile(builtin(t)[0], Options{TimeLeft: 5 * time.Second}, nil); !errors.Is(err, ErrPace) {
		t.Errorf("TimeLeft 5 s: %v, want ErrPace", err)
	}
}
