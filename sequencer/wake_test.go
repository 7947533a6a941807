package sequencer

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cued-dev/cued/routine"
)

// quietest is the longest stretch of tl without a sound, the hum counted
// as a sound (what an output hears), cut at waits as the player holds
// them; and the longest one before a listener's sound that has no hum
// right before it (the pre-roll missing).
func quietest(tl *Timeline) (silent, bare time.Duration) {
	var end time.Duration
	hum := false // the sound that ended at end was the hum
	for _, e := range tl.Events {
		if !e.Audible() {
			if e.Kind == KindWait && e.Start > end {
				silent = max(silent, e.Start-end) // the loop starts over at its start
				end, hum = e.Start, false
			}
			continue
		}
		gap := e.Start - end
		silent = max(silent, gap)
		if e.Kind != KindWake && !(hum && gap == 0) {
			bare = max(bare, gap)
		}
		if e.End() >= end {
			end, hum = e.End(), e.Kind == KindWake
		}
	}
	return silent, bare
}

// TestWake compiles the built-ins with the hum off, as a pre-roll and with
// the keep-alive, at both paces: off adds nothing; a pre-roll comes right
// before the first sound and every sound after more than After of quiet,
// the whole Preroll long; the keep-alive leaves no stretch of more than
// After without a sound; the hum never overlaps speech.
func TestWake(t *testing.T) {
	after := 4 * time.Second
	for _, r := range builtin(t) {
		for _, c := range []struct {
			name string
			wake Wake
		}{
			{"off", Wake{}},
			{"preroll", Wake{Preroll: 1500 * time.Millisecond, After: after}},
			{"keepalive", Wake{Preroll: 1500 * time.Millisecond, After: after, KeepAlive: true}},
			{"keepalive-only", Wake{KeepAlive: true}},
		} {
			for _, pace := range []Pace{PaceTimed, PaceWait} {
				t.Run(fmt.Sprintf("%s/%s/%s", r.ID, c.name, pace), func(t *testing.T) {
					tl, err := Compile(r, Options{Level: routine.Standard, Pace: pace, Wake: c.wake}, fakeClips(CueTexts(r)))
					if err != nil {
						t.Fatal(err)
					}
					if err := Check(tl); err != nil {
						t.Fatal(err)
					}
					hums := tl.ofKind(KindWake)
					if !c.wake.on() {
						if len(hums) > 0 {
							t.Fatalf("%d hums with the wake off", len(hums))
						}
						return
					}
					if len(hums) == 0 && c.wake.Preroll > 0 {
						t.Fatal("no pre-roll") // (a keep-alive alone has none where no quiet is long)
					}
					for _, h := range hums {
						if h.GainDB != DefaultGains[ToneWake] || h.Tone != ToneWake {
							t.Fatalf("hum at %s: %s at %+.1f dB", Clock(h.Start), h.Tone, h.GainDB)
						}
						for _, v := range tl.ofKind(KindVoice) {
							if v.Start < h.End() && h.Start < v.End() {
								t.Fatalf("hum at %s+%s overlaps %s", Clock(h.Start), Clock(h.Length), v.Cue)
							}
						}
					}
					silent, bare := quietest(tl)
					if c.wake.Preroll > 0 {
						first := hums[0]
						if first.Start != 0 || first.Length != c.wake.Preroll || tl.Steps[0].Start != c.wake.Preroll {
							t.Fatalf("first hum %s+%s, first part at %s; want the lead-in, %s", Clock(first.Start), Clock(first.Length), Clock(tl.Steps[0].Start), c.wake.Preroll)
						}
						for _, h := range hums {
							if h.Length > c.wake.Preroll {
								t.Fatalf("hum at %s lasts %s", Clock(h.Start), Clock(h.Length))
							}
						}
						if bare > after {
							t.Fatalf("a sound follows %s of quiet with no pre-roll (limit %s)", Clock(bare), after)
						}
					}
					if c.wake.KeepAlive && silent > after {
						t.Fatalf("%s without a sound with the keep-alive on (limit %s)", Clock(silent), after)
					}
				})
			}
		}
	}
}

// TestWakeAfterWait: a release seeks to a wait's end after up to a
// reminder interval of quiet, so the first sound after it has its full
// pre-roll, which starts at the wait's end.
func TestWakeAfterWait(t *testing.T) {
	r := builtin(t)[0]
	w := Wake{Preroll: time.Second}
	tl, err := Compile(r, Options{Pace: PaceWait, Wake: w}, fakeClips(CueTexts(r)))
	if err != nil {
		t.Fatal(err)
	}
	waits := tl.Waits()
	if len(waits) == 0 {
		t.Fatalf("%s has no wait at pace wait", r.ID)
	}
	for _, wt := range waits {
		found := false
		for _, h := range tl.ofKind(KindWake) {
			if h.Start == wt.End() && h.Length == w.Preroll {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s hum at the end of the wait at %s", w.Preroll, Clock(wt.Start))
		}
	}
}

func TestWakeOutOfRange(t *testing.T) {
	r := builtin(t)[0]
	for _, w := range []Wake{{Preroll: -time.Second}, {Preroll: 6 * time.Second}, {After: time.Millisecond}, {Preroll: time.Second, After: 2 * time.Minute}} {
		t.Run(fmt.Sprintf("%v/%v", w.Preroll, w.After), func(t *testing.T) {
			if _, err := Compile(r, Options{Wake: w}, fakeClips(CueTexts(r))); !errors.Is(err, ErrWake) {
				t.Fatalf("err = %v, want ErrWake", err)
			}
		})
	}
}
