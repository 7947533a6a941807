package daemon_test

import (
	"context"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/daemon/schedule"
)

// TestScheduledModes drives the scheduler on a simulated clock: a prompt
// waits and sounds its invitation, toggle starts it; an auto entry that
// comes due while a session plays is skipped and never interrupts it; a
// prompt that is not answered expires.
func TestScheduledModes(t *testing.T) {
	clk := newFakeClock(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC))
	invited := make(chan string, 4)
	h := start(t, func(o *daemon.Options) {
		o.Clock = clk
		o.SchedulerMaxSleep = 48 * time.Hour
		o.PromptTimeout = 10 * time.Minute
		o.Schedule = []schedule.Entry{
			{At: "07:30", Routine: "morning", Mode: schedule.Prompt, Level: "gentle"},
			{At: "07:31", Routine: "auto", Mode: schedule.Auto},
			{At: "08:00", Routine: "late", Mode: schedule.Prompt},
		}
		inner := prepare(0.2)
		o.Invite = func(ctx context.Context, occ schedule.Occurrence) (daemon.Session, error) {
			invited <- occ.Routine
			return inner(ctx, api.PlayRequest{Routine: "invite-" + occ.Routine})
		}
		o.Prepare = prepare(120)
	})
	ctx := context.Background()

	clk.advance(t) // 07:30 prompt
	s := h.waitFor("prompt", func(s api.Status) bool { return s.State == api.StatePrompt })
	if s.Prompt == nil || s.Prompt.Routine != "morning" || s.Prompt.Level != "gentle" {
		t.Fatalf("prompt status: %+v", s)
	}
	if r := <-invited; r != "morning" {
		t.Errorf("invitation for %q", r)
	}
	if s, err := h.c.Verb(ctx, "toggle"); err != nil || s.State != api.StatePlaying || s.Routine != "morning" {
		t.Fatalf("toggle on prompt: %+v %v", s, err)
	}
	clk.advance(t) // 07:31 auto while playing: skipped
	time.Sleep(100 * time.Millisecond)
	if s := h.status(); s.Routine != "morning" || s.State != api.StatePlaying {
		t.Fatalf("auto entry interrupted the session: %+v", s)
	}
	h.c.Verb(ctx, "stop")
	clk.advance(t) // 08:00 prompt, left unanswered
	h.waitFor("second prompt", func(s api.Status) bool { return s.State == api.StatePrompt && s.Prompt.Routine == "late" })
	clk.mu.Lock()
	clk.now = clk.now.Add(11 * time.Minute)
	clk.mu.Unlock()
	h.waitFor("prompt expired", func(s api.Status) bool { return s.State == api.StateIdle })

	recs, _ := history.Read(h.hist, nil)
	if len(recs) != 1 || recs[0].Routine != "morning" || recs[0].Trigger != "schedule" {
		t.Errorf("history: %+v", recs)
	}
}

// TestSnooze puts a prompt off: it is gone at once, status says until
// when, it comes back with its chime after Options.Snooze, and a stop
// while it is put off dismisses it for good.
func TestSnooze(t *testing.T) {
	clk := newFakeClock(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC))
	invited := make(chan string, 4)
	h := start(t, func(o *daemon.Options) {
		o.Clock = clk
		o.SchedulerMaxSleep = 48 * time.Hour
		o.Schedule = []schedule.Entry{{At: "07:30", Routine: "morning", Mode: schedule.Prompt}}
		inner := prepare(0.2)
		o.Invite = func(ctx context.Context, occ schedule.Occurrence) (daemon.Session, error) {
			invited <- occ.Routine
			return inner(ctx, api.PlayRequest{Routine: "invite-" + occ.Routine})
		}
	})
	ctx := context.Background()
	if _, err := h.c.Verb(ctx, "snooze"); err == nil {
		t.Fatal("snooze with no prompt waiting was accepted")
	}
	clk.advance(t) // 07:30 prompt
	h.waitFor("prompt", func(s api.Status) bool { return s.State == api.StatePrompt })
	<-invited
	s, err := h.c.Verb(ctx, "snooze")
	if err != nil || s.State != api.StateIdle || s.Snoozed == nil || s.Snoozed.Routine != "morning" ||
		!s.Snoozed.At.Equal(time.Date(2026, 6, 1, 7, 40, 0, 0, time.UTC)) {
		t.Fatalf("snooze: %+v %v", s, err)
	}
	if at := clk.advance(t); !at.Equal(s.Snoozed.At) {
		t.Fatalf("the next timer is at %v, not the snooze's %v", at, s.Snoozed.At)
	}
	s = h.waitFor("prompt again", func(s api.Status) bool { return s.State == api.StatePrompt })
	if s.Prompt.Routine != "morning" || s.Snoozed != nil {
		t.Fatalf("prompt after the snooze: %+v", s)
	}
	if r := <-invited; r != "morning" {
		t.Errorf("second invitation for %q", r)
	}
	if _, err := h.c.Verb(ctx, "snooze"); err != nil {
		t.Fatal(err)
	}
	if s, err := h.c.Verb(ctx, "stop"); err != nil || s.Snoozed != nil {
		t.Fatalf("stop during a snooze: %+v %v", s, err)
	}
}
