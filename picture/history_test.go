package picture

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/internal/needs"
)

// histNow is the moment the test pictures are drawn at: Monday 30
// November 2026, 20:00 UTC, before the night's session.
var histNow = time.Date(2026, 11, 30, 20, 0, 0, 0, time.UTC)

// histSlots are the default schedule's slots.
var histSlots = SlotsAt([]time.Duration{7*time.Hour + 30*time.Minute, 12*time.Hour + 30*time.Minute, 21 * time.Hour})

// histRules is the built-in rule: tspine-basic daily while tspine-3way is
// in use.
var histRules = []history.DailyRule{{Routine: "tspine-basic", Because: "tspine-3way"}}

// histRec is a session of routine on day (of November 2026) at hm (UTC),
// ended as how says: completed, stopped (by the user, not counted),
// interrupted (the daemon ended under it before its last segment: not
// counted) or final (interrupted in its last segment: counted).
func histRec(day int, hm, routine, how string) history.Record {
	t, err := time.Parse("15:04", hm)
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 11, day, t.Hour(), t.Minute(), 0, 0, time.UTC)
	r := history.Record{ID: strconv.Itoa(day) + hm, Routine: routine, Level: "standard", Start: start,
		End: start.Add(3 * time.Minute), LengthMS: 174000, ReachedMS: 174000, Completed: how == "completed"}
	if how == "interrupted" || how == "final" {
		r.Interrupted, r.Final, r.ReachedMS = true, how == "final", 90000
	}
	return r
}

// histRecs is the test history: a week with completed, stopped and
// interrupted sessions, an empty day, two sessions in one slot, and two
// days on which tspine-basic was missed while tspine-3way was in use.
func histRecs() []history.Record {
	return []history.Record{
		histRec(20, "07:40", "tspine-basic", "completed"), // before the week: in the streak only
		histRec(24, "07:35", "tspine-basic", "completed"),
		histRec(24, "12:40", "tspine-basic", "completed"),
		histRec(24, "21:05", "tspine-basic", "completed"),
		histRec(25, "07:31", "tspine-3way", "completed"),
		histRec(25, "12:30", "tspine-basic", "stopped"),
		histRec(26, "08:00", "tspine-basic", "completed"),
		histRec(26, "09:10", "tspine-basic", "completed"),
		histRec(26, "21:00", "tspine-basic", "final"),
		histRec(28, "13:00", "tspine-basic", "interrupted"),
		histRec(28, "20:30", "tspine-basic", "completed"),
		histRec(29, "07:30", "tspine-basic", "completed"),
		histRec(29, "12:00", "tspine-basic", "completed"),
		histRec(29, "22:00", "tspine-basic", "completed"),
		histRec(30, "07:40", "tspine-basic", "completed"),
		histRec(30, "12:35", "tspine-3way", "completed"),
	}
}

// histWantCells are the cells of histRecs that are not empty, by
// day/slot, with the number of sessions that count in each.
var histWantCells = map[string]struct {
	state   CellState
	counted int
}{
	"2026-11-20/morning": {CellCompleted, 1}, // in the month only
	"2026-11-24/morning": {CellCompleted, 1}, "2026-11-24/noon": {CellCompleted, 1}, "2026-11-24/night": {CellCompleted, 1},
	"2026-11-25/morning": {CellCompleted, 1}, "2026-11-25/noon": {CellInterrupted, 0},
	"2026-11-26/morning": {CellCompleted, 2}, "2026-11-26/night": {CellCompleted, 1},
	"2026-11-28/noon": {CellInterrupted, 0}, "2026-11-28/night": {CellCompleted, 1},
	"2026-11-29/morning": {CellCompleted, 1}, "2026-11-29/noon": {CellCompleted, 1}, "2026-11-29/night": {CellCompleted, 1},
	"2026-11-30/morning": {CellCompleted, 1}, "2026-11-30/noon": {CellCompleted, 1},
}

// histWantRules is the state of the tspine-basic rule on each day of the
// week where it applies (not on the 24th: tspine-3way is first done on
// the 25th).
var histWantRules = map[string]string{
	"2026-11-25": "missed", "2026-11-26": "done", "2026-11-27": "missed", "2026-11-28": "done",
	"2026-11-29": "done", "2026-11-30": "done",
}

// histGrid draws the test history over days.
func histGrid(days int) *HistoryGrid {
	return History(histRecs(), HistoryOptions{Now: histNow, Days: days, Goal: 3, Slots: histSlots, Rules: histRules})
}

// histDraw is g drawn as text (with or without colour) or as SVG.
func histDraw(t *testing.T, g *HistoryGrid, form string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch form {
	case "svg":
		err = g.SVG(&b)
	default:
		err = g.Text(&b, form == "color")
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestHistoryGolden: the week and the month of the test history, as text
// and as SVG, byte for byte (go test ./picture -update rewrites them).
func TestHistoryGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		days int
		form string
	}{
		{"week.txt", 7, "text"},
		{"week.svg", 7, "svg"},
		{"month.txt", 30, "text"},
		{"month.svg", 30, "svg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "history-"+tc.name), histDraw(t, histGrid(tc.days), tc.form))
		})
	}
}

// TestHistoryReadBack: the SVG has one cell per day and slot, each with
// the state and counts of the history's sessions in it, the daily rule's
// mark on each day where it applies, today outlined, and today's count
// and the streak, all read back from the data attributes.
func TestHistoryReadBack(t *testing.T) {
	for _, days := range []int{7, 30} {
		t.Run(strconv.Itoa(days)+" days", func(t *testing.T) {
			els := readSVG(t, histDraw(t, histGrid(days), "svg"))
			checkHistCells(t, els, days)
			checkHistMarks(t, els)
		})
	}
}

// checkHistCells checks the cells read back: one per day and slot, as
// histWantCells says (empty where it has none).
func checkHistCells(t *testing.T, els []element, days int) {
	t.Helper()
	seen := map[string]bool{}
	for _, e := range els {
		if e.attrs["class"] != "cell" {
			continue
		}
		key := e.attrs["data-day"] + "/" + e.attrs["data-slot"]
		if seen[key] {
			t.Errorf("cell %s drawn twice", key)
		}
		seen[key] = true
		want, ok := histWantCells[key]
		if !ok {
			want.state = CellEmpty
		}
		if got := e.attrs["data-state"]; got != string(want.state) || e.attrs["data-counted"] != strconv.Itoa(want.counted) {
			t.Errorf("cell %s: %s with %s counted, want %s with %d", key, got, e.attrs["data-counted"], want.state, want.counted)
		}
	}
	if len(seen) != days*3 {
		t.Errorf("%d cells, want %d days × 3 slots", len(seen), days)
	}
	first := histNow.AddDate(0, 0, 1-days).Format("2006-01-02")
	for key := range histWantCells {
		if key[:10] >= first && !seen[key] {
			t.Errorf("cell %s is not drawn", key)
		}
	}
}

// checkHistMarks checks the rule marks, today's outline and the goal and
// streak read back.
func checkHistMarks(t *testing.T, els []element) {
	t.Helper()
	rules := map[string]string{}
	var today []string
	for _, e := range els {
		switch {
		case e.attrs["class"] == "rule":
			rules[e.attrs["data-day"]] = e.attrs["data-state"]
		case e.name == "g" && e.attrs["data-today"] == "true":
			today = append(today, e.attrs["data-day"])
		case e.attrs["class"] == "goal" && (e.attrs["data-today"] != "2" || e.attrs["data-goal"] != "3"):
			t.Errorf("today %s of %s, want 2 of 3", e.attrs["data-today"], e.attrs["data-goal"])
		case e.attrs["class"] == "streak" && e.attrs["data-streak"] != "1":
			t.Errorf("streak %s, want 1", e.attrs["data-streak"])
		}
	}
	for day, want := range histWantRules {
		if rules[day] != want {
			t.Errorf("rule on %s: %q, want %q", day, rules[day], want)
		}
	}
	if len(rules) != len(histWantRules) {
		t.Errorf("rule marks on %d days, want %d: %v", len(rules), len(histWantRules), rules)
	}
	if len(today) != 1 || today[0] != "2026-11-30" {
		t.Errorf("today is %v, want [2026-11-30]", today)
	}
}

// TestHistoryText: each day's row has the glyphs of its cells, and the
// coloured grid is the plain one with ANSI colours around it.
func TestHistoryText(t *testing.T) {
	plain := string(histDraw(t, histGrid(7), "text"))
	for _, tc := range []struct{ day, row string }{
		{"  Tue 24 Nov", "●  ●  ●  3/3"},
		{"  Wed 25 Nov", "●  ◐  ·  1/3  missed"},
		{"  Thu 26 Nov", "●2 ·  ●  3/3  done"},
		{"  Fri 27 Nov", "·  ·  ·  0/3  missed"},
		{"▸ Mon 30 Nov", "●  ●  ·  2/3  done"},
	} {
		t.Run(strings.TrimSpace(tc.day), func(t *testing.T) {
			i := strings.Index(plain, "\n"+tc.day)
			if i < 0 {
				t.Fatalf("no row for %s in\n%s", tc.day, plain)
			}
			row, _, _ := strings.Cut(plain[i+1+len(tc.day):], "\n")
			if got := strings.Join(strings.Fields(row), " "); got != strings.Join(strings.Fields(tc.row), " ") {
				t.Errorf("row %q, want %q", got, tc.row)
			}
		})
	}
	colored := string(histDraw(t, histGrid(7), "color"))
	if !strings.Contains(colored, "\x1b[32m●\x1b[0m") {
		t.Error("no green ● in the coloured grid")
	}
	if got := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(colored, ""); got != plain {
		t.Errorf("the coloured grid without its colours is not the plain one:\n%s\nwant\n%s", got, plain)
	}
	if strings.Contains(plain, "\x1b") {
		t.Error("the plain grid has escape sequences")
	}
}

// TestSlotsAt: the slots of schedule times, named by part of day or by
// time.
func TestSlotsAt(t *testing.T) {
	h := func(hm string) time.Duration {
		x, _ := time.Parse("15:04", hm)
		return time.Duration(x.Hour())*time.Hour + time.Duration(x.Minute())*time.Minute
	}
	for _, tc := range []struct {
		name string
		ats  []time.Duration
		want string
	}{
		{"none", nil, "morning 08:00, noon 14:00, night 20:00"},
		{"default schedule", []time.Duration{h("21:00"), h("07:30"), h("12:30")}, "morning 07:30, noon 12:30, night 21:00"},
		{"a time twice", []time.Duration{h("07:30"), h("07:30"), h("18:00")}, "morning 07:30, night 18:00"},
		{"two mornings", []time.Duration{h("07:00"), h("09:00"), h("20:00")}, "07:00 07:00, 09:00 09:00, 20:00 20:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range SlotsAt(tc.ats) {
				got = append(got, s.Name+" "+histClock(s.At))
			}
			if strings.Join(got, ", ") != tc.want {
				t.Errorf("%s, want %s", strings.Join(got, ", "), tc.want)
			}
		})
	}
}

// TestHistorySlot: a session is in the slot nearest its start (the later
// one on a tie), on the day it started.
func TestHistorySlot(t *testing.T) {
	for _, tc := range []struct {
		name  string
		slots []Slot
		at    string
		want  string
	}{
		{"schedule, early", histSlots, "00:10", "morning"},
		{"schedule, before the tie", histSlots, "09:59", "morning"},
		{"schedule, tie", histSlots, "10:00", "noon"},
		{"schedule, afternoon", histSlots, "16:44", "noon"},
		{"schedule, second tie", histSlots, "16:45", "night"},
		{"schedule, late", histSlots, "23:59", "night"},
		{"default, 10:59", nil, "10:59", "morning"},
		{"default, 11:00", nil, "11:00", "noon"},
		{"default, 16:59", nil, "16:59", "noon"},
		{"default, 17:00", nil, "17:00", "night"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := []history.Record{histRec(30, tc.at, "tspine-basic", "completed")}
			g := History(recs, HistoryOptions{Now: histNow, Days: 1, Goal: 3, Slots: tc.slots})
			var got []string
			for _, c := range g.Days[0].Cells {
				if c.State != CellEmpty {
					got = append(got, c.Slot)
				}
			}
			if strings.Join(got, ",") != tc.want {
				t.Errorf("a session at %s is in %v, want %s", tc.at, got, tc.want)
			}
		})
	}
}

// TestHistoryPNG converts the pictures to PNG with rsvg-convert (Debian's
// librsvg2-bin), where it is installed, and checks the PNG's size is the
// SVG's.
func TestHistoryPNG(t *testing.T) {
	needs.Program(t, "rsvg-convert", "librsvg2-bin")
	for _, days := range []int{7, 30} {
		t.Run(strconv.Itoa(days)+" days", func(t *testing.T) {
			b := histDraw(t, histGrid(days), "svg")
			root := readSVG(t, b)[0]
			w, h := pngSize(t, b)
			if strconv.Itoa(w) != root.attrs["width"] || strconv.Itoa(h) != root.attrs["height"] {
				t.Errorf("PNG %dx%d, SVG %sx%s", w, h, root.attrs["width"], root.attrs["height"])
			}
		})
	}
}

// TestHistoryDocs keeps docs/history-week.svg the week's golden picture;
// with -update it writes it and docs/history-week.png (by rsvg-convert).
func TestHistoryDocs(t *testing.T) {
	b := histDraw(t, histGrid(7), "svg")
	svgPath, pngPath := filepath.Join("..", "docs", "history-week.svg"), filepath.Join("..", "docs", "history-week.png")
	golden(t, svgPath, b)
	if !*update {
		return
	}
	c := exec.Command("rsvg-convert", "--format", "png", "-o", pngPath, svgPath)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("rsvg-convert: %v: %s", err, out)
	}
	if _, err := os.Stat(pngPath); err != nil {
		t.Fatal(err)
	}
}
