package picture

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cued-dev/cued/daemon/history"
)

// Slot is a time of day that the history groups sessions by (morning,
// noon, night). A session belongs to the slot whose time of day is nearest
// to the time of day of its start, on the calendar day it started; a
// session just as near to two slots belongs to the later one.
type Slot struct {
	// Name labels the slot ("morning").
	Name string
	// At is the slot's time of day, as the time since midnight.
	At time.Duration
}

// DefaultSlots returns the slots used when none are given: morning, noon
// and night at 08:00, 14:00 and 20:00, so that a session that starts
// before 11:00 is in the morning, one from 17:00 on at night, and one in
// between at noon.
func DefaultSlots() []Slot {
	return []Slot{{"morning", 8 * time.Hour}, {"noon", 14 * time.Hour}, {"night", 20 * time.Hour}}
}

// SlotsAt returns the slots at the times of day ats (the schedule's times),
// in order, each time once. Each slot is named by its part of the day
// (morning before 11:00, noon before 17:00, night from then on); where two
// would share a name, every slot is named by its time (07:30) instead.
// With no times it returns DefaultSlots.
func SlotsAt(ats []time.Duration) []Slot {
	var out []Slot
	names := map[string]bool{}
	clash := false
	for _, at := range histSortedTimes(ats) {
		n := histPartOfDay(at)
		clash = clash || names[n]
		names[n] = true
		out = append(out, Slot{Name: n, At: at})
	}
	if len(out) == 0 {
		return DefaultSlots()
	}
	for i := range out {
		if clash {
			out[i].Name = histClock(out[i].At)
		}
	}
	return out
}

// histSortedTimes is ats sorted, each time once.
func histSortedTimes(ats []time.Duration) []time.Duration {
	s := append([]time.Duration(nil), ats...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var out []time.Duration
	for i, at := range s {
		if i == 0 || at != s[i-1] {
			out = append(out, at)
		}
	}
	return out
}

// histPartOfDay names the part of the day at falls in.
func histPartOfDay(at time.Duration) string {
	switch {
	case at < 11*time.Hour:
		return "morning"
	case at < 17*time.Hour:
		return "noon"
	}
	return "night"
}

// histClock is a time of day as HH:MM.
func histClock(at time.Duration) string {
	m := int(at / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60%24, m%60)
}

// HistoryOptions says what History draws: plain data, no configuration.
type HistoryOptions struct {
	// Now is the moment drawn at: its day is today, the last day drawn,
	// and its location says where each day begins.
	Now time.Time
	// Days is how many days are drawn, ending today (7 for a week); less
	// than 1 draws 7.
	Days int
	// Goal is the daily goal, in sessions that count; less than 1 is 1.
	Goal int
	// Slots are the slots of a day, in any order; none means DefaultSlots.
	Slots []Slot
	// Rules are the routines' daily rules, each shown on the days where it
	// applies (history.Dailies).
	Rules []history.DailyRule
}

// CellState is what one slot of one day shows.
type CellState string

// The states of a cell.
const (
	// CellCompleted is a slot with at least one session that counts
	// (history.Record.Counts).
	CellCompleted CellState = "completed"
	// CellInterrupted is a slot with sessions of which none counts
	// (stopped, or interrupted before its last part).
	CellInterrupted CellState = "interrupted"
	// CellEmpty is a slot without a session.
	CellEmpty CellState = "empty"
)

// HistoryCell is one slot of one day.
type HistoryCell struct {
	// Slot is the slot's name.
	Slot  string
	State CellState
	// Sessions is the number of sessions in the slot, Counted the number
	// of those that count.
	Sessions, Counted int
}

// HistoryDay is one day of the picture.
type HistoryDay struct {
	// Date is the day's midnight, in the location of HistoryOptions.Now.
	Date  time.Time
	Today bool
	// Cells has one cell per slot, in the order of HistoryGrid.Slots.
	Cells []HistoryCell
	// Counted is the number of the day's sessions that count.
	Counted int
	// Rules has the state at the day's end of each daily rule that applies
	// on that day (history.Daily.InUse), in the order of the rules.
	Rules []history.Daily
}

// RuleState says how a daily rule fared on day d: "done", "missed", or
// "not yet" (today, while not done).
func (d HistoryDay) RuleState(r history.Daily) string {
	switch {
	case r.Today > 0:
		return "done"
	case d.Today:
		return "not yet"
	}
	return "missed"
}

// HistoryGrid is the history as a grid of days by slots, with today's
// count against the goal and the streak. Text and SVG draw it.
type HistoryGrid struct {
	// Days are the days drawn, the oldest first and today last.
	Days []HistoryDay
	// Slots are the slots of a day, in order.
	Slots []Slot
	// Goal is the daily goal, Today the number of today's sessions that
	// count, Streak the days meeting the goal (history.Summarize).
	Goal, Today, Streak int
	// Rules are the daily rules that apply on at least one day drawn.
	Rules []history.DailyRule
}

// History arranges the sessions recs (as history.Read returns them) into
// a grid of the o.Days days ending on o.Now's day, by slot.
func History(recs []history.Record, o HistoryOptions) *HistoryGrid {
	if o.Days < 1 {
		o.Days = 7
	}
	slots := o.Slots
	if len(slots) == 0 {
		slots = DefaultSlots()
	}
	sum := history.Summarize(recs, o.Now, o.Goal)
	g := &HistoryGrid{Slots: histSortedSlots(slots), Goal: sum.Goal, Today: sum.Completed, Streak: sum.Streak}
	today := histMidnight(o.Now)
	for i := o.Days - 1; i >= 0; i-- {
		g.Days = append(g.Days, g.day(recs, today.AddDate(0, 0, -i), i == 0, o.Rules))
	}
	g.Rules = histRulesInUse(g.Days, o.Rules)
	return g
}

// histSortedSlots is slots sorted by time of day.
func histSortedSlots(slots []Slot) []Slot {
	s := append([]Slot(nil), slots...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].At < s[j].At })
	return s
}

// histMidnight is the start of t's day in t's location.
func histMidnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// day is the day that starts at date: its cells and the rules that apply.
func (g *HistoryGrid) day(recs []history.Record, date time.Time, today bool, rules []history.DailyRule) HistoryDay {
	d := HistoryDay{Date: date, Today: today, Cells: make([]HistoryCell, len(g.Slots))}
	for i, s := range g.Slots {
		d.Cells[i] = HistoryCell{Slot: s.Name, State: CellEmpty}
	}
	next := date.AddDate(0, 0, 1)
	var upTo []history.Record
	for _, r := range recs {
		if !r.Start.Before(next) {
			continue
		}
		upTo = append(upTo, r)
		if r.Start.Before(date) {
			continue
		}
		c := &d.Cells[histNearestSlot(g.Slots, histTimeOfDay(r.Start.In(date.Location())))]
		c.Sessions++
		if r.Counts() {
			c.Counted++
			d.Counted++
		}
	}
	for i := range d.Cells {
		d.Cells[i].State = histCellState(d.Cells[i])
	}
	for _, st := range history.Dailies(upTo, date, rules) {
		if st.InUse {
			d.Rules = append(d.Rules, st)
		}
	}
	return d
}

// histCellState is the state a cell's counts make.
func histCellState(c HistoryCell) CellState {
	switch {
	case c.Counted > 0:
		return CellCompleted
	case c.Sessions > 0:
		return CellInterrupted
	}
	return CellEmpty
}

// histTimeOfDay is t's wall-clock time since midnight.
func histTimeOfDay(t time.Time) time.Duration {
	h, m, s := t.Clock()
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
}

// histNearestSlot is the index of the slot (sorted by time) nearest to the
// time of day at; a tie goes to the later slot.
func histNearestSlot(slots []Slot, at time.Duration) int {
	best := 0
	for i, s := range slots {
		if (at - s.At).Abs() <= (at - slots[best].At).Abs() {
			best = i
		}
	}
	return best
}

// histRulesInUse are the rules that apply on at least one of days, in order.
func histRulesInUse(days []HistoryDay, rules []history.DailyRule) []history.DailyRule {
	var out []history.DailyRule
	for _, rule := range rules {
		if histDayRule(days, rule) {
			out = append(out, rule)
		}
	}
	return out
}

// histDayRule reports whether rule applies on one of days.
func histDayRule(days []HistoryDay, rule history.DailyRule) bool {
	for _, d := range days {
		if _, ok := d.Rule(rule); ok {
			return true
		}
	}
	return false
}

// Rule returns the state of rule on the day, and whether it applies then.
func (d HistoryDay) Rule(rule history.DailyRule) (history.Daily, bool) {
	for _, st := range d.Rules {
		if st.Routine == rule.Routine && st.Because == rule.Because {
			return st, true
		}
	}
	return history.Daily{}, false
}

// title is the picture's heading: the days it covers.
func (g *HistoryGrid) title() string {
	first, last := g.Days[0].Date, g.Days[len(g.Days)-1].Date
	return fmt.Sprintf("Sessions, %s to %s", first.Format("Mon 2 Jan"), last.Format("Mon 2 Jan 2006"))
}

// todayLine says today's count against the goal.
func (g *HistoryGrid) todayLine() string {
	return fmt.Sprintf("today: %d of %d sessions done", g.Today, g.Goal)
}

// streakLine says the streak.
func (g *HistoryGrid) streakLine() string {
	unit := "days"
	if g.Streak == 1 {
		unit = "day"
	}
	return fmt.Sprintf("streak: %d %s meeting the goal of %d", g.Streak, unit, g.Goal)
}

// slotsLine names the slots with their times.
func (g *HistoryGrid) slotsLine() string {
	s := "slots:"
	for i, sl := range g.Slots {
		if i > 0 {
			s += ","
		}
		s += " " + sl.Name + " " + histClock(sl.At)
	}
	return s + " (a session is in the slot nearest its start)"
}

// histRuleLine explains a daily rule.
func histRuleLine(r history.DailyRule) string {
	return fmt.Sprintf("%s daily: while %s is in use (done in the %d days to that day), %s at least once a day",
		r.Routine, r.Because, history.InUseDays, r.Routine)
}

// The glyphs of the text grid, distinct without colour.
const (
	histGlyphCompleted   = "●"
	histGlyphInterrupted = "◐"
	histGlyphEmpty       = "·"
	histGlyphToday       = "▸"
)

// ANSI colours of the text grid (SGR parameters).
const (
	histANSIGreen  = "32"
	histANSIYellow = "33"
	histANSIRed    = "31"
	histANSIDim    = "2"
	histANSIBold   = "1"
)

// histTextCell is one cell of a text row: its text and its colour (an SGR
// parameter, "" for none).
type histTextCell struct{ s, sgr string }

// Text writes the grid as plain text on w: a row per day (today marked
// with ▸), a column per slot (● completed, a number after it when more
// than one counted, ◐ interrupted, · nothing), the day's count against
// the goal, a column per daily rule that applies, then a legend, the
// slots, today's count and the streak. With color, ANSI colours are added;
// the grid reads the same without them.
func (g *HistoryGrid) Text(w io.Writer, color bool) error {
	rows := [][]histTextCell{g.textHeader()}
	for _, d := range g.Days {
		rows = append(rows, g.textRow(d))
	}
	var b strings.Builder
	b.WriteString(g.title() + "\n")
	histWriteColumns(&b, rows, color)
	b.WriteString(histTextLegend(color) + "\n")
	b.WriteString(g.slotsLine() + "\n")
	for _, r := range g.Rules {
		b.WriteString(histRuleLine(r) + "\n")
	}
	b.WriteString(g.todayLine() + "\n" + g.streakLine() + "\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("picture: %w", err)
	}
	return nil
}

// textHeader is the header row of the text grid.
func (g *HistoryGrid) textHeader() []histTextCell {
	row := []histTextCell{{s: ""}}
	for _, s := range g.Slots {
		row = append(row, histTextCell{s: s.Name})
	}
	row = append(row, histTextCell{s: "done"})
	for _, r := range g.Rules {
		row = append(row, histTextCell{s: r.Routine + " daily"})
	}
	return row
}

// textRow is day d's row of the text grid.
func (g *HistoryGrid) textRow(d HistoryDay) []histTextCell {
	label := histTextCell{s: "  " + d.Date.Format("Mon 2 Jan")}
	if d.Today {
		label = histTextCell{s: histGlyphToday + " " + d.Date.Format("Mon 2 Jan"), sgr: histANSIBold}
	}
	row := []histTextCell{label}
	for _, c := range d.Cells {
		row = append(row, histTextGlyph(c))
	}
	done := histTextCell{s: fmt.Sprintf("%d/%d", d.Counted, g.Goal)}
	if d.Counted >= g.Goal {
		done.sgr = histANSIGreen
	}
	row = append(row, done)
	for _, r := range g.Rules {
		row = append(row, histRuleCell(d, r))
	}
	return row
}

// histTextGlyph is a cell's glyph and colour.
func histTextGlyph(c HistoryCell) histTextCell {
	switch c.State {
	case CellCompleted:
		if c.Counted > 1 {
			return histTextCell{s: histGlyphCompleted + strconv.Itoa(c.Counted), sgr: histANSIGreen}
		}
		return histTextCell{s: histGlyphCompleted, sgr: histANSIGreen}
	case CellInterrupted:
		return histTextCell{s: histGlyphInterrupted, sgr: histANSIYellow}
	}
	return histTextCell{s: histGlyphEmpty, sgr: histANSIDim}
}

// histRuleCell is the state of rule r on day d ("" where it does not apply).
func histRuleCell(d HistoryDay, r history.DailyRule) histTextCell {
	st, ok := d.Rule(r)
	if !ok {
		return histTextCell{}
	}
	s := d.RuleState(st)
	sgr := map[string]string{"done": histANSIGreen, "missed": histANSIRed, "not yet": histANSIYellow}[s]
	return histTextCell{s: s, sgr: sgr}
}

// histTextLegend is the legend line of the text grid.
func histTextLegend(color bool) string {
	parts := []histTextCell{
		{histGlyphCompleted, histANSIGreen}, {" completed (counts)  ", ""},
		{histGlyphInterrupted, histANSIYellow}, {" interrupted or stopped (does not count)  ", ""},
		{histGlyphEmpty, histANSIDim}, {" none  ", ""}, {histGlyphToday, histANSIBold}, {" today", ""},
	}
	s := "legend: "
	for _, p := range parts {
		s += histPaint(p, color)
	}
	return s
}

// histWriteColumns writes rows as columns two spaces apart, each as wide as
// its widest cell (in characters, colours aside), without trailing spaces.
func histWriteColumns(b *strings.Builder, rows [][]histTextCell, color bool) {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c.s))
		}
	}
	for _, row := range rows {
		line := ""
		for i, c := range row {
			line += histPaint(c, color)
			if i < len(row)-1 {
				line += strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c.s)+2)
			}
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// histPaint is c's text, in its colour when color is set.
func histPaint(c histTextCell, color bool) string {
	if !color || c.sgr == "" || c.s == "" {
		return c.s
	}
	return "\x1b[" + c.sgr + "m" + c.s + "\x1b[0m"
}

// The history picture's geometry, in pixels.
const (
	histMargin = 16.0
	histLabelW = 150.0 // the slot and rule labels, left of the grid
	histPitch  = 34.0  // a day's column, and a slot's row
	histCell   = 28.0  // a cell's side
	histRuleH  = 24.0  // a rule's row
	histMark   = 16.0  // a rule mark's side
	histDayY   = 48.0  // the weekdays' baseline; the dates' is 14 below
	histGridY  = 70.0  // the grid's top
	histChar   = 6.2   // about one character's width at 11 px
	histLineH  = 20.0  // a line of the legend and the footer
)

// The history picture's palette.
var histColors = map[string]string{
	"completed": "#2e7d32", "interrupted": "#f2b134", "empty": "#ececec", "grid": "#cfcfcf",
	"done": "#2e7d32", "missed": "#c62828", "not yet": "#ffffff", "today": "#1f3b5c", "muted": "#666666",
}

// histLayout is where the parts of one history picture go.
type histLayout struct {
	left, gridBottom, rulesBottom, legendY, width, height float64
}

// layout places the picture's parts for g's days, slots and rules.
func (g *HistoryGrid) layout() histLayout {
	l := histLayout{left: histMargin + histLabelW}
	l.gridBottom = histGridY + float64(len(g.Slots))*histPitch
	l.rulesBottom = l.gridBottom + 22 + float64(len(g.Rules))*histRuleH
	l.legendY = l.rulesBottom + 24
	l.width = l.left + float64(len(g.Days))*histPitch + histMargin
	for _, row := range g.legendRows() {
		l.width = max(l.width, histMargin+histLegendWidth(row)+histMargin)
	}
	l.height = l.legendY + float64(len(g.legendRows())+2)*histLineH + histMargin
	l.width, l.height = math.Ceil(l.width), math.Ceil(l.height) // whole pixels, as a PNG of it has
	return l
}

// histLegendItem is a swatch of the legend and its label.
type histLegendItem struct{ label, fill, stroke string }

// legendRows are the legend's rows: the cells' states, and the rules'.
func (g *HistoryGrid) legendRows() [][]histLegendItem {
	rows := [][]histLegendItem{{
		{"completed", histColors["completed"], ""}, {"interrupted (no count)", histColors["interrupted"], ""},
		{"none", histColors["empty"], histColors["grid"]}, {"today", "none", histColors["today"]},
	}}
	if len(g.Rules) > 0 {
		rows = append(rows, []histLegendItem{{"daily rule done", histColors["done"], ""},
			{"missed", histColors["missed"], ""}, {"not yet", histColors["not yet"], histColors["muted"]}})
	}
	return rows
}

// histItemWidth is the room a legend item takes.
func histItemWidth(it histLegendItem) float64 {
	return 14 + 6 + float64(utf8.RuneCountInString(it.label))*histChar + 16
}

// histLegendWidth is the room a legend row takes.
func histLegendWidth(row []histLegendItem) float64 {
	w := 0.0
	for _, it := range row {
		w += histItemWidth(it)
	}
	return w
}

// SVG writes the grid as an SVG picture on w: a column per day (its
// weekday and date above), a row per slot (its name and time left of it),
// each cell filled by its state and holding the number of sessions that
// counted where more than one did; under them each day's count against
// the goal and a row per daily rule that applies; today outlined; then a
// legend, today's count and the streak. Each cell carries data-day
// (YYYY-MM-DD), data-slot, data-state, data-sessions and data-counted.
func (g *HistoryGrid) SVG(w io.Writer) error {
	l := g.layout()
	doc := &svg{Width: num(l.width), Height: num(l.height), FontFamily: "sans-serif", FontSize: 12,
		ViewBox: fmt.Sprintf("0 0 %s %s", num(l.width), num(l.height)), Title: g.title()}
	doc.Kids = append(doc.Kids,
		rect{W: num(l.width), H: num(l.height), Fill: "#ffffff", Class: "background"},
		text{X: histMargin, Y: 26, Size: 15, Weight: "bold", Class: "title", Text: g.title()})
	doc.Kids = append(doc.Kids, g.svgLabels(l)...)
	for i, d := range g.Days {
		doc.Kids = append(doc.Kids, g.svgDay(l, i, d))
	}
	doc.Kids = append(doc.Kids, g.svgLegend(l)...)
	y := l.legendY + float64(len(g.legendRows()))*histLineH + 6
	doc.Kids = append(doc.Kids,
		text{X: histMargin, Y: num(y), Class: "goal", Data: data("today", strconv.Itoa(g.Today), "goal", strconv.Itoa(g.Goal)), Text: g.todayLine()},
		text{X: histMargin, Y: num(y + histLineH), Class: "streak", Data: data("streak", strconv.Itoa(g.Streak)), Text: g.streakLine()})
	return doc.write(w)
}

// svgLabels are the labels left of the grid: each slot's name and time,
// "done", and each rule's routine.
func (g *HistoryGrid) svgLabels(l histLayout) []any {
	var out []any
	for i, s := range g.Slots {
		y := num(histGridY + float64(i)*histPitch + 19)
		out = append(out,
			text{X: histMargin, Y: y, Class: "slot", Data: data("slot", s.Name), Text: s.Name},
			text{X: histMargin + 96, Y: y, Size: 11, Fill: histColors["muted"], Class: "slot-time", Text: histClock(s.At)})
	}
	out = append(out, text{X: histMargin, Y: num(l.gridBottom + 14), Size: 11, Fill: histColors["muted"], Text: "done / goal"})
	for j, r := range g.Rules {
		out = append(out, text{X: histMargin, Y: num(l.gridBottom + 22 + float64(j)*histRuleH + 16), Size: 11,
			Class: "rule-name", Data: data("rule", r.Routine, "because", r.Because), Text: r.Routine + " daily"})
	}
	return out
}

// svgDay is day d's column (the i-th): labels, cells, count and rules,
// outlined when it is today.
func (g *HistoryGrid) svgDay(l histLayout, i int, d HistoryDay) group {
	day := d.Date.Format("2006-01-02")
	x := l.left + float64(i)*histPitch
	mid := num(x + histPitch/2)
	gr := group{Class: "day", Data: data("day", day, "today", strconv.FormatBool(d.Today))}
	gr.Kids = append(gr.Kids,
		text{X: mid, Y: histDayY, Anchor: "middle", Size: 11, Fill: histColors["muted"], Text: d.Date.Format("Mon")},
		text{X: mid, Y: histDayY + 14, Anchor: "middle", Size: 11, Text: d.Date.Format("2")})
	for j, c := range d.Cells {
		gr.Kids = append(gr.Kids, histSvgCell(x, histGridY+float64(j)*histPitch, day, d, c)...)
	}
	gr.Kids = append(gr.Kids, text{X: mid, Y: num(l.gridBottom + 14), Anchor: "middle", Size: 11, Class: "count",
		Data: data("day", day, "counted", strconv.Itoa(d.Counted), "goal", strconv.Itoa(g.Goal)),
		Text: fmt.Sprintf("%d/%d", d.Counted, g.Goal)})
	for j, r := range g.Rules {
		if st, ok := d.Rule(r); ok {
			gr.Kids = append(gr.Kids, histSvgRule(x, l.gridBottom+22+float64(j)*histRuleH, day, d, st))
		}
	}
	if d.Today {
		gr.Kids = append(gr.Kids, histOutline(x+1, histDayY-16, histPitch-2, l.rulesBottom+4-(histDayY-16)))
	}
	return gr
}

// histSvgCell draws cell c of day d at the slot's row top y in the day's
// column at x.
func histSvgCell(x, y float64, day string, d HistoryDay, c HistoryCell) []any {
	off := (histPitch - histCell) / 2
	r := rect{X: num(x + off), Y: num(y + off), W: histCell, H: histCell, RX: 4, Fill: histColors[string(c.State)],
		Class: "cell", Data: data("day", day, "slot", c.Slot, "state", string(c.State),
			"sessions", strconv.Itoa(c.Sessions), "counted", strconv.Itoa(c.Counted)),
		Tip: fmt.Sprintf("%s, %s: %s (%d sessions, %d counted)", d.Date.Format("Mon 2 Jan"), c.Slot, c.State, c.Sessions, c.Counted)}
	if c.State == CellEmpty {
		r.Stroke = histColors["grid"]
	}
	out := []any{r}
	if c.Counted > 1 {
		out = append(out, text{X: num(x + histPitch/2), Y: num(y + histPitch/2 + 4), Anchor: "middle", Size: 12,
			Weight: "bold", Fill: "#ffffff", Class: "cell-count", Text: strconv.Itoa(c.Counted)})
	}
	return out
}

// histSvgRule draws the state of a daily rule on day d, its row's top at y in
// the day's column at x.
func histSvgRule(x, y float64, day string, d HistoryDay, st history.Daily) rect {
	s := d.RuleState(st)
	r := rect{X: num(x + (histPitch-histMark)/2), Y: num(y + (histRuleH-histMark)/2), W: histMark, H: histMark, RX: 8,
		Fill: histColors[s], Class: "rule", Data: data("day", day, "rule", st.Routine, "because", st.Because, "state", s),
		Tip: fmt.Sprintf("%s, %s: %s", d.Date.Format("Mon 2 Jan"), st.Routine, s)}
	if s == "not yet" {
		r.Stroke = histColors["muted"]
	}
	return r
}

// histOutline is today's frame: a closed line around a box (drawn past its
// first corner again, so that every corner is joined).
func histOutline(x, y, w, h float64) polyline {
	p := func(x, y float64) string { return num(x).String() + "," + num(y).String() }
	pts := strings.Join([]string{p(x, y), p(x+w, y), p(x+w, y+h), p(x, y+h), p(x, y), p(x+w, y)}, " ")
	return polyline{Points: pts, Stroke: histColors["today"], Width: 2, Fill: "none", Class: "today"}
}

// svgLegend draws the legend rows from l.legendY.
func (g *HistoryGrid) svgLegend(l histLayout) []any {
	var out []any
	for i, row := range g.legendRows() {
		x, y := histMargin, l.legendY+float64(i)*histLineH
		for _, it := range row {
			out = append(out,
				rect{X: num(x), Y: num(y - 11), W: 14, H: 14, RX: 3, Fill: it.fill, Stroke: it.stroke, Class: "legend"},
				text{X: num(x + 20), Y: num(y), Size: 11, Class: "legend", Text: it.label})
			x += histItemWidth(it)
		}
	}
	return out
}
