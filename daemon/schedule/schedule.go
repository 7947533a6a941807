// Package schedule decides when scheduled sessions start: entries at a time
// of day, each in prompt or auto mode. The Scheduler runs on an injected
// Clock (so that a test can simulate a year in a second), fires at most the
// one occurrence that is due, and never replays in a burst the occurrences
// missed while the machine slept.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cued-dev/cued/routine"
)

// Modes of an entry.
const (
	// Prompt plays a chime and a spoken invitation, then waits for the
	// user to start the session.
	Prompt = "prompt"
	// Auto starts the session at once.
	Auto = "auto"
)

// ErrEntry is matched by every error of Parse.
var ErrEntry = errors.New("bad schedule entry")

// Entry is one scheduled session, as written in config.yaml.
type Entry struct {
	// At is the time of day, "HH:MM" (24-hour clock, local time).
	At      string
	Routine string
	// Mode is Prompt or Auto; "" means Prompt.
	Mode string
	// Level is gentle, standard or full; "" means the configured level.
	Level string

	hour, min int
}

// Parse validates entries and returns them ready for use, sorted by time of
// day. Every problem is reported, each naming the entry by its index.
func Parse(entries []Entry) ([]Entry, error) {
	var errs []error
	out := make([]Entry, 0, len(entries))
	for i, e := range entries {
		h, m, err := parseClock(e.At)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: schedule[%d]: %v", ErrEntry, i, err))
			continue
		}
		e.hour, e.min = h, m
		switch e.Mode {
		case "":
			e.Mode = Prompt
		case Prompt, Auto:
		default:
			errs = append(errs, fmt.Errorf("%w: schedule[%d]: mode %q is not a mode (prompt or auto)", ErrEntry, i, e.Mode))
			continue
		}
		if e.Level != "" {
			if _, err := routine.ParseLevel(e.Level); err != nil {
				errs = append(errs, fmt.Errorf("%w: schedule[%d]: %v", ErrEntry, i, err))
				continue
			}
		}
		if e.Routine == "" {
			errs = append(errs, fmt.Errorf("%w: schedule[%d]: routine is missing", ErrEntry, i))
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].hour*60+out[i].min < out[j].hour*60+out[j].min
	})
	return out, errors.Join(errs...)
}

func parseClock(s string) (h, m int, err error) {
	hs, ms, ok := strings.Cut(s, ":")
	if ok {
		h, err = strconv.Atoi(hs)
	}
	if ok && err == nil {
		m, err = strconv.Atoi(ms)
	}
	if !ok || err != nil || len(ms) != 2 || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, 0, fmt.Errorf("at %q is not a time of day (HH:MM, e.g. 07:30)", s)
	}
	return h, m, nil
}

// Occurrence is an entry at one moment.
type Occurrence struct {
	Entry
	Time time.Time
}

// Next returns the first occurrence strictly after t (in t's location) of
// entries (as returned by Parse), and false if there are none.
func Next(entries []Entry, t time.Time) (Occurrence, bool) {
	if len(entries) == 0 {
		return Occurrence{}, false
	}
	y, mo, d := t.Date()
	for day := 0; day < 3; day++ {
		for _, e := range entries {
			at := time.Date(y, mo, d+day, e.hour, e.min, 0, 0, t.Location())
			if at.After(t) {
				return Occurrence{Entry: e, Time: at}, true
			}
		}
	}
	return Occurrence{}, false
}

// Upcoming returns the next n occurrences after t.
func Upcoming(entries []Entry, t time.Time, n int) []Occurrence {
	var out []Occurrence
	for len(out) < n {
		o, ok := Next(entries, t)
		if !ok {
			break
		}
		out = append(out, o)
		t = o.Time
	}
	return out
}

// Clock is the time source of a Scheduler.
type Clock interface {
	Now() time.Time
	// After sends the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// System is the real clock.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (System) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Defaults of a Scheduler.
const (
	// DefaultGrace is how late an occurrence may still fire: later than
	// this (the machine slept through it) it is skipped.
	DefaultGrace = 2 * time.Minute
	// DefaultMaxSleep bounds each wait, so that a wall-clock jump (a
	// resume from suspend, a clock change) is noticed within it.
	DefaultMaxSleep = time.Minute
)

// Scheduler fires occurrences of its entries as they come due.
type Scheduler struct {
	// Clock is the time source; nil means System.
	Clock Clock
	// Grace and MaxSleep default to DefaultGrace and DefaultMaxSleep.
	Grace    time.Duration
	MaxSleep time.Duration
	// Fire is called, on the Run goroutine, for each occurrence that
	// comes due; it must not block for long.
	Fire func(Occurrence)
	// Missed is called (may be nil) for an occurrence skipped because it
	// came due more than Grace ago.
	Missed func(Occurrence)

	mu      sync.Mutex
	entries []Entry
	update  chan struct{}
}

// SetEntries replaces the entries (as returned by Parse); Run takes them
// into account at once. It is safe to call at any time.
func (s *Scheduler) SetEntries(entries []Entry) {
	s.mu.Lock()
	s.entries = append([]Entry(nil), entries...)
	if s.update == nil {
		s.update = make(chan struct{}, 1)
	}
	s.mu.Unlock()
	select {
	case s.update <- struct{}{}:
	default:
	}
}

// Entries returns the current entries.
func (s *Scheduler) Entries() []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Entry(nil), s.entries...)
}

func (s *Scheduler) clock() Clock {
	if s.Clock == nil {
		return System{}
	}
	return s.Clock
}

// Run fires occurrences until ctx is done. Occurrences before the moment
// Run starts are never fired.
func (s *Scheduler) Run(ctx context.Context) {
	s.mu.Lock()
	if s.update == nil {
		s.update = make(chan struct{}, 1)
	}
	update := s.update
	s.mu.Unlock()
	select { // entries set before Run are read below
	case <-update:
	default:
	}
	grace, maxSleep := s.Grace, s.MaxSleep
	if grace <= 0 {
		grace = DefaultGrace
	}
	if maxSleep <= 0 {
		maxSleep = DefaultMaxSleep
	}
	clk := s.clock()
	last := clk.Now()
	for {
		occ, ok := Next(s.Entries(), last)
		wait := maxSleep
		if ok {
			wait = min(occ.Time.Sub(clk.Now()), maxSleep)
		}
		if wait > 0 {
			select {
			case <-ctx.Done():
				return
			case <-update:
				// Entries changed: a new entry earlier today was not
				// missed, it simply did not exist yet.
				if now := clk.Now(); now.After(last) {
					last = now
				}
				continue
			case <-clk.After(wait):
			}
		}
		if ctx.Err() != nil {
			return
		}
		now := clk.Now()
		if !ok || now.Before(occ.Time) {
			continue
		}
		if now.Sub(occ.Time) <= grace {
			last = occ.Time
			s.fire(occ)
			continue
		}
		last = s.catchUp(last, now, grace)
	}
}

// catchUp is Run after a sleep through one occurrence or more (a machine
// suspended, a clock set forward): every occurrence from last to now is
// missed but the latest, which fires alone if it is still within grace.
// It returns the time Run goes on from.
func (s *Scheduler) catchUp(last, now time.Time, grace time.Duration) time.Time {
	for o, ok := Next(s.Entries(), last); ok && !o.Time.After(now); o, ok = Next(s.Entries(), o.Time) {
		if s.Missed != nil && now.Sub(o.Time) > grace {
			s.Missed(o)
		}
		last = o.Time
		if now.Sub(o.Time) <= grace {
			s.fire(o)
			break
		}
	}
	if floor := now.Add(-grace); last.Before(floor) {
		return floor
	}
	return last
}

// fire calls Fire, if set.
func (s *Scheduler) fire(o Occurrence) {
	if s.Fire != nil {
		s.Fire(o)
	}
}
