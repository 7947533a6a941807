package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon/history"
)

// histPicHome is a private home whose history has, today, a basic roll
// completed in the morning and one stopped at noon, and yesterday a
// 3-way warm-up completed at night (so the basic roll's daily rule
// applies today). It returns the home and today's midnight.
func histPicHome(t *testing.T) (string, time.Time) {
	t.Helper()
	home := t.TempDir()
	log, err := history.Open(filepath.Join(home, ".state", "cued", "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	y, m, d := time.Now().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	for _, r := range []struct {
		id, routine string
		at          time.Time
		completed   bool
	}{
		{"a", "tspine-3way", today.Add(-3 * time.Hour), true},
		{"b", "tspine-basic", today.Add(7*time.Hour + 35*time.Minute), true},
		{"c", "tspine-basic", today.Add(12*time.Hour + 40*time.Minute), false},
	} {
		rec := history.Record{ID: r.id, Event: history.EventEnd, Routine: r.routine, Level: "standard",
			Start: r.at, End: r.at.Add(3 * time.Minute), Completed: r.completed, Final: r.completed, LengthMS: 1000, ReachedMS: 1000}
		if err := log.Append(rec); err != nil {
			t.Fatal(err)
		}
	}
	return home, today
}

// histPicCells parses b as XML (failing the test where it is not) and
// returns its cells' data-day/data-slot=data-state.
func histPicCells(t *testing.T, b []byte) map[string]string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	cells := map[string]string{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return cells
		}
		if err != nil {
			t.Fatalf("not valid XML: %v\n%s", err, b)
		}
		s, ok := tok.(xml.StartElement)
		if !ok || s.Name.Local != "rect" {
			continue
		}
		a := map[string]string{}
		for _, at := range s.Attr {
			a[at.Name.Local] = at.Value
		}
		if a["class"] == "cell" {
			cells[a["data-day"]+"/"+a["data-slot"]] = a["data-state"]
		}
	}
}

// TestHistoryWeekText: cued history --week and --month print the grid,
// today marked, plain (no escape sequences) when stdout is not a terminal.
func TestHistoryWeekText(t *testing.T) {
	home, today := histPicHome(t)
	label := "\n▸ " + today.Format("Mon 2 Jan") + " "
	for _, tc := range []struct {
		flag  string
		first time.Time // the first day drawn
	}{
		{"--week", today.AddDate(0, 0, -6)},
		{"--month", today.AddDate(0, -1, 1)},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			out, stderr, code := runCLI(t, home, "history", tc.flag)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, want := range []string{
				"morning  noon  night  done  tspine-basic daily", label, "\n  " + tc.first.Format("Mon 2 Jan") + " ",
				"legend: ● completed", "slots: morning 07:30, noon 12:30, night 21:00", "today: 1 of 3 sessions done",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
			_, row, _ := strings.Cut(out, label)
			row, _, _ = strings.Cut(row, "\n")
			if got := strings.Join(strings.Fields(row), " "); got != "● ◐ · 1/3 done" {
				t.Errorf("today's row: %q, want \"● ◐ · 1/3 done\"", got)
			}
			if strings.Contains(out, "\x1b") {
				t.Errorf("escape sequences in output that is no terminal:\n%q", out)
			}
		})
	}
}

// TestHistorySVG: cued history --svg writes the grid as SVG, to -o FILE
// or standard output, one cell per day and slot; -o needs a picture and
// --json goes with none.
func TestHistorySVG(t *testing.T) {
	home, today := histPicHome(t)
	file := filepath.Join(home, "week.svg")
	for _, tc := range []struct {
		name  string
		args  []string
		file  string // where the SVG goes ("": stdout)
		cells int    // 0: the command fails
	}{
		{"to a file", []string{"--svg", "-o", file}, file, 21},
		{"to stdout", []string{"--week", "--svg"}, "", 21},
		{"a month", []string{"--month", "--svg", "-o", "-"}, "", 3 * monthDays(time.Now())},
		{"-o alone", []string{"--week", "-o", file + ".x"}, "", 0},
		{"--json and --svg", []string{"--json", "--svg"}, "", 0},
		{"--week and --month", []string{"--week", "--month"}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := runCLI(t, home, append([]string{"history"}, tc.args...)...)
			if tc.cells == 0 {
				if code == 0 {
					t.Errorf("exit 0, want a failure; output:\n%s", out)
				}
				return
			}
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b := []byte(out)
			if tc.file != "" {
				var err error
				if b, err = os.ReadFile(tc.file); err != nil {
					t.Fatal(err)
				}
			}
			cells := histPicCells(t, b)
			if len(cells) != tc.cells {
				t.Errorf("%d cells, want %d", len(cells), tc.cells)
			}
			day := today.Format("2006-01-02")
			if cells[day+"/morning"] != "completed" || cells[day+"/noon"] != "interrupted" || cells[day+"/night"] != "empty" {
				t.Errorf("today's cells: %s, %s, %s; want completed, interrupted, empty",
					cells[day+"/morning"], cells[day+"/noon"], cells[day+"/night"])
			}
		})
	}
}
