package schedule

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   Entry
		want string // "" for valid
	}{
		{"plain", Entry{At: "07:30", Routine: "r"}, ""},
		{"mode and level", Entry{At: "23:59", Routine: "r", Mode: Auto, Level: "full"}, ""},
		{"one-digit hour", Entry{At: "7:30", Routine: "r"}, ""},
		{"hour 24", Entry{At: "24:00", Routine: "r"}, `at "24:00" is not a time of day`},
		{"one-digit minute", Entry{At: "07:3", Routine: "r"}, `at "07:3" is not a time of day`},
		{"a word for the time", Entry{At: "noon", Routine: "r"}, `at "noon" is not a time of day`},
		{"unknown mode", Entry{At: "07:30", Routine: "r", Mode: "loud"}, `mode "loud" is not a mode`},
		{"unknown level", Entry{At: "07:30", Routine: "r", Level: "max"}, `level "max" is not a level`},
		{"no routine", Entry{At: "07:30"}, "routine is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Parse([]Entry{tt.in})
			switch {
			case tt.want == "" && (err != nil || len(out) != 1 || out[0].Mode == ""):
				t.Errorf("Parse(%+v): %v %+v", tt.in, err, out)
			case tt.want != "" && (err == nil || !errors.Is(err, ErrEntry) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Parse(%+v): %v, want %q", tt.in, err, tt.want)
			}
		})
	}
}

func TestNextAndUpcoming(t *testing.T) {
	es, err := Parse([]Entry{{At: "21:00", Routine: "c"}, {At: "07:30", Routine: "a"}, {At: "12:30", Routine: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time { v, _ := time.ParseInLocation("2006-01-02 15:04", s, time.Local); return v }
	tests := []struct{ from, want, routine string }{
		{"2026-03-01 06:00", "2026-03-01 07:30", "a"},
		{"2026-03-01 07:30", "2026-03-01 12:30", "b"},
		{"2026-03-01 21:00", "2026-03-02 07:30", "a"},
		{"2026-03-31 22:00", "2026-04-01 07:30", "a"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			o, ok := Next(es, at(tt.from))
			if !ok || !o.Time.Equal(at(tt.want)) || o.Routine != tt.routine {
				t.Errorf("Next(%s) = %v %s, want %s %s", tt.from, o.Time, o.Routine, tt.want, tt.routine)
			}
		})
	}
	if up := Upcoming(es, at("2026-03-01 13:00"), 4); len(up) != 4 || up[0].Routine != "c" || up[2].Routine != "b" || up[3].Routine != "c" {
		t.Errorf("Upcoming: %+v", up)
	}
	if _, ok := Next(nil, time.Now()); ok {
		t.Error("Next of no entries")
	}
}

// stepClock jumps to whatever time the test sets, waking every waiter.
type stepClock struct {
	mu      sync.Mutex
	now     time.Time
	wake    chan time.Time
	waiting chan struct{}
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *stepClock) After(time.Duration) <-chan time.Time {
	c.waiting <- struct{}{}
	return c.wake
}

// jump waits until the scheduler waits, then moves the time and wakes it.
func (c *stepClock) jump(t time.Time) {
	<-c.waiting
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
	c.wake <- t
}

// TestSleepNoBurst: the machine sleeps through two occurrences and wakes
// shortly after a third: only the third fires, and the two are reported
// missed, never replayed.
func TestSleepNoBurst(t *testing.T) {
	es, _ := Parse([]Entry{{At: "07:30", Routine: "a"}, {At: "12:30", Routine: "b"}, {At: "21:00", Routine: "c"}})
	base := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	clk := &stepClock{now: base, wake: make(chan time.Time), waiting: make(chan struct{}, 1)}
	var mu sync.Mutex
	var fired, missed []string
	s := &Scheduler{Clock: clk,
		Fire:   func(o Occurrence) { mu.Lock(); fired = append(fired, o.Routine); mu.Unlock() },
		Missed: func(o Occurrence) { mu.Lock(); missed = append(missed, o.Routine); mu.Unlock() }}
	s.SetEntries(es)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	clk.jump(base.Add(15*time.Hour + time.Minute)) // 21:01: slept since 06:00
	clk.jump(base.Add(15*time.Hour + 2*time.Minute))
	clk.jump(base.Add(20 * time.Hour)) // 02:00 next day: nothing due
	<-clk.waiting
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(fired, ",") != "c" || strings.Join(missed, ",") != "a,b" {
		t.Errorf("fired %v, missed %v; want [c] and [a b]", fired, missed)
	}
}

// TestNewEntryNotMissed adds an entry for a time already past today: it did
// not exist then, so it is not reported missed.
func TestNewEntryNotMissed(t *testing.T) {
	es, _ := Parse([]Entry{{At: "21:00", Routine: "c"}})
	base := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	clk := &stepClock{now: base, wake: make(chan time.Time), waiting: make(chan struct{}, 1)}
	var mu sync.Mutex
	var fired, missed []string
	s := &Scheduler{Clock: clk,
		Fire:   func(o Occurrence) { mu.Lock(); fired = append(fired, o.Routine); mu.Unlock() },
		Missed: func(o Occurrence) { mu.Lock(); missed = append(missed, o.Routine); mu.Unlock() }}
	s.SetEntries(es)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	<-clk.waiting // waiting for 21:00
	clk.mu.Lock()
	clk.now = base.Add(6 * time.Hour) // 12:00, awake all along
	clk.mu.Unlock()
	es, _ = Parse([]Entry{{At: "08:00", Routine: "a"}, {At: "21:00", Routine: "c"}})
	s.SetEntries(es)
	clk.jump(base.Add(15*time.Hour + time.Minute)) // 21:01
	clk.jump(base.Add(15*time.Hour + 2*time.Minute))
	<-clk.waiting
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(fired, ",") != "c" || len(missed) != 0 {
		t.Errorf("fired %v, missed %v; want [c] and none missed", fired, missed)
	}
}
