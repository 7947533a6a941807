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
	c := &checker{t: t}
	c.events()
	c.ducking()
	c.workAfterTalk()
	c.marks()
	return errors.Join(c.errs...)
}

// checker is Check's state: the timeline, its voice events in order, and
// the problems found.
type checker struct {
	t     *Timeline
	voice []Event
	errs  []error
}

func (c *checker) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%w: "+format, append([]any{ErrTimeline}, args...)...))
}

// events checks each event on its own: in order, inside the session and
// its part, of some length if it sounds, no voice over another.
func (c *checker) events() {
	t := c.t
	for i, e := range t.Events {
		if i > 0 && e.Start < t.Events[i-1].Start {
			c.fail("event %d at %s is before event %d at %s", i, Clock(e.Start), i-1, Clock(t.Events[i-1].Start))
		}
		if e.Start < 0 || e.Length < 0 || e.End() > t.Length {
			c.fail("event %d (%s %s%s) at %s+%s is outside the session of %s", i, e.Kind, e.Cue, e.Tone, Clock(e.Start), Clock(e.Length), Clock(t.Length))
		}
		if e.Step < 0 || e.Step >= len(t.Steps) {
			c.fail("event %d at %s belongs to part %d of %d", i, Clock(e.Start), e.Step+1, len(t.Steps))
		} else if st := t.Steps[e.Step]; e.Kind != KindWake && (e.Start < st.Start || e.End() > st.End) { // the hum may precede its part (the lead-in's)
			c.fail("event %d (%s %s%s) at %s+%s lies outside its part %d (%s to %s)", i, e.Kind, e.Cue, e.Tone,
				Clock(e.Start), Clock(e.Length), e.Step+1, Clock(st.Start), Clock(st.End))
		}
		if e.Audible() && e.Length == 0 {
			c.fail("event %d (%s %s%s) at %s makes a sound of no length", i, e.Kind, e.Cue, e.Tone, Clock(e.Start))
		}
		if e.Kind == KindVoice {
			if n := len(c.voice); n > 0 && c.voice[n-1].End() > e.Start {
				c.fail("voice %s at %s overlaps voice %s ending at %s", e.Cue, Clock(e.Start), c.voice[n-1].Cue, Clock(c.voice[n-1].End()))
			}
			c.voice = append(c.voice, e)
		}
	}
}

// ducking checks that every sound but the voice is ducked exactly where
// it sounds under speech.
func (c *checker) ducking() {
	for i, e := range c.t.Events {
		if e.Kind == KindVoice || !e.Audible() {
			continue
		}
		under := false
		for _, v := range c.voice {
			if v.Start < e.End() && e.Start < v.End() {
				under = true
				break
			}
		}
		if under != e.Ducked {
			c.fail("event %d (%s %s) at %s: under speech %v but ducked %v", i, e.Kind, e.Tone, Clock(e.Start), under, e.Ducked)
		}
	}
}

// workAfterTalk checks that the first pacing tick or breath phase of each
// segment starts when the talk before it has ended.
func (c *checker) workAfterTalk() {
	type seg struct{ step, segment int }
	started := map[seg]bool{}
	for _, e := range c.t.Events {
		if e.Kind != KindPacing && e.Kind != KindBreath {
			continue
		}
		k := seg{e.Step, e.Segment}
		if started[k] {
			continue
		}
		started[k] = true
		for _, v := range c.voice {
			if v.Start < e.Start && v.End() > e.Start {
				c.fail("part %d segment %d starts its work at %s while %s is still speaking (until %s)",
					e.Step+1, e.Segment+1, Clock(e.Start), v.Cue, Clock(v.End()))
			}
		}
	}
}

// marks checks that every part starts with a mark, where next and prev
// land.
func (c *checker) marks() {
	for i, s := range c.t.Steps {
		found := false
		for _, e := range c.t.Events {
			if e.Kind == KindMark && e.Step == i && e.Start == s.Start {
				found = true
				break
			}
		}
		if !found {
			c.fail("part %d starts at %s without a mark there", i+1, Clock(s.Start))
		}
	}
}
