package picture

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

// TimelineOptions shape a timeline picture.
type TimelineOptions struct {
	// Texts maps a voice cue's id to what it says (sequencer.CueTexts):
	// the cue's label; the id where it has none.
	Texts map[string]string
	// Row is how much of the session one row of the picture shows (0:
	// DefaultRow). A long session takes more rows, not a denser axis, so
	// that a 30-minute session reads as well as a 5-minute one.
	Row time.Duration
}

// DefaultRow is the time one row shows: at the picture's width, about 21
// pixels a second, room for the label of a two-second cue.
const DefaultRow = time.Minute

// The picture's geometry, in pixels.
const (
	width     = 1340.0
	margin    = 20.0
	axisLeft  = 70.0 // the lanes' names go left of it
	axisWidth = width - axisLeft - margin
	headH     = 86.0 // title and legend
	// A row's lanes, top to bottom.
	partY, partH     = 0.0, 22.0
	voiceY, voiceH   = 28.0, 18.0
	labelY           = 60.0 // the baseline of voice labels
	toneY, toneH     = 68.0, 16.0
	breathY, breathH = 90.0, 30.0
	axisY            = 128.0
	rowH             = 150.0
)

// The palette: one colour per kind of thing drawn.
var colors = map[string]string{
	"part-a": "#dbe9f6", "part-b": "#e3f1df", "voice": "#2b5d8a", "tone": "#d9822b",
	"pacing": "#8a8a8a", "breath": "#1f8a70", "wait": "#c0392b", "wake": "#b9b9b9", "mark": "#555555",
}

// Timeline draws tl as an SVG picture on w: the session in rows of
// o.Row on a time axis, each row with its parts (and segments or sides)
// as labelled bands, each voice cue as a block labelled with what it says,
// the tones (chime, countdown pips, the zero, the end) and the marks as
// ticks, the pacing ticks as short strokes, the breath as a line that
// rises while breathing in, falls while breathing out and stays flat
// through holds, and each wait as a break; a legend heads it.
func Timeline(w io.Writer, tl *sequencer.Timeline, o TimelineOptions) error {
	if o.Row <= 0 {
		o.Row = DefaultRow
	}
	rows := max(1, int((tl.Length+o.Row-1)/o.Row))
	d := &timelinePic{tl: tl, o: o, rows: rows}
	doc := &svg{
		Width: num(width), Height: num(headH + float64(rows)*rowH + margin),
		FontFamily: "DejaVu Sans, Verdana, sans-serif", FontSize: 11,
		Title: fmt.Sprintf("%s (%s), level %s: %s", tl.Name, tl.Routine, tl.Level, clock(tl.Length)),
	}
	doc.ViewBox = fmt.Sprintf("0 0 %v %v", doc.Width, doc.Height)
	doc.Kids = append(doc.Kids, rect{X: 0, Y: 0, W: doc.Width, H: doc.Height, Fill: "#ffffff"})
	doc.Kids = append(doc.Kids, d.head()...)
	for r := range rows {
		doc.Kids = append(doc.Kids, d.row(r))
	}
	return doc.write(w)
}

// timelinePic is a timeline being drawn.
type timelinePic struct {
	tl   *sequencer.Timeline
	o    TimelineOptions
	rows int
}

// head is the title line and the legend.
func (d *timelinePic) head() []any {
	tl := d.tl
	kids := []any{
		text{X: margin, Y: 26, Size: 17, Weight: "bold", Text: tl.Name},
		text{X: margin, Y: 44, Fill: "#444444", Text: fmt.Sprintf("%s · level %s · %s · %d parts · %d events",
			tl.Routine, tl.Level, clock(tl.Length), len(tl.Steps), len(tl.Events))},
	}
	x := margin
	for _, it := range []struct{ color, name string }{
		{"part-a", "part (segment or side)"}, {"voice", "voice cue"}, {"tone", "chime, pips, zero, end"},
		{"pacing", "pacing tick"}, {"breath", "breath: in rises, out falls, hold flat"},
		{"wait", "waits for you"}, {"wake", "wake-up hum"}, {"mark", "mark (next/prev)"},
	} {
		kids = append(kids, rect{X: num(x), Y: 58, W: 14, H: 10, Fill: colors[it.color], Class: "legend"},
			text{X: num(x + 18), Y: 67, Text: it.name, Class: "legend"})
		x += 30 + 6.2*float64(len(it.name))
	}
	return kids
}

// row draws the part of the session from r*Row to (r+1)*Row.
func (d *timelinePic) row(r int) group {
	from := time.Duration(r) * d.o.Row
	to := min(from+d.o.Row, d.tl.Length)
	top := headH + float64(r)*rowH
	g := group{Class: "row", Data: data("row", strconv.Itoa(r), "from-ms", ms(from), "to-ms", ms(to))}
	x := func(t time.Duration) float64 { return axisLeft + axisWidth*float64(t-from)/float64(d.o.Row) }
	lane := lanes{top: top, x: x, from: from, to: to}
	g.Kids = append(g.Kids, lane.names()...)
	g.Kids = append(g.Kids, d.parts(lane)...)
	g.Kids = append(g.Kids, d.events(lane)...)
	g.Kids = append(g.Kids, d.breath(lane)...)
	g.Kids = append(g.Kids, lane.axis()...)
	return g
}

// lanes is one row's place on the page: its top and its time axis.
type lanes struct {
	top      float64
	x        func(time.Duration) float64
	from, to time.Duration
}

// clip is the part of [start, end) that falls in the row, and whether
// any does (an instant at the row's start does).
func (l lanes) clip(start, end time.Duration) (time.Duration, time.Duration, bool) {
	s, e := max(start, l.from), min(end, l.to)
	return s, e, s < e || start == end && start >= l.from && start < l.to
}

// names labels the lanes at the row's left.
func (l lanes) names() []any {
	var kids []any
	for _, n := range []struct {
		y    float64
		name string
	}{{partY + 15, "part"}, {voiceY + 13, "voice"}, {toneY + 12, "tones"}, {breathY + 19, "breath"}} {
		kids = append(kids, text{X: margin, Y: num(l.top + n.y), Fill: "#666666", Text: n.name, Class: "lane"})
	}
	return kids
}

// axis is the row's time axis: a tick and a label every 10 s.
func (l lanes) axis() []any {
	y := l.top + axisY
	kids := []any{line{X1: num(l.x(l.from)), Y1: num(y), X2: num(l.x(l.to)), Y2: num(y), Stroke: "#999999", Class: "axis"}}
	for t := l.from.Truncate(10 * time.Second); t <= l.to; t += 10 * time.Second {
		if t < l.from {
			continue
		}
		kids = append(kids, line{X1: num(l.x(t)), Y1: num(y), X2: num(l.x(t)), Y2: num(y + 4), Stroke: "#999999", Class: "axis"},
			text{X: num(l.x(t)), Y: num(y + 15), Anchor: "middle", Size: 10, Fill: "#666666", Text: clock(t), Class: "axis"})
	}
	return kids
}

// ms is t in whole milliseconds, as the timeline's JSON gives it.
func ms(t time.Duration) string { return strconv.FormatInt(t.Milliseconds(), 10) }

// clock is t as m:ss.
func clock(t time.Duration) string {
	s := int(t.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// parts draws the row's part bands: one piece per part and segment (a
// mark starts each), labelled with the part's name, then the mark's.
func (d *timelinePic) parts(l lanes) []any {
	var kids []any
	for i, p := range d.pieces() {
		s, e, ok := l.clip(p.start, p.end)
		if !ok || s == e {
			continue
		}
		fill := colors["part-a"]
		if p.step%2 == 1 {
			fill = colors["part-b"]
		}
		x, w := l.x(s), l.x(e)-l.x(s)
		kids = append(kids, rect{X: num(x), Y: num(l.top + partY), W: num(w), H: partH, Fill: fill, Stroke: "#ffffff",
			Class: "part", Tip: fmt.Sprintf("%s: %s to %s", p.label, clock(p.start), clock(p.end)),
			Data: data("step", strconv.Itoa(p.step), "segment", strconv.Itoa(p.segment), "piece", strconv.Itoa(i),
				"start-ms", ms(p.start), "end-ms", ms(p.end))})
		kids = append(kids, text{X: num(x + 4), Y: num(l.top + partY + 15), Text: fit(p.label, w-8), Class: "part-label"})
	}
	return kids
}

// piece is a stretch of one part: from one mark to the next.
type piece struct {
	step, segment int
	start, end    time.Duration
	label         string
}

// pieces cuts the parts at their marks.
func (d *timelinePic) pieces() []piece {
	var ps []piece
	for i, st := range d.tl.Steps {
		p := piece{step: i, start: st.Start, label: fmt.Sprintf("%d %s", i+1, st.Name)}
		for _, e := range d.tl.Events {
			if e.Kind != sequencer.KindMark || e.Step != i || e.Start <= st.Start {
				continue
			}
			p.end = e.Start
			ps = append(ps, p)
			p = piece{step: i, segment: e.Segment, start: e.Start, label: e.Label}
		}
		p.end = st.End
		ps = append(ps, p)
	}
	return ps
}

// events draws the row's voice cues, tones, ticks, marks, waits and hums
// (the breath has its own line, see breath).
func (d *timelinePic) events(l lanes) []any {
	var kids []any
	for i, e := range d.tl.Events {
		s, end, ok := l.clip(e.Start, e.End())
		if !ok || e.Kind == sequencer.KindBreath {
			continue
		}
		att := data("kind", string(e.Kind), "start-ms", ms(e.Start), "length-ms", ms(e.Length), "index", strconv.Itoa(i))
		switch e.Kind {
		case sequencer.KindVoice:
			kids = append(kids, d.voice(l, e, s, end, i, att)...)
		case sequencer.KindWait:
			x := l.x(s)
			kids = append(kids, rect{X: num(x), Y: num(l.top + partY), W: num(max(l.x(end)-x, 2)), H: num(breathY + breathH - partY),
				Fill: "none", Stroke: colors["wait"], Class: "wait", Data: att,
				Tip: fmt.Sprintf("waits for you at %s (play or next goes on; a render plays %s of it)", clock(e.Start), e.Length)})
			if s == e.Start {
				kids = append(kids, text{X: num(x + 4), Y: num(l.top + breathY + breathH - 4), Size: 10, Fill: colors["wait"],
					Text: fit("waits for you", l.x(end)-x-6), Class: "wait-label"})
			}
		case sequencer.KindWake:
			kids = append(kids, rect{X: num(l.x(s)), Y: num(l.top + toneY + toneH - 3), W: num(l.x(end) - l.x(s)), H: 3,
				Fill: colors["wake"], Class: "wake", Data: append(att, data("tone", e.Tone)...), Tip: "wake-up hum " + e.Length.String()})
		default:
			if s == e.Start { // a tick is drawn where it starts, not again on the next row
				kids = append(kids, d.tick(l, e, s, att))
			}
		}
	}
	return kids
}

// voice draws a voice cue: its block, and its label below it, as wide
// as the room to the next cue on the row.
func (d *timelinePic) voice(l lanes, e sequencer.Event, s, end time.Duration, i int, att []xml.Attr) []any {
	say := d.o.Texts[e.Cue]
	if say == "" {
		say = e.Cue
	}
	x := l.x(s)
	kids := []any{rect{X: num(x), Y: num(l.top + voiceY), W: num(max(l.x(end)-x, 1)), H: voiceH, RX: 2,
		Fill: colors["voice"], Class: "voice", Data: append(att, data("cue", e.Cue)...),
		Tip: fmt.Sprintf("%s at %s, %.1f s: %q", e.Cue, clock(e.Start), e.Length.Seconds(), say)}}
	if s != e.Start {
		return kids // the label is on the row where the cue begins
	}
	room := l.x(l.to) - x
	for _, n := range d.tl.Events[i+1:] {
		if n.Kind == sequencer.KindVoice && n.Start > e.Start {
			room = min(room, l.x(n.Start)-x)
			break
		}
	}
	return append(kids, text{X: num(x), Y: num(l.top + labelY), Size: 10, Fill: colors["voice"], Text: fit(say, room-3), Class: "voice-label"})
}

// tick draws a tone, a pacing tick or a mark at its start.
func (d *timelinePic) tick(l lanes, e sequencer.Event, s time.Duration, att []xml.Attr) any {
	x := num(l.x(s))
	y1, y2, c, w := l.top+toneY, l.top+toneY+toneH, colors["tone"], 2.0
	switch e.Kind {
	case sequencer.KindPacing:
		y1, c, w = l.top+toneY+toneH/2, colors["pacing"], 1
	case sequencer.KindMark:
		y1, y2, c, w = l.top+partY, l.top+axisY, colors["mark"], 1
	}
	name := e.Tone
	if e.Kind == sequencer.KindMark {
		name = e.Label
	}
	dash := ""
	if e.Kind == sequencer.KindMark {
		dash = "2 3"
	}
	return line{X1: x, Y1: num(y1), X2: x, Y2: num(y2), Stroke: c, Width: num(w), Dash: dash, Class: string(e.Kind),
		Data: append(att, data("tone", e.Tone)...), Tip: fmt.Sprintf("%s at %s", name, clock(e.Start))}
}

// breath draws the breath phases on the row as one line: in rises, out
// falls, hold and return stay where the breath is.
func (d *timelinePic) breath(l lanes) []any {
	var kids []any
	level := 0.0 // 0 out, 1 in
	for i, e := range d.tl.Events {
		if e.Kind != sequencer.KindBreath {
			continue
		}
		from, to := level, level
		switch e.Tone {
		case sequencer.ToneInhale:
			from, to = 0, 1
		case sequencer.ToneExhale:
			from, to = 1, 0
		}
		level = to
		s, end, ok := l.clip(e.Start, e.End())
		if !ok {
			continue
		}
		at := func(t time.Duration) float64 {
			f := float64(t-e.Start) / float64(max(e.Length, 1))
			return l.top + breathY + breathH*(1-(from+(to-from)*f))
		}
		pts := fmt.Sprintf("%v,%v %v,%v", num(l.x(s)), num(at(s)), num(l.x(end)), num(at(end)))
		kids = append(kids, polyline{Points: pts, Stroke: colors["breath"], Width: 2.5, Fill: "none", Class: "breath",
			Data: data("kind", string(e.Kind), "tone", e.Tone, "rep", strconv.Itoa(e.Rep), "start-ms", ms(e.Start),
				"length-ms", ms(e.Length), "index", strconv.Itoa(i)),
			Tip: fmt.Sprintf("breath %d: %s at %s, %.1f s", e.Rep, e.Tone, clock(e.Start), e.Length.Seconds())})
	}
	return kids
}

// fit is s cut to what fits in px at the labels' size (about 6 pixels a
// character), with an ellipsis where cut; "" where not even that fits.
func fit(s string, px float64) string {
	n := int(px / 6)
	r := []rune(s)
	switch {
	case len(r) <= n:
		return s
	case n < 3:
		return ""
	}
	return string(r[:n-1]) + "…"
}
