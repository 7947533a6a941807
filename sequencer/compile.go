package sequencer

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cued-dev/cued/routine"
)

// ClipLengths tells the sequencer how long each spoken clip lasts. It is
// implemented by the voice bank; ok is false for a cue with no recording,
// whose length Compile then estimates from its text.
type ClipLengths interface {
	ClipLength(id string) (d time.Duration, ok bool)
}

// ErrOverride is matched by the error of an override (work, reps,
// segments) that the routine does not allow.
var ErrOverride = errors.New("override out of range")

// Options choose within the routine's ranges and set tone levels.
type Options struct {
	// Level picks within every range; "" means standard.
	Level routine.Level
	// Work, Reps and Segments override the level for every step that has
	// them; zero keeps the level's choice. Each must lie within the range
	// the routine gives.
	Work     time.Duration
	Reps     int
	Segments int
	// Steps overrides the level (and Work, Reps, Segments) for the steps
	// it names by id; each value must lie within that step's range and
	// apply to it (work to a timed step, reps to breaths, segments to a
	// repeated one).
	Steps map[string]Override
	// Gains sets the level in dB of tones by name; names not set here
	// take DefaultGains.
	Gains map[string]float64
	// Pace is PaceTimed ("" too) or PaceWait: whether the cues marked
	// wait: pace wait for the listener.
	Pace Pace
	// WaitLength is a wait's length on the timeline: how often its
	// reminder sounds while a player holds there, and how long it lasts
	// in a render (0: DefaultWaitLength; MinWaitLength to MaxWaitLength).
	WaitLength time.Duration
	// Wake adds the wake-up hum for outputs that sleep in silence (none
	// when zero).
	Wake Wake
	// TimeLeft, when not zero, has timed segments say the time left every
	// TimeLeft ("Forty seconds left."), from the where words (see
	// WhereCues), where no other cue speaks and not over the countdown
	// (MinTimeLeft to MaxTimeLeft).
	TimeLeft time.Duration
}

// TimeLeft limits.
const (
	MinTimeLeft = 10 * time.Second
	MaxTimeLeft = 10 * time.Minute
)

// Pace is how a session goes from one "get into position" point to the
// next: on the clock, or when the listener says so.
type Pace string

// The paces.
const (
	// PaceTimed takes each cue's settle time (then) and goes on.
	PaceTimed Pace = "timed"
	// PaceWait waits for play or next at every cue marked wait: pace.
	PaceWait Pace = "wait"
)

// ParsePace returns the pace named s ("" is PaceTimed).
func ParsePace(s string) (Pace, error) {
	switch Pace(s) {
	case "", PaceTimed:
		return PaceTimed, nil
	case PaceWait:
		return PaceWait, nil
	}
	return "", fmt.Errorf("%w: pace %q (use timed or wait)", ErrPace, s)
}

// ErrPace is matched by the error of a pace or wait length out of range.
var ErrPace = errors.New("invalid pace")

// The wait lengths (Options.WaitLength).
const (
	DefaultWaitLength = 15 * time.Second
	MinWaitLength     = 3 * time.Second
	MaxWaitLength     = 2 * time.Minute
)

// overridden reports whether o changes any part from its level's choice:
// then a routine's spoken plan (which says the level's) is left out.
func (o Options) overridden() bool {
	if o.Work != 0 || o.Reps != 0 || o.Segments != 0 {
		return true
	}
	for _, ov := range o.Steps {
		if ov != (Override{}) {
			return true
		}
	}
	return false
}

// Override is what Options.Steps sets for one step; zero keeps the value.
type Override struct {
	Work     time.Duration
	Reps     int
	Segments int
}

// DefaultGains are the tone levels in dB used where Options.Gains is silent.
var DefaultGains = map[string]float64{
	ToneChime: -14, TonePip: -16, ToneZero: -14, ToneTickUp: -22, ToneTickDown: -22,
	ToneInhale: -20, ToneExhale: -20, ToneHold: -28, ToneReturn: -28, ToneEnd: -12,
	ToneReminder: -24, ToneWake: -50,
}

// Layout constants: the silences between things, and tone lengths.
const (
	leadIn        = 300 * time.Millisecond  // before the first sound
	chimeLen      = 700 * time.Millisecond  // part-change chime
	afterChime    = 300 * time.Millisecond  // chime to first word
	speechGap     = 350 * time.Millisecond  // between two spoken clips
	phaseGap      = 100 * time.Millisecond  // between two clips inside breath reps
	afterWork     = 500 * time.Millisecond  // end of timed work to next word
	tickLen       = 90 * time.Millisecond   // one pacing tick
	pipLen        = 150 * time.Millisecond  // one countdown pip
	zeroLen       = 400 * time.Millisecond  // the two notes at the countdown's zero
	sideSettle    = 5 * time.Second         // after "now the right side": to turn over and set up again
	endLen        = 1500 * time.Millisecond // end-of-session chime
	reminderLen   = 500 * time.Millisecond  // the reminder's two soft notes, at a wait's end
	afterReminder = 150 * time.Millisecond  // from the reminder to the wait's end
	tail          = time.Second             // after the last sound
	msPerChar     = 70 * time.Millisecond   // speech rate estimate for a clip without a length
	minSpeech     = 400 * time.Millisecond
)

// CueTexts returns every cue the routines speak and every shared word:
// cue id to text. It is the list a voice pack must record.
func CueTexts(rs ...*routine.Routine) map[string]string {
	m := Words()
	for _, r := range rs {
		for _, c := range r.Cues() {
			m[c.ID] = c.Text
		}
	}
	return m
}

type compiler struct {
	r         *routine.Routine
	o         Options
	clips     ClipLengths
	texts     map[string]string
	events    []Event
	estimated map[string]bool
	voiceFree time.Duration // earliest start of the next voice clip
	// step is the part being laid out (an index of Timeline.Steps: with
	// rounds, of the round's copy), seg its segment, round its round.
	step, seg, round int
}

// parts is how many parts the session has: the steps times the rounds.
func (c *compiler) parts() int { return len(c.r.Steps) * max(c.r.Rounds, 1) }

// partName is the part being laid out as labels say it: its name, and its
// round when there are several.
func (c *compiler) partName(s *routine.Step) string {
	if c.r.Rounds > 1 {
		return fmt.Sprintf("%s (round %d/%d)", s.Name, c.round+1, c.r.Rounds)
	}
	return s.Name
}

// Compile lays the routine out on a timeline. clips may be nil, in which
// case every clip length is estimated. The result depends only on the
// arguments: same input, same timeline.
func Compile(r *routine.Routine, o Options, clips ClipLengths) (*Timeline, error) {
	o, err := o.resolve(r)
	if err != nil {
		return nil, err
	}
	c := &compiler{r: r, o: o, clips: clips, texts: CueTexts(r), estimated: map[string]bool{}}
	tl := &Timeline{Routine: r.ID, Name: r.Name, Level: string(o.Level)}
	t := max(leadIn, o.Wake.Preroll)
	for round := range max(r.Rounds, 1) {
		c.round = round
		for i := range r.Steps {
			c.step, c.seg = len(tl.Steps), 0
			info := StepInfo{ID: r.Steps[i].ID, Name: r.Steps[i].Name, Start: t}
			t = c.compileStep(t, &r.Steps[i], &info)
			tl.Steps = append(tl.Steps, info)
		}
	}
	c.step = len(tl.Steps) - 1
	c.add(Event{Start: t, Length: endLen, Kind: KindTone, Tone: ToneEnd})
	c.voiceFree = t + 800*time.Millisecond
	t = c.say(t, WordComplete, speechGap)
	for _, cue := range r.Outro {
		t = c.settle(c.say(t, cue.ID, speechGap), cue)
	}
	tl.Length = max(t, c.end()) + tail
	for i := range tl.Steps {
		if i+1 < len(tl.Steps) {
			tl.Steps[i].End = tl.Steps[i+1].Start
		} else {
			tl.Steps[i].End = tl.Length
		}
	}
	sortEvents(c.events)
	c.events = append(c.events, wakeEvents(c.events, o.Wake, c.gain(ToneWake), tl.StepAt)...)
	markDucking(c.events)
	sortEvents(c.events)
	tl.Events = c.events
	for id := range c.estimated {
		tl.Estimated = append(tl.Estimated, id)
	}
	sort.Strings(tl.Estimated)
	return tl, nil
}

// resolve fills o's defaults and checks it against r: the options Compile
// compiles with, or the first thing wrong with them.
func (o Options) resolve(r *routine.Routine) (Options, error) {
	if o.Level == "" {
		o.Level = routine.Standard
	}
	if _, err := routine.ParseLevel(string(o.Level)); err != nil {
		return o, err
	}
	pace, err := ParsePace(string(o.Pace))
	if err != nil {
		return o, err
	}
	o.Pace = pace
	if o.WaitLength == 0 {
		o.WaitLength = DefaultWaitLength
	}
	if o.WaitLength < MinWaitLength || o.WaitLength > MaxWaitLength {
		return o, fmt.Errorf("%w: wait length %v (use %v to %v)", ErrPace, o.WaitLength, MinWaitLength, MaxWaitLength)
	}
	if err := checkOverrides(r, o); err != nil {
		return o, err
	}
	if err := o.Wake.Check(); err != nil {
		return o, err
	}
	if o.TimeLeft != 0 && (o.TimeLeft < MinTimeLeft || o.TimeLeft > MaxTimeLeft) {
		return o, fmt.Errorf("%w: time left every %v (use %v to %v, or 0 for never)", ErrPace, o.TimeLeft, MinTimeLeft, MaxTimeLeft)
	}
	return o, nil
}

// sortEvents sorts events by start, and events starting together by kind
// (marks first, voice last), keeping the order of the rest.
func sortEvents(events []Event) {
	sort.SliceStable(events, func(i, j int) bool {
		a, b := events[i], events[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		return kindOrder[a.Kind] < kindOrder[b.Kind]
	})
}

var kindOrder = map[Kind]int{KindMark: 0, KindWake: 1, KindTone: 2, KindPacing: 3, KindBreath: 4, KindVoice: 5}

func checkOverrides(r *routine.Routine, o Options) error {
	check := func(flag string, set bool, ok func(s *routine.Step) (applies, fits bool, rng string)) error {
		if !set {
			return nil
		}
		any := false
		for i := range r.Steps {
			applies, fits, rng := ok(&r.Steps[i])
			if !applies {
				continue
			}
			any = true
			if !fits {
				return fmt.Errorf("%w: %s is outside step %q's range %s", ErrOverride, flag, r.Steps[i].ID, rng)
			}
		}
		if !any {
			return fmt.Errorf("%w: %s: routine %q has no step it applies to", ErrOverride, flag, r.ID)
		}
		return nil
	}
	return errors.Join(checkSteps(r, o),
		check(fmt.Sprintf("--work %s", routine.FormatDuration(o.Work)), o.Work != 0, func(s *routine.Step) (bool, bool, string) {
			return s.Timed(), s.Work.Contains(o.Work), s.Work.String()
		}),
		check(fmt.Sprintf("--reps %d", o.Reps), o.Reps != 0, func(s *routine.Step) (bool, bool, string) {
			reps, ok := s.RepRange()
			return ok, reps.Contains(o.Reps), reps.String()
		}),
		check(fmt.Sprintf("--segments %d", o.Segments), o.Segments != 0, func(s *routine.Step) (bool, bool, string) {
			return s.Segments.Max > 1, s.Segments.Contains(o.Segments), s.Segments.String()
		}),
	)
}

// checkSteps checks Options.Steps: each names a step of r, and each value
// applies to that step and lies within its range.
func checkSteps(r *routine.Routine, o Options) error {
	var errs []error
	ids := make([]string, len(r.Steps))
	for i := range r.Steps {
		ids[i] = r.Steps[i].ID
	}
	names := make([]string, 0, len(o.Steps))
	for id := range o.Steps {
		names = append(names, id)
	}
	sort.Strings(names)
	for _, id := range names {
		ov := o.Steps[id]
		i := slices.Index(ids, id)
		if i < 0 {
			errs = append(errs, fmt.Errorf("%w: routine %q has no step %q (its steps: %s)", ErrOverride, r.ID, id, strings.Join(ids, ", ")))
			continue
		}
		s := &r.Steps[i]
		bad := func(what, rng string) {
			errs = append(errs, fmt.Errorf("%w: %s=%s is outside step %q's range %s", ErrOverride, id, what, id, rng))
		}
		switch {
		case ov.Work != 0 && !s.Timed():
			errs = append(errs, fmt.Errorf("%w: %s=%s: step %q is paced by reps, not timed", ErrOverride, id, routine.FormatDuration(ov.Work), id))
		case ov.Work != 0 && !s.Work.Contains(ov.Work):
			bad(routine.FormatDuration(ov.Work), s.Work.String())
		}
		reps, hasReps := s.RepRange()
		switch {
		case ov.Reps != 0 && !hasReps:
			errs = append(errs, fmt.Errorf("%w: %s=%d reps: step %q has no reps", ErrOverride, id, ov.Reps, id))
		case ov.Reps != 0 && !reps.Contains(ov.Reps):
			bad(fmt.Sprint(ov.Reps), reps.String())
		}
		if ov.Segments != 0 && !s.Segments.Contains(ov.Segments) {
			bad(fmt.Sprint(ov.Segments)+" segments", s.Segments.String())
		}
	}
	return errors.Join(errs...)
}

func (c *compiler) add(e Event) {
	if e.Kind != KindVoice && e.Kind != KindMark && e.Kind != KindWait {
		e.GainDB = c.gain(e.Tone)
	}
	e.Step, e.Segment = c.step, c.seg
	c.events = append(c.events, e)
}

func (c *compiler) gain(tone string) float64 {
	if g, ok := c.o.Gains[tone]; ok {
		return g
	}
	return DefaultGains[tone]
}

// clipLength returns the clip's length rounded up to the millisecond, or
// an estimate from its text.
func (c *compiler) clipLength(id string) time.Duration {
	if c.clips != nil {
		if d, ok := c.clips.ClipLength(id); ok && d > 0 {
			return wholeMS(d)
		}
	}
	c.estimated[id] = true
	return max(minSpeech, time.Duration(len(c.texts[id]))*msPerChar).Round(10 * time.Millisecond)
}

// say places a voice clip at the earliest time from at that leaves gap
// after the previous clip, and returns its end.
func (c *compiler) say(at time.Duration, id string, gap time.Duration) time.Duration {
	start := max(at, c.voiceFree)
	d := c.clipLength(id)
	c.add(Event{Start: start, Length: d, Kind: KindVoice, Cue: id})
	c.voiceFree = start + d + gap
	return start + d
}

// talk speaks the cues one after the other from t, each followed by its
// settle time (then), and returns when the last one's is over.
func (c *compiler) talk(t time.Duration, cues []routine.Cue) time.Duration {
	for _, cue := range cues {
		t = c.settle(c.say(t, cue.ID, speechGap)+speechGap, cue)
	}
	return t
}

// settle gives the listener the time cue asks for from t, when it has
// been said: its settle time, or a wait (see KindWait) when it waits at
// this pace. It returns when the next thing may start.
func (c *compiler) settle(t time.Duration, cue routine.Cue) time.Duration {
	if cue.Wait == routine.WaitAlways || cue.Wait == routine.WaitPace && c.o.Pace == PaceWait {
		return c.wait(t)
	}
	return t + cue.Then
}

// wait adds a wait from t (after any voice still speaking) and returns
// its end.
func (c *compiler) wait(t time.Duration) time.Duration {
	t = max(t, c.voiceFree)
	end := t + c.o.WaitLength
	c.add(Event{Start: t, Length: c.o.WaitLength, Kind: KindWait, Label: "wait: press play or next to go on"})
	c.add(Event{Start: end - afterReminder - reminderLen, Length: reminderLen, Kind: KindTone, Tone: ToneReminder})
	c.voiceFree = end
	return end + c.o.Wake.Preroll // room for the hum after a release
}

func (c *compiler) end() time.Duration {
	var e time.Duration
	for _, ev := range c.events {
		e = max(e, ev.End())
	}
	return e
}

func (c *compiler) compileStep(t time.Duration, s *routine.Step, info *StepInfo) time.Duration {
	n := c.parts()
	c.add(Event{Start: t, Kind: KindMark, Label: fmt.Sprintf("part %d/%d: %s", c.step+1, n, c.partName(s))})
	c.add(Event{Start: t, Length: chimeLen, Kind: KindTone, Tone: ToneChime})
	t += chimeLen + afterChime
	if c.round > 0 && c.step%len(c.r.Steps) == 0 {
		t = c.say(t, RoundCue(c.round+1, c.round == c.r.Rounds-1), speechGap) + speechGap
	}
	if c.step == 0 {
		t = c.talk(t, c.r.Intro)
		if plan := c.r.Plan[c.o.Level]; plan != nil && !c.o.overridden() {
			t = c.talk(t, []routine.Cue{*plan})
		}
	}
	if c.round == 0 {
		t = c.talk(t, s.Setup) // said once: later rounds go straight on
	}
	ov := c.o.Steps[s.ID]
	info.Segments = s.Segments.At(c.o.Level)
	if c.o.Segments != 0 && s.Segments.Max > 1 {
		info.Segments = c.o.Segments
	}
	if ov.Segments != 0 {
		info.Segments = ov.Segments
	}
	info.Sides = s.Sides
	sides := s.Sides
	if len(sides) == 0 {
		sides = []string{""}
	}
	for side, name := range sides {
		c.seg = side * info.Segments
		if name != "" {
			// Each side after the first is a part of its own to skip to,
			// and is said: time to turn over (sideSettle) follows.
			label := fmt.Sprintf("part %d/%d: %s, side %d/%d: %s", c.step+1, n, c.partName(s), side+1, len(sides), name)
			if side > 0 {
				c.add(Event{Start: t, Kind: KindMark, Label: label})
			}
			t = c.say(t, SideCue(name, side == 0), speechGap) + speechGap
			if side > 0 {
				t += sideSettle
			}
		}
		t = c.segments(t, s, info, side, len(sides), name)
	}
	return t
}

// segments lays out the segments of one side of a step (the step's only
// side when side is "").
func (c *compiler) segments(t time.Duration, s *routine.Step, info *StepInfo, side, sides int, name string) time.Duration {
	n := c.parts()
	for seg := 0; seg < info.Segments; seg++ {
		c.seg = side*info.Segments + seg
		if seg > 0 {
			label := fmt.Sprintf("part %d/%d: %s, segment %d/%d", c.step+1, n, c.partName(s), seg+1, info.Segments)
			if name != "" {
				label = fmt.Sprintf("part %d/%d: %s, side %d/%d: %s, segment %d/%d", c.step+1, n, c.partName(s), side+1, sides, name, seg+1, info.Segments)
			}
			c.add(Event{Start: t, Kind: KindMark, Label: label})
			if word := SegmentCue(seg+1, seg == info.Segments-1); word != "" {
				t = c.say(t, word, speechGap) + speechGap // which segment this is, eyes closed
			}
			t = c.talk(t, s.Between)
		}
		start := routine.Cue{ID: WordBegin}
		if s.Start != nil {
			start = *s.Start
		}
		t = c.settle(c.say(t, start.ID, speechGap), start) // the work begins once the start cue's settle time is over
		if s.Timed() {
			info.Work = s.Work.At(c.o.Level)
			if c.o.Work != 0 {
				info.Work = c.o.Work
			}
			if w := c.o.Steps[s.ID].Work; w != 0 {
				info.Work = w
			}
			t = c.timedWork(t, s, info.Work)
		} else {
			reps, _ := s.RepRange()
			info.Reps = reps.At(c.o.Level)
			if c.o.Reps != 0 {
				info.Reps = c.o.Reps
			}
			if n := c.o.Steps[s.ID].Reps; n != 0 {
				info.Reps = n
			}
			if s.Count != nil {
				info.Tempo = s.Count.Tempo.At(c.o.Level)
				t = c.countWork(t, s, info.Reps, info.Tempo)
			} else {
				t = c.breathWork(t, s, info.Reps)
			}
		}
		t = max(t+afterWork, c.voiceFree)
	}
	return t
}

// timedWork lays out one timed segment from w0: pacing ticks every half
// period, the halfway word, countdown pips over the last seconds and a
// sound at zero.
//
// Ticks and pips share one grid, the beat (half a period; a second with no
// pacing), counted back from the end of the work: the pips take the place
// of the ticks on the beats of the last Countdown seconds and the zero
// sound falls on the beat that ends the work, so the rhythm the listener
// rolls to never breaks. Where the work is not a whole number of beats the
// first tick comes up to a beat after w0.
func (c *compiler) timedWork(w0 time.Duration, s *routine.Step, d time.Duration) time.Duration {
	end := w0 + d
	beat := time.Second
	if s.Oscillate != nil {
		beat = s.Oscillate.Period / 2
	}
	pips := int(time.Duration(s.Announce.Countdown) * time.Second / beat)
	beats := int(d / beat)
	if s.Oscillate != nil {
		for k := beats; k > pips; k-- {
			tone := ToneTickUp
			if (beats-k)%2 == 1 {
				tone = ToneTickDown
			}
			c.add(Event{Start: end - time.Duration(k)*beat, Length: tickLen, Kind: KindPacing, Tone: tone})
		}
	}
	c.spokenWork(w0, end, s)
	for k := min(pips, beats); k >= 1; k-- {
		c.add(Event{Start: end - time.Duration(k)*beat, Length: pipLen, Kind: KindTone, Tone: TonePip})
	}
	if pips > 0 {
		c.add(Event{Start: end, Length: zeroLen, Kind: KindTone, Tone: ToneZero})
	}
	return end
}

// spokenWork says what timed work from w0 to end says, in time order:
// "halfway" in its middle, and with Options.TimeLeft the time left every
// TimeLeft, though not in its first 5 s, within 3 s of halfway, in the
// countdown or the 5 s before it, nor where the voice is not free then (a
// time said late would be wrong).
func (c *compiler) spokenWork(w0, end time.Duration, s *routine.Step) {
	mid := w0 + (end-w0)/2
	var lefts []time.Duration // the times left to say, latest first in time
	if n := c.o.TimeLeft; n > 0 {
		quiet := time.Duration(s.Announce.Countdown)*time.Second + 5*time.Second
		for left := n; end-left >= w0+5*time.Second; left += n {
			if left > quiet && !(s.Announce.Halfway && (end-left-mid).Abs() < 3*time.Second) {
				lefts = append(lefts, left)
			}
		}
	}
	halfway := s.Announce.Halfway
	for i := len(lefts) - 1; i >= -1; i-- {
		at := end
		if i >= 0 {
			at -= lefts[i]
		}
		if halfway && mid <= at {
			c.say(mid, WordHalfway, speechGap)
			halfway = false
		}
		if i >= 0 && c.voiceFree <= at {
			c.say(at, leftCue(lefts[i]), speechGap)
		}
	}
}

// breathWork lays out reps breaths from t: each rep an inhale, an exhale
// on extension, a hold and a return, with the rep number spoken as the
// inhale begins, or over the last reps what is left ("last three", "last
// two", "last one").
func (c *compiler) breathWork(t time.Duration, s *routine.Step, reps int) time.Duration {
	b, lvl := s.Breaths, c.o.Level
	last := s.Announce.LastReps
	for rep := 1; rep <= reps; rep++ {
		speakPhases := b.Speak == routine.SpeakAll || (b.Speak == routine.SpeakFirst && rep == 1)
		if word := repWord(rep, reps, last, b.Count && rep > 1); word != "" {
			c.say(t, word, phaseGap)
		}
		for _, ph := range b.Pattern {
			d := ph.Length.At(lvl)
			if d == 0 {
				continue
			}
			c.add(Event{Start: t, Length: d, Kind: KindBreath, Tone: string(ph.Phase), Rep: rep})
			if ph.Cue != nil && speakPhases {
				c.say(t, ph.Cue.ID, phaseGap)
			}
			t += d
		}
	}
	return t
}

// repWord is what is said as rep (of reps) begins: "last three" to "last
// one" over the last reps (last of them; never on the first), else its
// number when numbered is set, else nothing.
func repWord(rep, reps, last int, numbered bool) string {
	switch left := reps - rep + 1; {
	case left <= last && left == 1 && rep > 1:
		return WordLastOne
	case left <= last && left > 1:
		return LastCue(left)
	case numbered && rep <= maxNumber:
		return NumberCue(rep)
	}
	return ""
}

// countWork lays out counted reps from t, one every tempo: each begins
// with a soft tick and its number (or "last three" to "last one"), and
// the listener moves at that pace. It returns when the last one is over.
func (c *compiler) countWork(t time.Duration, s *routine.Step, reps int, tempo time.Duration) time.Duration {
	for rep := 1; rep <= reps; rep++ {
		c.add(Event{Start: t, Length: tickLen, Kind: KindPacing, Tone: ToneTickUp, Rep: rep})
		c.say(t+tickLen, repWord(rep, reps, s.Announce.LastReps, true), phaseGap)
		t += tempo
	}
	return t
}

// markDucking sets Ducked on every sound of events that overlaps speech.
func markDucking(events []Event) {
	var voice []Event
	for _, e := range events {
		if e.Kind == KindVoice {
			voice = append(voice, e)
		}
	}
	for i := range events {
		e := &events[i]
		if e.Kind == KindVoice || e.Kind == KindMark {
			continue
		}
		for _, v := range voice {
			if v.Start < e.End() && e.Start < v.End() {
				e.Ducked = true
				break
			}
		}
	}
}
