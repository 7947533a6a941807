package sequencer

import (
	"errors"
	"fmt"
	"time"
)

// Wake is the wake-up signal for outputs that fall asleep in silence: a
// Bluetooth headset (or a sound server suspending its sink) that has heard
// nothing for a few seconds takes a second or two to play again, and the
// first syllable after the silence is lost. Digital zero does not keep it
// awake, so the signal is a hum (ToneWake: 30 Hz at -50 dB by default,
// below hearing on headphones) that sounds before the sound that ends
// such a silence, and optionally now and then through it.
type Wake struct {
	// Preroll is how long the hum sounds before a sound that follows more
	// than After of quiet, the session's first included (0: none). The
	// session's lead-in grows to Preroll, and so does the gap after each
	// wait (a release comes after up to a reminder interval of quiet).
	Preroll time.Duration
	// After is how much quiet counts as long (0: DefaultWakeAfter).
	After time.Duration
	// KeepAlive also sounds the hum through long quiet, for a Preroll
	// (or DefaultPreroll when that is 0) every After, so that the output
	// never hears more than After of silence.
	KeepAlive bool
}

// Wake defaults and limits.
const (
	DefaultWakeAfter = 4 * time.Second
	DefaultPreroll   = 1500 * time.Millisecond
	MaxPreroll       = 5 * time.Second
	MinWakeAfter     = time.Second
	MaxWakeAfter     = time.Minute
)

// ErrWake is returned for wake options out of range.
var ErrWake = errors.New("invalid wake")

// Check returns an error wrapping ErrWake when w is out of range.
func (w Wake) Check() error {
	if w.Preroll < 0 || w.Preroll > MaxPreroll {
		return fmt.Errorf("%w: pre-roll %v (use 0 to %v)", ErrWake, w.Preroll, MaxPreroll)
	}
	if w.After != 0 && (w.After < MinWakeAfter || w.After > MaxWakeAfter) {
		return fmt.Errorf("%w: quiet limit %v (use %v to %v)", ErrWake, w.After, MinWakeAfter, MaxWakeAfter)
	}
	return nil
}

// on reports whether w adds anything to a session.
func (w Wake) on() bool { return w.Preroll > 0 || w.KeepAlive }

// quiet is a stretch of a session in which nothing sounds. Long is true
// when what comes before it is unknown to the timeline (the session's
// start, a wait's end that a release seeks to), so it counts as long
// whatever its length.
type quiet struct {
	start, end time.Duration
	long       bool
}

// quietStretches returns the stretches between the sounds of events
// (sorted by start), cut at each wait's start and end: a player holding
// at a wait plays its span again and again, and a release seeks to its
// end, so the quiet before either is not the timeline's. The session's
// tail (nothing follows) is left out.
func quietStretches(events []Event) []quiet {
	type cut struct {
		at  time.Duration
		end bool // a wait's end: what was before it is unknown
	}
	var cuts []cut
	for _, e := range events {
		if e.Kind == KindWait {
			cuts = append(cuts, cut{e.Start, false}, cut{e.End(), true})
		}
	}
	var out []quiet
	q := quiet{long: true} // the session's start
	for _, e := range events {
		if !e.Audible() || e.Kind == KindWake {
			continue
		}
		for ; len(cuts) > 0 && cuts[0].at <= e.Start; cuts = cuts[1:] {
			if c := cuts[0]; c.at > q.start {
				q.end = c.at
				out = append(out, q)
				q = quiet{start: c.at, long: c.end}
			}
		}
		if e.Start > q.start {
			q.end = e.Start
			out = append(out, q)
		}
		if e.End() > q.start {
			q = quiet{start: e.End()}
		}
	}
	return out
}

// wakeEvents returns the hum's events for the sorted events of a session
// of length: a pre-roll ending at each sound that follows long quiet and,
// with KeepAlive, one every After inside it. Each belongs to the part it
// starts in (the first part for the lead-in's).
func wakeEvents(events []Event, w Wake, gain float64, stepAt func(time.Duration) int) []Event {
	if !w.on() {
		return nil
	}
	burst := w.Preroll
	if burst == 0 {
		burst = DefaultPreroll
	}
	if w.After == 0 {
		w.After = DefaultWakeAfter
	}
	var out []Event
	add := func(from, to time.Duration) {
		step := max(stepAt(from), 0)
		out = append(out, Event{Start: from, Length: to - from, Kind: KindWake, Tone: ToneWake, GainDB: gain, Step: step})
	}
	for _, q := range quietStretches(events) {
		if !q.long && q.end-q.start <= w.After {
			continue
		}
		pre := max(q.start, q.end-w.Preroll)
		if w.KeepAlive {
			for at := q.start + w.After - burst; at+burst <= pre; at += w.After {
				if at >= q.start {
					add(at, at+burst)
				}
			}
		}
		if w.Preroll > 0 {
			add(pre, q.end)
		}
	}
	return out
}
