package audio

import (
	"math"
	"sort"
)

// span is a half-open range of samples [start, end).
type span struct{ start, end int }

// duckPiece is one piece of the duck envelope, the gain applied to every
// non-voice source: over [start, end) it is gain, or, when ramp is not nil,
// ramp[p-origin] at sample p. The pieces of an envelope tile [0, length).
type duckPiece struct {
	start, end int
	gain       float32
	ramp       []float32
	origin     int
}

// duckTables returns the raised-cosine ramps of n samples from 1 down to g
// and from g back up to 1. Neither contains its end values, so the
// envelope never repeats a sample at a piece boundary.
func duckTables(g float64, n int) (down, up []float32) {
	down, up = make([]float32, n), make([]float32, n)
	for i := range n {
		x := 0.5 - 0.5*math.Cos(math.Pi*float64(i+1)/float64(n+1))
		down[i] = float32(1 - (1-g)*x)
		up[i] = float32(g + (1-g)*x)
	}
	return down, up
}

// duckEnvelope computes the duck envelope over [0, length) for the given
// voice spans: gain g while any voice plays, 1 elsewhere, with ramps of n
// samples that finish going down as a voice starts and start going up as it
// ends. Voices closer together than two ramps stay ducked in between, so
// ramps never overlap. The result is a pure function of its arguments.
func duckEnvelope(voices []span, length int, g float64, n int) []duckPiece {
	if g == 1 || len(voices) == 0 || n <= 0 {
		if length == 0 {
			return nil
		}
		return []duckPiece{{start: 0, end: length, gain: 1}}
	}
	vs := append([]span(nil), voices...)
	sort.Slice(vs, func(i, j int) bool { return vs[i].start < vs[j].start })
	merged := []span{vs[0]}
	for _, v := range vs[1:] {
		last := &merged[len(merged)-1]
		if v.start-n <= last.end+n {
			last.end = max(last.end, v.end)
			continue
		}
		merged = append(merged, v)
	}
	down, up := duckTables(g, n)
	var ps []duckPiece
	add := func(p duckPiece) {
		p.start, p.end = max(p.start, 0), min(p.end, length)
		if p.start < p.end {
			ps = append(ps, p)
		}
	}
	at := 0
	for _, v := range merged {
		add(duckPiece{start: at, end: v.start - n, gain: 1})
		add(duckPiece{start: v.start - n, end: v.start, ramp: down, origin: v.start - n})
		add(duckPiece{start: v.start, end: v.end, gain: float32(g)})
		add(duckPiece{start: v.end, end: v.end + n, ramp: up, origin: v.end})
		at = v.end + n
	}
	add(duckPiece{start: at, end: length, gain: 1})
	return ps
}
