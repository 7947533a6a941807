package routine

import (
	"fmt"
	"strings"
	"time"
)

// Pos is a position in a routine file, 1-based like editors show it.
type Pos struct {
	Line, Col int
}

// Level picks a value within every range of a routine.
type Level string

// The levels, from the low end of every range to the high end.
const (
	Gentle   Level = "gentle"
	Standard Level = "standard"
	Full     Level = "full"
)

// Levels lists the levels in order.
var Levels = []Level{Gentle, Standard, Full}

// ParseLevel returns the level named s, or an error listing the valid ones.
func ParseLevel(s string) (Level, error) {
	for _, l := range Levels {
		if string(l) == s {
			return l, nil
		}
	}
	return "", fmt.Errorf("level %q is not a level (%s)", s, levelList)
}

// levelList is Levels as a message says them: "gentle, standard or full".
var levelList = func() string {
	names := strs(Levels)
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}()

// Routine is a parsed, validated routine.
type Routine struct {
	ID          string
	Name        string
	Description string
	// Warmup marks a pre-training routine; Budget is then the longest the
	// whole session should take (rolling longer before training is time
	// taken from the training).
	Warmup bool
	Budget time.Duration
	// Rounds repeats the whole list of steps (YAML rounds: 3, a circuit;
	// 1 by default), each step's setup said in the first round only.
	Rounds int
	// Plan is the cue that says the session's plan at each level (YAML
	// plan: {gentle: {cue, say}, ...}), spoken after the intro; nil or a
	// missing level says none.
	Plan map[Level]*Cue
	// Daily names routines to do at least once a day while this one is in
	// use (YAML daily: [tspine-basic]): `cued history` shows whether they
	// were today.
	Daily []string
	// Pos is where the routine starts; BudgetPos where its budget is set
	// (or Pos when the default budget applies).
	Pos, BudgetPos Pos
	// Intro is spoken once before the first step, Outro after the last.
	Intro []Cue
	Outro []Cue
	Steps []Step
	// File is where the routine came from ("" for a string).
	File string
}

// Cue is a spoken cue: the clip id and the text the clip says.
type Cue struct {
	ID   string
	Text string
	Pos  Pos
	// Then is the settle time after the cue (YAML then: 5s): silence in
	// which to do what it said before the next cue or the work begins.
	Then time.Duration
	// ThenPos is where then is set.
	ThenPos Pos
	// Wait says whether the session waits for the listener after the cue
	// (YAML wait: pace or wait: always) instead of the settle time: a
	// "get into position" point.
	Wait Wait
	// WaitPos is where wait is set.
	WaitPos Pos
}

// Wait is when a cue waits for the listener to say they are ready.
type Wait string

// The waits a cue can have.
const (
	// WaitNever (the default) goes on after the settle time.
	WaitNever Wait = ""
	// WaitPace waits when the session's pace is "wait" (session.pace,
	// --pace), and takes the settle time otherwise.
	WaitPace Wait = "pace"
	// WaitAlways waits at every pace.
	WaitAlways Wait = "always"
)

// MaxRounds is the most rounds a routine may repeat its steps for.
const MaxRounds = 10

// MaxCount is the most reps a counted step (count:) may have: the shared
// words count to it.
const MaxCount = 20

// MaxSides is the most sides a step may have.
const MaxSides = 4

// MaxThen is the longest settle time a cue may have.
const MaxThen = 30 * time.Second

// DurationRange is a duration or a range of durations; Min == Max for a
// single value.
type DurationRange struct {
	Min, Max time.Duration
}

// At returns the value the level picks: the low end, the middle (rounded
// down to the millisecond) or the high end.
func (r DurationRange) At(l Level) time.Duration {
	switch l {
	case Gentle:
		return r.Min
	case Full:
		return r.Max
	}
	mid := r.Min + (r.Max-r.Min)/2
	return mid.Truncate(time.Millisecond)
}

// Contains reports whether d lies within the range.
func (r DurationRange) Contains(d time.Duration) bool { return d >= r.Min && d <= r.Max }

// String formats the range as a routine file would write it.
func (r DurationRange) String() string {
	if r.Min == r.Max {
		return FormatDuration(r.Min)
	}
	return FormatDuration(r.Min) + "-" + FormatDuration(r.Max)
}

// IntRange is a count or a range of counts; Min == Max for a single value.
type IntRange struct {
	Min, Max int
}

// At returns the count the level picks: the low end, the middle (rounded
// down) or the high end.
func (r IntRange) At(l Level) int {
	switch l {
	case Gentle:
		return r.Min
	case Full:
		return r.Max
	}
	return r.Min + (r.Max-r.Min)/2
}

// Contains reports whether n lies within the range.
func (r IntRange) Contains(n int) bool { return n >= r.Min && n <= r.Max }

// String formats the range as a routine file would write it.
func (r IntRange) String() string {
	if r.Min == r.Max {
		return fmt.Sprint(r.Min)
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}

// Announce says which announcements a timed or breath-paced step makes.
type Announce struct {
	// Halfway speaks "halfway" in the middle of each timed segment.
	Halfway bool
	// Countdown is the number of one-second pips over the last seconds of
	// each timed segment (0 for none).
	Countdown int
	// LastReps announces the last reps of a breath-paced step ("last
	// three", then "last one"); 0 for none.
	LastReps int
}

// Step is one part of a routine: set-up talk, then its work.
type Step struct {
	ID   string
	Name string
	Pos  Pos
	// Setup is spoken once when the step begins.
	Setup []Cue
	// Start is spoken right before the work of each segment begins; nil
	// means the shared "begin" word.
	Start *Cue
	// Between is spoken between segments (move the roller on).
	Between []Cue
	// Segments is how many times the work is repeated (2-3 segments).
	Segments IntRange
	// Sides repeats the step's segments per side, in order: "left" and
	// "right", or "1" to "4" for a count; nil for a step without sides.
	Sides []string
	// Work is the length of one timed segment; zero for a breath step.
	Work DurationRange
	// Oscillate paces timed work; nil for no pacing.
	Oscillate *Oscillate
	// Breaths paces breath reps; nil for timed work.
	Breaths *Breaths
	// Count paces reps at the listener's own movement, one every Tempo,
	// counted aloud (ten bridges); nil for the other kinds.
	Count    *Count
	Announce Announce
}

// Count is a set of reps at a tempo: each rep starts with a soft tick and
// its number, and lasts Tempo.
type Count struct {
	Reps  IntRange
	Tempo DurationRange
}

// Timed reports whether the step's work is a duration (not reps).
func (s *Step) Timed() bool { return s.Breaths == nil && s.Count == nil }

// RepRange returns the range of reps of a breath or counted step, and
// whether the step has reps.
func (s *Step) RepRange() (IntRange, bool) {
	switch {
	case s.Breaths != nil:
		return s.Breaths.Reps, true
	case s.Count != nil:
		return s.Count.Reps, true
	}
	return IntRange{}, false
}

// Oscillate is the rolling rhythm: one cycle up and down per Period.
type Oscillate struct {
	Period time.Duration
	// Travel is a hint for the cue texts ("a few inches"); not spoken.
	Travel string
}

// Phase names a breath phase.
type Phase string

// The breath phases in the order a rep goes through them.
const (
	Inhale Phase = "inhale"
	Exhale Phase = "exhale"
	Hold   Phase = "hold"
	Return Phase = "return"
)

// Phases lists the breath phases in the order of the short keys (a
// pattern may have any order).
var Phases = []Phase{Inhale, Exhale, Hold, Return}

// Speak says on which reps the phase cues are spoken.
type Speak string

// The choices of Speak.
const (
	SpeakFirst Speak = "first" // on the first rep only, then tones alone
	SpeakAll   Speak = "all"   // on every rep
	SpeakNone  Speak = "none"  // never: tones alone
)

// Breaths paces breath reps, each going through the phases of Pattern.
type Breaths struct {
	Reps IntRange
	// Pattern is one breath, phase by phase, in order: the file's
	// pattern (any order, a phase more than once), or the short keys
	// inhale, exhale, hold and return in that order.
	Pattern []BreathPhase
	// Speak says on which reps the phase cues are spoken.
	Speak Speak
	// Count speaks the rep number at the start of each rep after the
	// first (announcements of the last reps replace it).
	Count bool
}

// BreathPhase is one phase of a breath: its kind (which sets its tone),
// how long it lasts, and the cue spoken as it begins (nil: none).
type BreathPhase struct {
	Phase  Phase
	Length DurationRange
	Cue    *Cue
	Pos    Pos
}

// Cues returns every cue the routine speaks, in file order, each id once.
func (r *Routine) Cues() []Cue {
	var out []Cue
	seen := map[string]bool{}
	add := func(cs ...Cue) {
		for _, c := range cs {
			if !seen[c.ID] {
				seen[c.ID] = true
				out = append(out, c)
			}
		}
	}
	add(r.Intro...)
	for _, l := range Levels {
		if c := r.Plan[l]; c != nil {
			add(*c)
		}
	}
	for _, s := range r.Steps {
		add(s.Setup...)
		if s.Start != nil {
			add(*s.Start)
		}
		add(s.Between...)
		if s.Breaths != nil {
			for _, ph := range s.Breaths.Pattern {
				if ph.Cue != nil {
					add(*ph.Cue)
				}
			}
		}
	}
	add(r.Outro...)
	return out
}

// FormatDuration writes d the way routine files do: "45s", "1.5s", "2m",
// "1m30s".
func FormatDuration(d time.Duration) string {
	if d%time.Second != 0 || d < time.Minute {
		return fmt.Sprintf("%gs", d.Seconds())
	}
	m, s := d/time.Minute, (d%time.Minute)/time.Second
	if s == 0 {
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dm%ds", m, s)
}

// Find returns the first phase of kind p in the pattern, and whether
// there is one.
func (b *Breaths) Find(p Phase) (BreathPhase, bool) {
	for _, ph := range b.Pattern {
		if ph.Phase == p {
			return ph, true
		}
	}
	return BreathPhase{}, false
}
