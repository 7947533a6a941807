package audio

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/cued-dev/cued/sequencer"
)

// source is one buffer placed on the session: buf[0] sounds at start and
// len(buf) == end-start. Voice sources are never ducked.
type source struct {
	start, end int
	buf        []float32
	gain       float32
	voice      bool
	// peak bounds |buf[i]*gain|; the limiter plan adds them up.
	peak float32
}

// stretch is a part of the session over which nothing starts or stops
// (not a routine's segment, a repetition of a step):
// the same sources are active (active[first:first+count], in a fixed order,
// so that sums are the same whatever the chunking) and the duck envelope is
// one piece.
type stretch struct {
	start, end   int
	first, count int
	// duck is the envelope piece applied to the non-voice sources.
	duck duckPiece
	// limit is set where the peaks of the active sources could add up to
	// more than the knee, and only there the soft knee runs.
	limit bool
}

// toneKey identifies a distinct tone buffer: the same sound at the same
// length and level is synthesised once.
type toneKey struct {
	name   string
	kind   sequencer.Kind
	n      int
	gainDB float64
}

// toneBuf is a synthesised tone and its peak.
type toneBuf struct {
	buf  []float32
	peak float32
}

// voiceParts is a clip cut for mixing: the head and tail are faded copies
// of its first and last voiceFade, the body is the bank's own samples.
type voiceParts struct {
	head, body, tail []float32
	peak             float32
}

// planner builds a Session.
type planner struct {
	// synth is false for Check: everything is checked, no tone is made.
	synth  bool
	o      Options
	clips  Clips
	srcs   []source
	tones  map[toneKey]toneBuf
	voices map[string]*voiceParts
}

// NewSession prepares the mix of tl. It checks everything that could go
// wrong (a clip the bank lacks, a tone name without a pitch, a bad option
// or time) and synthesises every tone, so that streaming cannot fail. The
// session keeps references to the clips; tl may change afterwards.
func NewSession(tl *sequencer.Timeline, clips Clips, o Options) (*Session, error) {
	return build(tl, clips, o, true)
}

// Check reports what NewSession would refuse in tl, clips and o, without
// synthesising the tones: for a caller that does not mix (the daemon,
// whose sink child mixes the session) and must still refuse a session that
// could not play, in a third of the time.
func Check(tl *sequencer.Timeline, clips Clips, o Options) error {
	_, err := build(tl, clips, o, false)
	return err
}

func build(tl *sequencer.Timeline, clips Clips, o Options, synth bool) (*Session, error) {
	if tl == nil {
		return nil, errors.New("audio: nil timeline")
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	p := &planner{synth: synth, o: o, clips: clips, tones: map[toneKey]toneBuf{}, voices: map[string]*voiceParts{}}
	length := samples(max(tl.Length, 0), o.Rate)
	for i, e := range tl.Events {
		if e.Start < 0 || e.Length < 0 {
			return nil, fmt.Errorf("audio: event %d (%s at %v) has a negative time", i, e.Kind, e.Start)
		}
		if math.IsNaN(e.GainDB) || e.GainDB > 24 || e.GainDB < -200 {
			return nil, fmt.Errorf("audio: event %d (%s at %v) has level %g dB", i, e.Kind, e.Start, e.GainDB)
		}
		var err error
		switch e.Kind {
		case sequencer.KindMark, sequencer.KindWait:
		case sequencer.KindVoice:
			err = p.addVoice(e)
		case sequencer.KindTone, sequencer.KindPacing, sequencer.KindBreath, sequencer.KindWake:
			err = p.addTone(e)
		default:
			err = fmt.Errorf("audio: event %d at %v has unknown kind %q", i, e.Start, e.Kind)
		}
		if err != nil {
			return nil, err
		}
	}
	if !synth {
		return nil, nil
	}
	for _, s := range p.srcs {
		length = max(length, s.end)
	}
	s := &Session{Index: *newIndex(o.Rate, length, markSamples(tl, o.Rate), waitSpans(tl, o.Rate)), srcs: p.srcs, mix: make([]float32, chunkFrames)}
	s.stretches, s.active = plan(p.srcs, length, o)
	return s, nil
}

func (p *planner) addVoice(e sequencer.Event) error {
	if p.clips == nil {
		return fmt.Errorf("audio: voice cue %q at %v: no clips given", e.Cue, e.Start)
	}
	v := p.voices[e.Cue]
	if v == nil {
		clip, ok := p.clips.Clip(e.Cue)
		if !ok {
			return fmt.Errorf("audio: voice cue %q at %v: the voice bank has no clip for it", e.Cue, e.Start)
		}
		v = splitClip(clip, samples(voiceFade, p.o.Rate))
		if v == nil {
			return fmt.Errorf("audio: voice cue %q: the clip has a sample that is not a finite number", e.Cue)
		}
		p.voices[e.Cue] = v
	}
	g := float32(dbToGain(p.o.Volume.DB(e.Kind) + e.GainDB))
	at := samples(e.Start, p.o.Rate)
	for _, b := range [][]float32{v.head, v.body, v.tail} {
		if len(b) > 0 {
			p.srcs = append(p.srcs, source{start: at, end: at + len(b), buf: b, gain: g, voice: true, peak: v.peak * g})
			at += len(b)
		}
	}
	return nil
}

// splitClip cuts clip into a faded head, the untouched body and a faded
// tail (or one faded copy when the clip is too short to cut), and measures
// its peak. It returns nil if a sample is NaN or infinite.
func splitClip(clip []float32, fade int) *voiceParts {
	v := &voiceParts{}
	var lo, hi, bad float32
	for _, x := range clip {
		if x > hi {
			hi = x
		}
		if x < lo {
			lo = x
		}
		bad += x - x // NaN for a NaN or an infinity, and then for good
	}
	if bad != 0 {
		return nil
	}
	v.peak = max(hi, -lo)
	faded := func(b []float32, in, out bool) []float32 {
		c := slices.Clone(b)
		for i := 0; i <= fade && i < len(c); i++ {
			g := float32(rc(i, fade))
			if in {
				c[i] *= g
			}
			if out {
				c[len(c)-1-i] *= g
			}
		}
		return c
	}
	if len(clip) <= 4*fade {
		v.head = faded(clip, true, true)
		return v
	}
	v.head = faded(clip[:fade+1], true, false)
	v.body = clip[fade+1 : len(clip)-fade-1]
	v.tail = faded(clip[len(clip)-fade-1:], false, true)
	return v
}

func (p *planner) addTone(e sequencer.Event) error {
	t, ok := p.o.Tones[e.Tone]
	if !ok {
		return fmt.Errorf("audio: tone %q (%s event at %v) has no pitch in the audio options", e.Tone, e.Kind, e.Start)
	}
	n := samples(e.Length, p.o.Rate)
	if n == 0 || !p.synth {
		return nil
	}
	k := toneKey{e.Tone, e.Kind, n, e.GainDB}
	tb, ok := p.tones[k]
	if !ok {
		tb.buf = synthTone(designFor(e.Kind, e.Tone), t, n, p.o.Rate, dbToGain(e.GainDB))
		for _, x := range tb.buf {
			tb.peak = max(tb.peak, x, -x)
		}
		p.tones[k] = tb
	}
	if len(tb.buf) == 0 {
		return nil
	}
	at := samples(e.Start, p.o.Rate)
	g := float32(dbToGain(p.o.Volume.DB(e.Kind)))
	p.srcs = append(p.srcs, source{start: at, end: at + len(tb.buf), buf: tb.buf, gain: g, peak: tb.peak * g})
	return nil
}

// plan cuts [0, length) into stretches at every source start and end and
// every duck envelope boundary, and lists the sources active in each.
func plan(srcs []source, length int, o Options) ([]stretch, []int) {
	var voices []span
	pts := []int{0, length}
	for _, s := range srcs {
		pts = append(pts, s.start, s.end)
		if s.voice {
			voices = append(voices, span{s.start, s.end})
		}
	}
	pieces := duckEnvelope(voices, length, dbToGain(o.DuckDB), samples(duckRamp, o.Rate))
	for _, d := range pieces {
		pts = append(pts, d.start, d.end)
	}
	slices.Sort(pts)
	pts = slices.Compact(pts)

	order := make([]int, len(srcs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return srcs[a].start - srcs[b].start })

	var stretches []stretch
	var active, act []int
	next, dp := 0, 0
	for k := 0; k+1 < len(pts) && pts[k] < length; k++ {
		a, b := pts[k], min(pts[k+1], length)
		keep := act[:0]
		for _, si := range act {
			if srcs[si].end > a {
				keep = append(keep, si)
			}
		}
		act = keep
		for ; next < len(order) && srcs[order[next]].start <= a; next++ {
			if srcs[order[next]].end > a {
				act = append(act, order[next])
			}
		}
		for dp < len(pieces)-1 && pieces[dp].end <= a {
			dp++
		}
		sg := stretch{start: a, end: b, first: len(active), count: len(act), duck: pieces[dp]}
		active = append(active, act...)
		var sum float32
		for _, si := range act {
			pk := srcs[si].peak
			if !srcs[si].voice && sg.duck.ramp == nil {
				pk *= sg.duck.gain
			}
			sum += pk
		}
		sg.limit = sum > kneeT
		stretches = append(stretches, sg)
	}
	return stretches, active
}
