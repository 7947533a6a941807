package sequencer

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cued-dev/cued/routine"
)

// "Where am I?": a short status spoken over the session when the listener
// asks (cued where), or the part's last cue again (cued repeat), built
// from shared words and placed where the session says nothing.

// The where words: "Part two," "of three." "Breath seven," "Twenty five
// seconds left." "One minute left." (see Words).
const (
	maxMinutesWord  = 10
	WordMoreMinutes = "word-left-more" // more than maxMinutesWord minutes left
)

// MaxWhereCount is the highest part or breath number the where words say
// as one phrase; beyond it they fall back on "Part." and the plain number.
const MaxWhereCount = 20

// PartCue is the cue id of "Part n," (1 to MaxWhereCount).
func PartCue(n int) string { return fmt.Sprintf("word-part-%d", n) }

// OfCue is the cue id of "of n." (2 to MaxWhereCount).
func OfCue(n int) string { return fmt.Sprintf("word-of-%d", n) }

// BreathCue is the cue id of "Breath n," (1 to MaxWhereCount).
func BreathCue(n int) string { return fmt.Sprintf("word-breath-%d", n) }

// SecondsLeftCue is the cue id of "n seconds left." (5 to 55, by 5).
func SecondsLeftCue(n int) string { return fmt.Sprintf("word-left-%ds", n) }

// MinutesLeftCue is the cue id of "n minute(s) left." (1 to 10).
func MinutesLeftCue(n int) string { return fmt.Sprintf("word-left-%dm", n) }

// whereWords adds the where words to w.
func whereWords(w map[string]string) {
	for n := 1; n <= MaxWhereCount; n++ {
		w[PartCue(n)] = "Part " + lower(spell(n)) + ","
		w[BreathCue(n)] = "Breath " + lower(spell(n)) + ","
		if n >= 2 {
			w[OfCue(n)] = "of " + lower(spell(n)) + "."
		}
	}
	for s := 5; s < 60; s += 5 {
		w[SecondsLeftCue(s)] = upper(spell(s)) + " seconds left."
	}
	w[MinutesLeftCue(1)] = "One minute left."
	for m := 2; m <= maxMinutesWord; m++ {
		w[MinutesLeftCue(m)] = spell(m) + " minutes left."
	}
	w[WordMoreMinutes] = "More than ten minutes left."
}

// spell is n (1 to 59) in words, capitalised as numberWords are.
func spell(n int) string {
	if n <= maxNumber {
		return numberWords[n]
	}
	tens := []string{"", "", "Twenty", "Thirty", "Forty", "Fifty"}[n/10]
	if n%10 == 0 {
		return tens
	}
	return tens + " " + lower(numberWords[n%10])
}

// WhereCues are the cue ids that say where sample time at lies in t:
// which part of how many (when there are several), then the breath of how
// many in a breath-paced part, or the time left in the part, rounded to 5
// s (whole minutes from one minute on). Empty outside every part.
func (t *Timeline) WhereCues(at time.Duration) []string {
	i := t.StepAt(at)
	if i < 0 {
		return nil
	}
	st := t.Steps[i]
	var cues []string
	if len(t.Steps) > 1 {
		cues = append(cues, countCues(PartCue, i+1, len(t.Steps))...)
	}
	if rep := t.repAt(at); st.Reps > 0 && st.Tempo == 0 && rep > 0 {
		return append(cues, countCues(BreathCue, rep, st.Reps)...)
	}
	return append(cues, leftCue(st.End-at))
}

// countCues says "n of m" with phrase cue first (PartCue or BreathCue),
// or with the plain number beyond the phrases.
func countCues(first func(int) string, n, m int) []string {
	var out []string
	if n <= MaxWhereCount {
		out = append(out, first(n))
	} else {
		out = append(out, NumberCue(min(n, maxNumber)))
	}
	if m >= 2 && m <= MaxWhereCount {
		out = append(out, OfCue(m))
	}
	return out
}

// leftCue says how long is left: to the nearest 5 s under a minute (at
// least 5 s), whole minutes from there.
func leftCue(d time.Duration) string {
	s := int((d + 2500*time.Millisecond) / time.Second / 5 * 5)
	switch {
	case s < 5:
		return SecondsLeftCue(5)
	case s < 60:
		return SecondsLeftCue(s)
	case d < time.Duration(maxMinutesWord+1)*time.Minute:
		return MinutesLeftCue(max(1, min(maxMinutesWord, int(d/time.Minute))))
	}
	return WordMoreMinutes
}

// repAt is the breath rep of the last breath event at or before at in its
// part, or 0.
func (t *Timeline) repAt(at time.Duration) int {
	step, rep := t.StepAt(at), 0
	for _, e := range t.Events {
		if e.Start > at {
			break
		}
		if e.Kind == KindBreath && e.Step == step {
			rep = e.Rep
		}
	}
	return rep
}

// RepeatCue is the cue the part playing at at said last, other than the
// shared words (counts, "halfway", "begin"): its set-up or start cue,
// what `cued repeat` says again; "" when it has said none yet.
func (t *Timeline) RepeatCue(at time.Duration) string {
	step, cue := t.StepAt(at), ""
	for _, e := range t.Events {
		if e.Start > at {
			break
		}
		if e.Kind == KindVoice && e.Step == step && routine.SharedPrefix(e.Cue) == "" {
			cue = e.Cue
		}
	}
	return cue
}

// ErrNoRoom is returned by Overlay when the session speaks too soon and
// for too long for the overlay to fit before OverlayWithin.
var ErrNoRoom = errors.New("the session speaks now: ask again after this cue")

// Overlay limits: what is said starts at least overlayLead after the
// time asked (what the output holds and its fades play first), leaves
// overlayGap of silence to speech on either side, and starts within
// OverlayWithin.
const (
	OverlayWithin = 6 * time.Second
	overlayGap    = 250 * time.Millisecond
	phraseGap     = 60 * time.Millisecond
)

// Overlay returns a copy of t with cues spoken one after the other from
// the earliest time at or after from where they overlap none of t's
// speech nor the start of a segment's work (overlayGap apart from them)
// and end before t does, within
// OverlayWithin of from, and where they start; ErrNoRoom when there is
// none. Tones and pacing under them are ducked, as under any cue.
func (t *Timeline) Overlay(from time.Duration, cues []string, clips ClipLengths) (*Timeline, time.Duration, error) {
	from = wholeMS(from)
	var lengths []time.Duration
	var d time.Duration
	for i, id := range cues {
		l, ok := clips.ClipLength(id)
		if !ok || l <= 0 {
			return nil, 0, fmt.Errorf("no clip for %q", id)
		}
		l = wholeMS(l) // the timeline's times are whole ms, as Compile's
		if i > 0 {
			d += phraseGap
		}
		lengths = append(lengths, l)
		d += l
	}
	at, ok := t.room(from, d)
	if !ok {
		return nil, 0, ErrNoRoom
	}
	out := *t
	out.Events = slices.Clone(t.Events)
	step, seg := max(t.StepAt(at), 0), t.segmentAt(at)
	for i, id := range cues {
		start := at + time.Duration(i)*phraseGap
		for _, l := range lengths[:i] {
			start += l
		}
		out.Events = append(out.Events, Event{Start: start, Length: lengths[i], Kind: KindVoice, Cue: id, Step: step, Segment: seg})
	}
	for i := range out.Events {
		out.Events[i].Ducked = false
	}
	markDucking(out.Events)
	sortEvents(out.Events)
	return &out, at, nil
}

// wholeMS rounds d up to a whole millisecond.
func wholeMS(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}

// room is the earliest start at or after from for d of speech, as
// Overlay places it: clear of every cue, and of the first tick or breath
// of each segment (the work's start must be heard, as Check wants).
func (t *Timeline) room(from, d time.Duration) (time.Duration, bool) {
	at := from
	type seg struct{ step, segment int }
	started := map[seg]bool{}
	for _, e := range t.Events {
		work := e.Kind == KindPacing || e.Kind == KindBreath
		if work {
			k := seg{e.Step, e.Segment}
			work, started[k] = !started[k], true
		}
		if (e.Kind != KindVoice && !work) || e.End()+overlayGap <= at {
			continue
		}
		if e.Start >= at+d+overlayGap {
			break // the first speech after the slot: it fits
		}
		at = e.End() + overlayGap // overlaps: after this cue
	}
	return at, at-from <= OverlayWithin && at+d <= t.Length-tail
}

// segmentAt is the segment of the last event at or before at in its
// part.
func (t *Timeline) segmentAt(at time.Duration) int {
	step, seg := t.StepAt(at), 0
	for _, e := range t.Events {
		if e.Start > at {
			break
		}
		if e.Step == step {
			seg = e.Segment
		}
	}
	return seg
}
