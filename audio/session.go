package audio

import (
	"fmt"
	"slices"
	"time"

	"github.com/gopxl/beep/v2"

	"github.com/cued-dev/cued/sequencer"
)

// Session is the mix of one timeline: a beep.StreamSeeker of stereo
// samples (the mono mix on both channels) at Format().SampleRate.
//
// Its samples are a pure function of the position: Seek(p) then Stream
// gives the same samples as a full render has at p, and streaming in chunks
// of any size gives the same samples as one large read. Stream, Seek,
// Position and Len never allocate and never block, so they are safe to call
// under the player's lock. A Session is not safe for concurrent use: the
// player's lock (or the caller) must serialise calls.
type Session struct {
	Index
	srcs      []source
	stretches []stretch
	active    []int

	pos int // next sample to stream
	cur int // index of the stretch that contains pos, while pos < length
	mix []float32
}

var _ beep.StreamSeeker = (*Session)(nil)

// Format is the format of the samples Stream produces: the options' rate,
// two channels, and a precision of 2 bytes, the resolution the player and
// 16-bit renders use.
func (s *Session) Format() beep.Format {
	return beep.Format{SampleRate: beep.SampleRate(s.rate), NumChannels: 2, Precision: 2}
}

// Stream fills samples with the mix from the current position on and
// advances it. It returns fewer samples than asked only at the end of the
// session, and (0, false) once the position is at the end.
func (s *Session) Stream(samples [][2]float64) (n int, ok bool) {
	if s.pos >= s.length {
		return 0, false
	}
	want := min(len(samples), s.length-s.pos)
	for n < want {
		sg := &s.stretches[s.cur]
		m := min(want-n, sg.end-s.pos, len(s.mix))
		s.mixStretch(sg, s.pos, samples[n:n+m])
		n += m
		s.pos += m
		if s.pos >= sg.end && s.cur < len(s.stretches)-1 {
			s.cur++
		}
	}
	return n, true
}

// Err always returns nil: everything that can fail is checked by
// NewSession.
func (s *Session) Err() error { return nil }

// Len is the length of the session in samples: the timeline's length, or
// the end of the last sound if a clip runs past it.
func (x *Index) Len() int { return x.length }

// Position is the index of the next sample Stream will produce.
func (s *Session) Position() int { return s.pos }

// Seek moves the position to sample p, from 0 to Len() inclusive. It is
// exact to the sample and costs a binary search; the position is unchanged
// on error.
func (s *Session) Seek(p int) error {
	if p < 0 || p > s.length {
		return fmt.Errorf("audio: seek to sample %d is outside the session (0 to %d)", p, s.length)
	}
	lo, hi := 0, len(s.stretches)
	for lo < hi { // first stretch that ends after p
		mid := int(uint(lo+hi) >> 1)
		if s.stretches[mid].end <= p {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	s.pos, s.cur = p, min(lo, max(len(s.stretches)-1, 0))
	return nil
}

// Sample converts a time from the start of the session to a sample index,
// as the sequencer defines it: floor(d*rate/1s). Negative times give 0.
func (x *Index) Sample(d time.Duration) int {
	return samples(max(d, 0), x.rate)
}

// Time converts a sample index to the time from the start of the session,
// rounded down to the nanosecond.
func (x *Index) Time(p int) time.Duration {
	r := int64(x.rate)
	return time.Duration(int64(p)/r)*time.Second + time.Duration(int64(p)%r*int64(time.Second)/r)
}

// Marks returns the sample positions of the timeline's marks (step and
// segment boundaries), distinct and sorted. The slice is shared: do not
// modify it.
func (x *Index) Marks() []int { return x.marks }

// MarkAfter returns the first mark strictly after sample p: where "next"
// skips to. Inside a wait it is the wait's end (next is how a listener
// says "go on"). It reports false when there is none.
func (x *Index) MarkAfter(p int) (int, bool) {
	if _, end, ok := x.WaitAt(p); ok {
		return end, true
	}
	for _, m := range x.marks {
		if m > p {
			return m, true
		}
	}
	return 0, false
}

// MarkBefore returns the last mark strictly before sample p: where
// "previous" skips to (a caller that wants "restart this part first" passes
// p less a grace period). It reports false when there is none.
func (x *Index) MarkBefore(p int) (int, bool) {
	for i := len(x.marks) - 1; i >= 0; i-- {
		if x.marks[i] < p {
			return x.marks[i], true
		}
	}
	return 0, false
}

// PrevGrace is how far into a part or segment "prev" still goes back to the
// one before; later, it goes back to the start of this one.
const PrevGrace = 2 * time.Second

// Prev returns where "prev" goes from sample p: the start of the part or
// segment p is in, or of the one before while p is within PrevGrace of
// that start, or 0. It is the one rule for `cued play`'s key and the
// daemon's prev.
func (x *Index) Prev(p int) int {
	m, ok := x.MarkBefore(max(p-x.Sample(PrevGrace), 0) + 1)
	if !ok {
		return 0
	}
	return m
}

// Index is where a session's parts and segments begin and how long it is,
// in samples at its rate: what skipping and saying where a session is
// need, without the mix. A Session carries its Index; NewIndex gives the
// same one from the timeline alone, for a caller that does not mix (the
// daemon, whose sink child mixes).
type Index struct {
	rate   int
	length int
	marks  []int
	waits  []Span
}

// NewIndex lays out tl's marks and length at rate as NewSession does: a
// mark at floor(start*rate/1s), the length floor(tl.Length*rate/1s).
// (NewSession lengthens a session whose sounds end after tl.Length, which
// a compiled timeline never has.)
func NewIndex(tl *sequencer.Timeline, rate int) *Index {
	return newIndex(rate, samples(max(tl.Length, 0), rate), markSamples(tl, rate), waitSpans(tl, rate))
}

// waitSpans is where tl's waits begin and end, in samples at rate.
func waitSpans(tl *sequencer.Timeline, rate int) []Span {
	var out []Span
	for _, e := range tl.Waits() {
		out = append(out, Span{samples(max(e.Start, 0), rate), samples(max(e.End(), 0), rate)})
	}
	return out
}

// Span is the samples from Start up to (not including) End.
type Span struct{ Start, End int }

// markSamples is where tl's marks begin, in samples at rate.
func markSamples(tl *sequencer.Timeline, rate int) []int {
	var marks []int
	for _, e := range tl.Events {
		if e.Kind == sequencer.KindMark {
			marks = append(marks, samples(max(e.Start, 0), rate))
		}
	}
	return marks
}

// newIndex keeps the distinct marks within [0, length], sorted, and the
// waits that lie within it, in order.
func newIndex(rate, length int, marks []int, waits []Span) *Index {
	out := make([]int, 0, len(marks))
	for _, m := range marks {
		out = append(out, min(m, length))
	}
	slices.Sort(out)
	var ws []Span
	for _, w := range waits {
		if 0 <= w.Start && w.Start < w.End && w.End <= length {
			ws = append(ws, w)
		}
	}
	slices.SortFunc(ws, func(a, b Span) int { return a.Start - b.Start })
	return &Index{rate: rate, length: length, marks: slices.Compact(out), waits: ws}
}

// Waits returns the session's waits (see sequencer.KindWait), in order.
// The slice is shared: do not modify it.
func (x *Index) Waits() []Span { return x.waits }

// WaitAt returns the start and end of the wait sample p is in, and
// whether it is in one.
func (x *Index) WaitAt(p int) (start, end int, ok bool) {
	for _, w := range x.waits {
		if w.Start <= p && p < w.End {
			return w.Start, w.End, true
		}
	}
	return 0, 0, false
}

// Loops returns the waits as the spans a live player holds in, looping
// each until a seek leaves it (playback.Looper); a render plays them once.
func (s *Session) Loops() [][2]int {
	out := make([][2]int, len(s.waits))
	for i, w := range s.waits {
		out[i] = [2]int{w.Start, w.End}
	}
	return out
}
