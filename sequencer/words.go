package sequencer

import (
	"fmt"

	"github.com/cued-dev/cued/routine"
)

// Shared word cue ids: spoken by every routine, recorded once in each voice
// pack. Routine cue ids may not use the num- and word- prefixes.
const (
	WordBegin    = "word-begin"
	WordHalfway  = "word-halfway"
	WordLastOne  = "word-last-one"
	WordComplete = "word-complete"
)

// maxNumber is the highest rep number the shared words can count.
const maxNumber = routine.MaxCount

var numberWords = []string{"zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight",
	"Nine", "Ten", "Eleven", "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen",
	"Seventeen", "Eighteen", "Nineteen", "Twenty"}

// NumberCue is the cue id that speaks the number n (1 to 20).
func NumberCue(n int) string { return fmt.Sprintf("num-%d", n) }

// SideCue is the cue id that announces a side as it begins: the first
// side ("Left side.", "Side one.") or a later one ("Now the right side.",
// "Now side two.").
func SideCue(side string, first bool) string {
	if first {
		return "word-side-" + side
	}
	return "word-now-" + side
}

// LastCue is the cue id that announces the last n reps (2 to 5).
func LastCue(n int) string { return fmt.Sprintf("word-last-%d", n) }

// SegmentCue is the cue id that says which segment begins: "Last
// segment." for the last, else "Segment two." and so on (up to
// maxSegmentWord; later ones have none: "").
func SegmentCue(n int, last bool) string {
	switch {
	case last:
		return WordLastSegment
	case n >= 2 && n <= maxSegmentWord:
		return fmt.Sprintf("word-segment-%d", n)
	}
	return ""
}

// RoundCue is the cue id that says which round begins: "Last round." for
// the last, else "Round two." and so on (rounds go to routine.MaxRounds).
func RoundCue(n int, last bool) string {
	if last {
		return WordLastRound
	}
	return fmt.Sprintf("word-round-%d", n)
}

// WordLastRound says the last round begins.
const WordLastRound = "word-last-round"

// maxSegmentWord is the highest segment number the shared words say.
const maxSegmentWord = 10

// WordLastSegment says the last segment (of a part or side) begins.
const WordLastSegment = "word-last-segment"

// Words returns every shared word: cue id to spoken text.
func Words() map[string]string {
	w := map[string]string{
		WordBegin:    "Begin.",
		WordHalfway:  "Halfway.",
		WordLastOne:  "Last one.",
		WordComplete: "Session complete. Well done.",
	}
	for n := 1; n <= maxNumber; n++ {
		w[NumberCue(n)] = numberWords[n] + "."
	}
	for n := 2; n <= 5; n++ {
		w[LastCue(n)] = "Last " + lower(numberWords[n]) + "."
	}
	w[WordLastSegment] = "Last segment."
	w[WordLastRound] = "Last round."
	for n := 2; n < routine.MaxRounds; n++ {
		w[RoundCue(n, false)] = "Round " + lower(numberWords[n]) + "."
	}
	for n := 2; n <= maxSegmentWord; n++ {
		w[SegmentCue(n, false)] = "Segment " + lower(numberWords[n]) + "."
	}
	for _, side := range []string{"left", "right"} {
		w[SideCue(side, true)] = upper(side) + " side."
		w[SideCue(side, false)] = "Now the " + side + " side."
	}
	whereWords(w)
	w[SideCue("1", true)] = "Side one."
	for n := 2; n <= 4; n++ {
		w[SideCue(fmt.Sprint(n), false)] = "Now side " + lower(numberWords[n]) + "."
	}
	return w
}

func upper(s string) string {
	b := []byte(s)
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

func lower(s string) string {
	b := []byte(s)
	if len(b) > 0 && b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}
