package sequencer

import (
	"errors"
	"fmt"
)

// ErrTimeline is matched by every error of Check.
var ErrTimeline = errors.New("timeline invariant broken")

// Check verifies what every compiled timeline guarantees: events sorted
// and inside the session and their part, no two voice clips overlapping, every non-voice
// sound under speech marked ducked (and only those), each part's work
// starting after its set-up talk has ended, and a mark where each part
// starts. Tests and fuzzing call it; consumers may rely on all of it.
func Check(t *Timeline) error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrTimeline}, args...)...))
	}
	var voice []Event
	for i, e := range t.Events {
		if i > 0 && e.Start < t.Events[i-1].Start {
			fail("event %d at %s is before event %d at %s", i, Clock(e.Start), i-1, Clock(t.Events[i-1].Start))
		}
		if e.Start < 0 || e.Length < 0 || e.End() > t.Length {
			fail("event %d (%s %s%s) at %s+%s is outside the session of %s", i, e.Kind, e.Cue, e.Tone, Clock(e.Start), Clock(e.Length), Clock(t.Length))
		}
		if e.Step < 0 || e.Step >= len(t.Steps) {
			fail("event %d at %s belongs to part %d of %d", i, Clock(e.Start), e.Step+1, len(t.Steps))
		} else if st := t.Steps[e.Step]; e.Kind != KindWake && (e.Start < st.Start || e.End() > st.End) { // the hum may precede its part (the lead-in's)
			fail("event %d (%s %s%s) at %s+%s lies outside its part %d (%s to %s)", i, e.Kind, e.Cue, e.Tone,
				Clock(e.Start), Clock(e.Length), e.Step+1, Clock(st.Start), Clock(st.End))
		}
		if e.Audible() && e.Length == 0 {
			fail("event %d (%s %s%s) at %s makes a sound of no length", i, e.Kind, e.Cue, e.Tone, Clock(e.Start))
		}
		if e.Kind == KindVoice {
			if n := len(voice); n > 0 && voice[n-1].End() > e.Start {
				fail("voice %s at %s overlaps voice %s ending at %s", e.Cue, Clock(e.Start), voice[n-1].Cue, Clock(voice[n-1].End()))
			}
			voice = append(voice, e)
		}
	}
	for i, e := range t.Events {
		if e.Kind == KindVoice || !e.Audible() {
			continue
		}
		under := false
		for _, v := range voice {
			if v.Start < e.End() && e.Start < v.End() {
				under = true
				break
			}
		}
		if under != e.Ducked {
			fail("event %d (%s %s) at %s: under speech %v but ducked %v", i, e.Kind, e.Tone, Clock(e.Start), under, e.Ducked)
		}
	}
	// The first pacing tick or breath phase of each segment starts when
	// the talk before it has ended.
	type seg struct{ step, segment int }
	started := map[seg]bool{}
	for _, e := range t.Events {
		if e.Kind != KindPacing && e.Kind != KindBreath {
			continue
		}
		k := seg{e.Step, e.Segment}
		if started[k] {
			continue
		}
		started[k] = true
		for _, v := range voice {
			if v.Start < e.Start && v.End() > e.Start {
				fail("part %d segment %d starts its work at %s while %s is still speaking (until %s)",
					e.Step+1, e.Segment+1, Clock(e.Start), v.Cue, Clock(v.End()))
			}
		}
	}
	for i, s := range t.Steps {
		found := false
		for _, e := range t.Events {
			if e.Kind == KindMark && e.Step == i && e.Start == s.Start {
				found = true
				break
			}
		}
		if !found {
			fail("part %d starts at %s without a mark there", i+1, Clock(s.Start))
		}
	}
	return errors.Join(errs...)
}
