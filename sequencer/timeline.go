package sequencer

import (
	"encoding/json"
	"fmt"
	"time"
)

// Kind says what an event sounds like, or that it is a silent mark.
type Kind string

// The kinds of timeline events.
const (
	// KindVoice is a spoken cue clip; Event.Cue names it.
	KindVoice Kind = "voice"
	// KindTone is a signal tone (chime, pip, end); Event.Tone names it.
	KindTone Kind = "tone"
	// KindPacing is one tick of the movement rhythm; Event.Tone names it.
	KindPacing Kind = "pacing"
	// KindBreath is one breath phase; Event.Tone names the phase.
	KindBreath Kind = "breath"
	// KindMark is silent: a step or segment boundary that skips seek to.
	KindMark Kind = "mark"
	// KindWait is a point where the session waits for the listener: a
	// player holds inside it (looping it, with the reminder tone at its
	// end) until play or next. A render, with no one to wait for, plays
	// it once: Length is the reminder interval (Options.WaitLength).
	KindWait Kind = "wait"
	// KindWake is the wake-up hum (see Wake): a sound for the output, not
	// for the listener, below hearing on headphones.
	KindWake Kind = "wake"
)

// Tone names the sequencer emits. The audio engine gives each one a
// sound; the sequencer only decides when it starts and how long it lasts.
const (
	ToneChime    = "chime"     // a part begins
	TonePip      = "pip"       // one countdown beat
	ToneZero     = "zero"      // the countdown reached zero: the work is over
	ToneTickUp   = "tick-up"   // first half of an oscillation cycle
	ToneTickDown = "tick-down" // second half of an oscillation cycle
	ToneInhale   = "inhale"    // breath phase: breathe in
	ToneExhale   = "exhale"    // breath phase: exhale fully while extending
	ToneHold     = "hold"      // breath phase: hold the extension
	ToneReturn   = "return"    // breath phase: come back to the start
	ToneEnd      = "end"       // the session is complete
	ToneReminder = "reminder"  // the session waits for the listener: play or next goes on
	ToneWake     = "wake"      // the wake-up hum (KindWake)
)

// Event is one thing that happens on the timeline. Times are whole
// milliseconds; at an output rate R the event starts at sample
// floor(Start*R/1s) and lasts floor(Length*R/1s) samples.
type Event struct {
	Start  time.Duration
	Length time.Duration
	Kind   Kind
	// Cue is the clip id of a voice event.
	Cue string
	// Tone is the tone, pacing tick or breath phase name for the
	// non-voice kinds (see the Tone constants).
	Tone string
	// GainDB is the event's level relative to full scale voice (0 dB).
	GainDB float64
	// Ducked is true for a non-voice event that overlaps speech: the mixer
	// lowers it under the voice.
	Ducked bool
	// Step is the index of the routine step the event belongs to.
	Step int
	// Segment is the repeat (segment) index within the step, from 0.
	Segment int
	// Rep is the breath rep within the segment, from 1, or 0 outside reps.
	Rep int
	// Label is a human description, set on marks.
	Label string
}

// End is the time just after the event.
func (e Event) End() time.Duration { return e.Start + e.Length }

// Audible reports whether the event makes a sound.
func (e Event) Audible() bool { return e.Kind != KindMark && e.Kind != KindWait }

// StepInfo describes one step (part) of a compiled session.
type StepInfo struct {
	ID       string
	Name     string
	Start    time.Duration
	End      time.Duration
	Segments int           // per side
	Work     time.Duration // per segment, for timed steps
	Reps     int           // for breath-paced and counted steps
	Tempo    time.Duration // one rep, for counted steps
	Sides    []string      // the sides, in order; nil for none
}

// Timeline is a compiled session: plain data, sorted by Start.
type Timeline struct {
	Routine string
	Name    string
	Level   string
	Length  time.Duration
	Steps   []StepInfo
	Events  []Event
	// Estimated lists the cue ids whose length was estimated from their
	// text because no clip length was known.
	Estimated []string
}

// Marks returns the mark events in order: the places next/previous seek to.
func (t *Timeline) Marks() []Event { return t.ofKind(KindMark) }

// StepAt returns the index of the step playing at d, or -1 past the end.
func (t *Timeline) StepAt(d time.Duration) int {
	for i, s := range t.Steps {
		if d >= s.Start && d < s.End {
			return i
		}
	}
	return -1
}

// JSON form: milliseconds as integers, keys in snake case. This form is
// documented in docs/timeline.md and kept stable.
type jsonEvent struct {
	StartMS  int64   `json:"start_ms"`
	LengthMS int64   `json:"length_ms"`
	Kind     Kind    `json:"kind"`
	Cue      string  `json:"cue,omitempty"`
	Tone     string  `json:"tone,omitempty"`
	GainDB   float64 `json:"gain_db"`
	Ducked   bool    `json:"ducked,omitempty"`
	Step     int     `json:"step"`
	Segment  int     `json:"segment"`
	Rep      int     `json:"rep,omitempty"`
	Label    string  `json:"label,omitempty"`
}

type jsonStep struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	StartMS  int64    `json:"start_ms"`
	EndMS    int64    `json:"end_ms"`
	Segments int      `json:"segments"`
	WorkMS   int64    `json:"work_ms,omitempty"`
	Reps     int      `json:"reps,omitempty"`
	TempoMS  int64    `json:"tempo_ms,omitempty"`
	Sides    []string `json:"sides,omitempty"`
}

type jsonTimeline struct {
	Routine   string      `json:"routine"`
	Name      string      `json:"name"`
	Level     string      `json:"level"`
	LengthMS  int64       `json:"length_ms"`
	Steps     []jsonStep  `json:"steps"`
	Events    []jsonEvent `json:"events"`
	Estimated []string    `json:"estimated,omitempty"`
}

// MarshalJSON writes the documented JSON form.
func (t *Timeline) MarshalJSON() ([]byte, error) {
	j := jsonTimeline{Routine: t.Routine, Name: t.Name, Level: t.Level,
		LengthMS: t.Length.Milliseconds(), Estimated: t.Estimated,
		Steps: make([]jsonStep, len(t.Steps)), Events: make([]jsonEvent, len(t.Events))}
	for i, s := range t.Steps {
		j.Steps[i] = jsonStep{s.ID, s.Name, s.Start.Milliseconds(), s.End.Milliseconds(),
			s.Segments, s.Work.Milliseconds(), s.Reps, s.Tempo.Milliseconds(), s.Sides}
	}
	for i, e := range t.Events {
		j.Events[i] = jsonEvent{e.Start.Milliseconds(), e.Length.Milliseconds(), e.Kind,
			e.Cue, e.Tone, e.GainDB, e.Ducked, e.Step, e.Segment, e.Rep, e.Label}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the documented JSON form.
func (t *Timeline) UnmarshalJSON(b []byte) error {
	var j jsonTimeline
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	ms := func(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
	*t = Timeline{Routine: j.Routine, Name: j.Name, Level: j.Level, Length: ms(j.LengthMS),
		Estimated: j.Estimated}
	for _, s := range j.Steps {
		t.Steps = append(t.Steps, StepInfo{s.ID, s.Name, ms(s.StartMS), ms(s.EndMS), s.Segments, ms(s.WorkMS), s.Reps, ms(s.TempoMS), s.Sides})
	}
	for _, e := range j.Events {
		if e.LengthMS < 0 || e.StartMS < 0 {
			return fmt.Errorf("timeline: event at %d ms has a negative time", e.StartMS)
		}
		t.Events = append(t.Events, Event{ms(e.StartMS), ms(e.LengthMS), e.Kind, e.Cue, e.Tone,
			e.GainDB, e.Ducked, e.Step, e.Segment, e.Rep, e.Label})
	}
	return nil
}

// Silence is a stretch of the session where nothing sounds.
type Silence struct {
	Start, End time.Duration
	// Step is the part it begins in (-1 before the first); After is the
	// last sound before it (its Kind is "" when it opens the session).
	Step  int
	After Event
}

// Silences returns every stretch longer than limit in which no event of t
// sounds (the session's lead-in and tail included), in order: what a
// listener with eyes closed may take for the end.
func (t *Timeline) Silences(limit time.Duration) []Silence {
	var out []Silence
	var last Event
	var end time.Duration // the end of the sound so far
	add := func(to time.Duration) {
		if to-end > limit {
			out = append(out, Silence{Start: end, End: to, Step: t.StepAt(end), After: last})
		}
	}
	for _, e := range t.Events {
		if (!e.Audible() && e.Kind != KindWait) || e.Kind == KindWake { // a wait's silence is the listener's: its reminder sounds; the hum is not for the ear
			continue
		}
		if e.Start > end {
			add(e.Start)
		}
		if e.End() > end {
			end, last = e.End(), e
		}
	}
	add(t.Length)
	return out
}

// Waits returns the session's waits, in order.
func (t *Timeline) Waits() []Event { return t.ofKind(KindWait) }

// ofKind returns the events of kind k, in order.
func (t *Timeline) ofKind(k Kind) []Event {
	var out []Event
	for _, e := range t.Events {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

// Timed is how long the session lasts without its waits: the time it
// takes on the clock, which a warm-up budget bounds (a wait is the
// listener's time, not the session's).
func (t *Timeline) Timed() time.Duration {
	d := t.Length
	for _, w := range t.Waits() {
		d -= w.Length
	}
	return d
}
