package history

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "history.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 7, 30, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.Append(Record{Routine: "r", Start: t0.Add(time.Duration(i) * time.Minute), Completed: true})
		}()
	}
	wg.Wait()
	// A crash in the middle of a write leaves a torn line.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"routine":"r","sta`)
	f.Close()
	if err := l.Append(Record{Routine: "after", Start: t0}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if err := l.Append(Record{Routine: "x"}); err != ErrClosed {
		t.Errorf("Append after Close: %v", err)
	}
	var warns []string
	recs, err := Read(path, func(w string) { warns = append(warns, w) })
	if err != nil || len(recs) != 21 || recs[20].Routine != "after" {
		t.Fatalf("Read: %d records, %v", len(recs), err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "history.jsonl:21: damaged line skipped") {
		t.Errorf("warnings %q", warns)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if recs, err := Read(filepath.Join(t.TempDir(), "none"), nil); err != nil || recs != nil {
		t.Errorf("missing file: %v %v", recs, err)
	}
}

func TestParseDamage(t *testing.T) {
	in := strings.Join([]string{
		`{"routine":"a","completed":true}`,
		``,
		`not json`,
		`{"completed":true}`,
		`{"routine":"b"}`,
		strings.Repeat("x", MaxLine+10),
		`{"routine":"c"}`,
	}, "\n")
	var warns []string
	recs, err := Parse(strings.NewReader(in), "h", func(w string) { warns = append(warns, w) })
	if err != nil || len(recs) != 3 || recs[2].Routine != "c" {
		t.Fatalf("%+v %v", recs, err)
	}
	want := []string{"h:3: damaged", "h:4: damaged", "h:6: line longer"}
	if len(warns) != len(want) {
		t.Fatalf("warnings %q", warns)
	}
	for i, w := range want {
		if !strings.HasPrefix(warns[i], w) {
			t.Errorf("warning %q, want prefix %q", warns[i], w)
		}
	}
}

func TestSummarize(t *testing.T) {
	loc := time.FixedZone("x", 2*3600)
	now := time.Date(2026, 5, 10, 20, 0, 0, 0, loc)
	day := func(d, h int, done bool) Record {
		return Record{Routine: "r", Start: time.Date(2026, 5, d, h, 0, 0, 0, loc), Completed: done}
	}
	tests := []struct {
		name           string
		recs           []Record
		goal           int
		today, streak  int
		completedToday int
	}{
		{"empty", nil, 3, 0, 0, 0},
		{"met today and two days before", []Record{day(8, 7, true), day(9, 7, true), day(10, 7, true), day(10, 8, false)}, 1, 2, 3, 1},
		{"today not yet met counts from yesterday", []Record{day(8, 7, true), day(9, 7, true)}, 1, 0, 2, 0},
		{"gap breaks the streak", []Record{day(7, 7, true), day(9, 7, true), day(10, 7, true)}, 1, 1, 2, 1},
		{"goal of two", []Record{day(9, 7, true), day(9, 12, true), day(10, 7, true)}, 2, 1, 1, 1},
		{"incomplete sessions do not count", []Record{day(9, 7, false), day(10, 7, false)}, 1, 1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Summarize(tt.recs, now, tt.goal)
			if len(s.Today) != tt.today || s.Streak != tt.streak || s.Completed != tt.completedToday || s.Goal != tt.goal {
				t.Errorf("%s: %+v", tt.name, s)
			}
		})
	}
}

// TestAppendAfterRemove removes the file while the log is open, as a user
// or a log rotation might: the next record must land in a new file.
func TestAppendAfterRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h", "history.jsonl")
	l, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append(Record{Routine: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(Record{Routine: "b"}); err != nil {
		t.Fatal(err)
	}
	recs, err := Read(path, nil)
	if err != nil || len(recs) != 1 || recs[0].Routine != "b" {
		t.Fatalf("after removing the file: %+v %v; want the new record in a new file", recs, err)
	}
}

// TestMerge: the lines of a session become one record with the first
// line's start and the last line's progress; a session without its end
// line is interrupted, and counts toward the goal only once it reached its
// last part or segment.
func TestMerge(t *testing.T) {
	t0 := time.Date(2026, 5, 1, 7, 30, 0, 0, time.UTC)
	line := func(id, ev string, at time.Duration, reached int64, part string, final bool) Record {
		return Record{ID: id, Event: ev, Routine: "r", Start: t0.Add(at), End: t0.Add(at), ReachedMS: reached,
			LengthMS: 300000, Part: part, Final: final, Completed: ev == EventEnd && reached == 300000}
	}
	tests := []struct {
		name        string
		lines       []Record
		want        []Record // ID, Start, ReachedMS, Part, Interrupted, Completed
		counts      []bool
		interrupted []bool
	}{
		{"old-style line", []Record{{Routine: "r", Start: t0, Completed: true}},
			[]Record{{Routine: "r", Start: t0, Completed: true}}, []bool{true}, []bool{false}},
		{"started, ended", []Record{line("a", EventStart, 0, 0, "", false), line("a", EventEnd, 5*time.Minute, 300000, "P", true)},
			[]Record{{ID: "a", Start: t0, ReachedMS: 300000, Part: "P", Completed: true}}, []bool{true}, []bool{false}},
		{"killed in the first part", []Record{line("a", EventStart, 0, 0, "", false), line("a", EventProgress, time.Minute, 60000, "P1", false)},
			[]Record{{ID: "a", Start: t0, ReachedMS: 60000, Part: "P1"}}, []bool{false}, []bool{true}},
		{"killed in the last segment", []Record{line("a", EventStart, 0, 0, "", false), line("a", EventProgress, 4*time.Minute, 240000, "P3", true)},
			[]Record{{ID: "a", Start: t0, ReachedMS: 240000, Part: "P3"}}, []bool{true}, []bool{true}},
		{"cut by the daemon's shutdown in the last segment", []Record{line("a", EventStart, 0, 0, "", false), line("a", EventShutdown, 4*time.Minute, 240000, "P3", true)},
			[]Record{{ID: "a", Start: t0, ReachedMS: 240000, Part: "P3"}}, []bool{true}, []bool{true}},
		{"stopped in the last segment", []Record{line("a", EventStart, 0, 0, "", false), line("a", EventEnd, 4*time.Minute, 240000, "P3", true)},
			[]Record{{ID: "a", Start: t0, ReachedMS: 240000, Part: "P3"}}, []bool{false}, []bool{false}},
		{"two sessions interleaved with an old line", []Record{line("a", EventStart, 0, 0, "", false), {Routine: "r", Start: t0},
			line("b", EventStart, time.Hour, 0, "", false), line("a", EventEnd, 5*time.Minute, 300000, "P", true)},
			[]Record{{ID: "a", Start: t0, ReachedMS: 300000, Part: "P", Completed: true}, {Start: t0}, {ID: "b", Start: t0.Add(time.Hour)}},
			[]bool{true, false, false}, []bool{false, false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.lines)
			if len(got) != len(tt.want) {
				t.Fatalf("%d sessions, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.ID != w.ID || !g.Start.Equal(w.Start) || g.ReachedMS != w.ReachedMS || g.Part != w.Part ||
					g.Completed != w.Completed || g.Interrupted != tt.interrupted[i] || g.Counts() != tt.counts[i] || g.Event != "" {
					t.Errorf("session %d: %+v (counts %v); want %+v, interrupted %v, counts %v", i, g, g.Counts(), w, tt.interrupted[i], tt.counts[i])
				}
			}
		})
	}
}

func TestDailies(t *testing.T) {
	loc := time.FixedZone("x", 2*3600)
	now := time.Date(2026, 5, 10, 20, 0, 0, 0, loc)
	rec := func(routine string, d int, done bool) Record {
		return Record{Routine: routine, Start: time.Date(2026, 5, d, 7, 0, 0, 0, loc), Completed: done}
	}
	rules := []DailyRule{{Routine: "basic", Because: "3way"}}
	for _, tt := range []struct {
		name  string
		recs  []Record
		inUse bool
		today int
	}{
		{"3-way never done: the rule does not apply", []Record{rec("basic", 10, true)}, false, 1},
		{"3-way this week, basic today", []Record{rec("3way", 5, true), rec("basic", 10, true)}, true, 1},
		{"3-way this week, basic not today", []Record{rec("3way", 4, true), rec("basic", 9, true)}, true, 0},
		{"3-way over a week ago", []Record{rec("3way", 3, true)}, false, 0},
		{"an unfinished basic roll does not count", []Record{rec("3way", 10, true), rec("basic", 10, false)}, true, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Dailies(tt.recs, now, rules)
			if len(got) != 1 || got[0].InUse != tt.inUse || got[0].Today != tt.today || got[0].Routine != "basic" || got[0].Because != "3way" {
				t.Errorf("%+v, want in use %v, today %d", got, tt.inUse, tt.today)
			}
		})
	}
}
