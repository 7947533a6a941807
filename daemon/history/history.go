// Package history keeps the log of played sessions: JSON lines in an
// append-only file (history.jsonl), written with O_APPEND and fsync. A
// session is written when it starts, again at each part or segment it
// reaches, and when it ends, each time as a whole line with the session's
// id; earlier lines are never rewritten. So a crash or kill -9 loses
// nothing of what was done: Read merges the lines of a session into one
// Record, and a session whose last line is not its end is Interrupted,
// with how far it got. Read skips a torn or garbled line with a warning
// instead of failing, and Summarize turns the sessions into what `cued
// history` shows: today's sessions against the daily goal, and the streak.
package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// MaxLine is the longest line Read accepts; a longer one is skipped as
// damaged.
const MaxLine = 64 << 10

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("history: log is closed")

// The events of a session's lines (Record.Event).
const (
	// EventStart is the first line of a session.
	EventStart = "start"
	// EventProgress is written at each part or segment the session
	// reaches.
	EventProgress = "progress"
	// EventEnd is the last line of a session that ended (played to the
	// end, stopped, or cut by a clean shutdown). A line without an event
	// and without an id, as logs before session ids were written, is a
	// whole session on its own, written at its end.
	EventEnd = "end"
	// EventShutdown is the last line of a session that the daemon's own
	// shutdown (SIGTERM, logout) cut: like a session with no end line, it
	// is Interrupted.
	EventShutdown = "shutdown"
)

// Record is one line of the log, or, as Read returns it, one session (its
// lines merged: the first line's start, the last line's progress).
type Record struct {
	// ID is the session's id, the same on each of its lines.
	ID string `json:"id,omitempty"`
	// Event is EventStart, EventProgress or EventEnd.
	Event   string    `json:"event,omitempty"`
	Routine string    `json:"routine"`
	Name    string    `json:"name,omitempty"`
	Level   string    `json:"level,omitempty"`
	Start   time.Time `json:"start"`
	// End is when the line was written: the session's end on its last
	// line.
	End time.Time `json:"end"`
	// Completed is true when the session played to its end.
	Completed bool `json:"completed"`
	// Interrupted is set by Read, never written: the session has no end
	// line (the daemon was killed, stopped, or the machine lost power
	// under it, or it still plays).
	Interrupted bool `json:"interrupted,omitempty"`
	// Final is true once the session reached its last part or segment.
	Final bool `json:"final,omitempty"`
	// ReachedMS is how far the session got, LengthMS its length.
	ReachedMS int64 `json:"reached_ms"`
	LengthMS  int64 `json:"length_ms"`
	// Part is the last part reached.
	Part string `json:"part,omitempty"`
	// Trigger says who started it: "user" or "schedule".
	Trigger string `json:"trigger,omitempty"`
}

// Counts reports whether the session counts toward the daily goal: it
// played to its end, or it was interrupted (not stopped) once it had
// reached its last part or segment. A session the user stopped does not
// count, whatever it reached.
func (r Record) Counts() bool { return r.Completed || (r.Interrupted && r.Final) }

// Log appends records to one file. It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

// Open opens (creating it and its folder if needed, 0700/0600) the log at
// path for appending.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	return &Log{path: path, f: f}, nil
}

// Path returns the file the log writes.
func (l *Log) Path() string { return l.path }

// Append writes r as one line with a single write and syncs it to disk
// before returning. If the previous line was torn by a crash, the new line
// starts on a line of its own, so the damage stays confined to the torn one.
func (l *Log) Append(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return ErrClosed
	}
	if err := l.reopenIfMoved(); err != nil {
		return err
	}
	if torn, err := endsTorn(l.path); err == nil && torn {
		b = append([]byte{'\n'}, b...)
	}
	b = append(b, '\n')
	if _, err := l.f.Write(b); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}

// reopenIfMoved reopens the log when its file was removed or replaced
// (rotated, or deleted by hand) since it was opened, so that no record goes
// to a file nobody can read any more.
func (l *Log) reopenIfMoved() error {
	cur, errPath := os.Stat(l.path)
	open, errOpen := l.f.Stat()
	if errPath == nil && errOpen == nil && os.SameFile(cur, open) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	l.f.Close()
	l.f = f
	return nil
}

// endsTorn reports whether the file's last byte is not a newline.
func endsTorn(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], st.Size()-1); err != nil {
		return false, err
	}
	return b[0] != '\n', nil
}

// Close syncs and closes the file. It is safe to call more than once.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Sync()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}

// Read returns every session of the log at path, in the order they
// started, each line of a session merged into one Record (see Merge). A
// line that is not a complete record (torn by a crash, garbled, too long)
// is skipped and reported through warn with its line number; a missing file
// is an empty history.
func Read(path string, warn func(string)) ([]Record, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer f.Close()
	return Parse(f, path, warn)
}

// Parse reads the sessions of a log from r (see Read); name labels
// warnings.
func Parse(r io.Reader, name string, warn func(string)) ([]Record, error) {
	lines, err := ParseLines(r, name, warn)
	return Merge(lines), err
}

// Merge turns lines into sessions, in the order of their first lines: the
// lines with one ID become one Record with the first line's Start and the
// last line's progress, Interrupted when that last line is not
// EventEnd. A line without an ID is a session of its own.
func Merge(lines []Record) []Record {
	var out []Record
	at := map[string]int{}
	for _, l := range lines {
		i, seen := at[l.ID]
		if l.ID == "" || !seen {
			if l.ID != "" {
				at[l.ID] = len(out)
			}
			out = append(out, l)
			i = len(out) - 1
		} else {
			start := out[i].Start
			out[i] = l
			out[i].Start = start
		}
		out[i].Interrupted = l.ID != "" && l.Event != EventEnd
		if out[i].Interrupted {
			out[i].Completed = false
		}
		out[i].Event = ""
	}
	return out
}

// ParseLines reads the lines of a log from r, each as written; name labels
// warnings.
func ParseLines(r io.Reader, name string, warn func(string)) ([]Record, error) {
	if warn == nil {
		warn = func(string) {}
	}
	br := bufio.NewReader(r)
	var out []Record
	for n := 1; ; n++ {
		line, err := readLine(br)
		if len(line) > 0 {
			var rec Record
			switch {
			case len(line) > MaxLine:
				warn(fmt.Sprintf("%s:%d: line longer than %d bytes skipped", name, n, MaxLine))
			case json.Unmarshal(line, &rec) != nil || rec.Routine == "":
				warn(fmt.Sprintf("%s:%d: damaged line skipped (an interrupted write?)", name, n))
			default:
				out = append(out, rec)
			}
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, fmt.Errorf("history: %s: %w", name, err)
		}
	}
}

// readLine reads one line without its newline; a line longer than MaxLine is
// consumed and returned truncated to MaxLine+1 bytes so the caller can tell.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		part, isPrefix, err := br.ReadLine()
		if len(buf) <= MaxLine {
			buf = append(buf, part...)
		}
		if err != nil || !isPrefix {
			return bytes.TrimSpace(buf), err
		}
	}
}

// Summary is what `cued history` shows.
type Summary struct {
	// Today are today's sessions, in order.
	Today []Record `json:"today"`
	// Completed counts today's sessions that count toward the goal
	// (Record.Counts); Goal is the daily goal.
	Completed int `json:"completed"`
	Goal      int `json:"goal"`
	// Streak is the number of consecutive days, ending today (or
	// yesterday while today's goal is not yet met), on which the goal was
	// met.
	Streak int `json:"streak"`
	// Daily is the state of the routines' daily rules today (Dailies).
	Daily []Daily `json:"daily,omitempty"`
}

// DailyRule asks for Routine at least once a day while Because is in use
// (a routine's daily: list).
type DailyRule struct{ Routine, Because string }

// Daily is a DailyRule's state today.
type Daily struct {
	Routine string `json:"routine"`
	Because string `json:"because"`
	// InUse is set when Because had a session that counts (Record.Counts)
	// within the last InUseDays days, today included: only then does the
	// rule apply.
	InUse bool `json:"in_use"`
	// Today counts Routine's sessions today that count.
	Today int `json:"today"`
}

// InUseDays is how recent a session must be for its routine to be in use.
const InUseDays = 7

// Dailies returns the state of each rule at now (in now's location).
func Dailies(recs []Record, now time.Time, rules []DailyRule) []Daily {
	loc := now.Location()
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, loc)
	since := today.AddDate(0, 0, 1-InUseDays)
	var out []Daily
	for _, rule := range rules {
		st := Daily{Routine: rule.Routine, Because: rule.Because}
		for _, r := range recs {
			if !r.Counts() {
				continue
			}
			if r.Routine == rule.Because && !r.Start.Before(since) {
				st.InUse = true
			}
			if r.Routine == rule.Routine && !r.Start.Before(today) {
				st.Today++
			}
		}
		out = append(out, st)
	}
	return out
}

// Summarize computes the summary of the sessions recs at now (in now's
// location) for a daily goal of goal sessions that count (Record.Counts;
// at least 1).
func Summarize(recs []Record, now time.Time, goal int) Summary {
	if goal < 1 {
		goal = 1
	}
	loc := now.Location()
	day := func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
	today := day(now)
	perDay := map[time.Time]int{}
	s := Summary{Goal: goal}
	for _, r := range recs {
		d := day(r.Start)
		if r.Counts() {
			perDay[d]++
		}
		if d.Equal(today) {
			s.Today = append(s.Today, r)
		}
	}
	s.Completed = perDay[today]
	d := today
	if perDay[d] < goal {
		d = d.AddDate(0, 0, -1)
	}
	for perDay[d] >= goal {
		s.Streak++
		d = d.AddDate(0, 0, -1)
	}
	return s
}
