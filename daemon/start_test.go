package daemon_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/daemon/schedule"
)

// events collects the types and messages of the daemon's events.
type events struct {
	mu   sync.Mutex
	seen []api.Event
}

func (e *events) watch(t *testing.T, h *harness) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	ready := make(chan struct{})
	var once sync.Once
	go func() {
		defer close(done)
		h.c.Events(ctx, func(ev api.Event) error {
			once.Do(func() { close(ready) })
			e.mu.Lock()
			e.seen = append(e.seen, ev)
			e.mu.Unlock()
			return nil
		})
	}()
	<-ready
	t.Cleanup(func() { cancel(); <-done })
}

// wait returns the first event of type typ, or fails after 3 s.
func (e *events) wait(t *testing.T, typ api.EventType) api.Event {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		for _, ev := range e.seen {
			if ev.Type == typ {
				e.mu.Unlock()
				return ev
			}
		}
		e.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no %s event within 3 s", typ)
	return api.Event{}
}

// TestStartCannotHold: a preparation that never ends on its own cannot
// hold the daemon: a stop cancels it, a deadline gives it up, and either
// way the daemon is idle again with the error in the answer and the
// event stream.
func TestStartCannotHold(t *testing.T) {
	tests := []struct {
		name string
		// obeys: Prepare returns when its context ends; else it ignores
		// it and returns only when the test lets it.
		obeys bool
		stop  bool
		code  int
		event api.EventType
	}{
		{"stop cancels the preparation", true, true, 409, api.EventStop},
		{"the deadline cancels the preparation", true, false, 504, api.EventFailed},
		{"the deadline gives up a preparation that ignores it", false, false, 504, api.EventFailed},
		{"stop gives up a preparation that ignores it", false, true, 409, api.EventStop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			defer close(release)
			cancelled := make(chan struct{}, 1)
			h := start(t, func(o *daemon.Options) {
				o.PrepareTimeout = 300 * time.Millisecond
				inner := o.Prepare
				o.Prepare = func(ctx context.Context, req api.PlayRequest) (daemon.Session, error) {
					if req.Routine != "slow" {
						return inner(ctx, req)
					}
					if !tt.obeys {
						<-release
						return inner(ctx, req)
					}
					<-ctx.Done()
					cancelled <- struct{}{}
					return daemon.Session{}, ctx.Err()
				}
			})
			var ev events
			ev.watch(t, h)
			ctx := context.Background()
			answer := make(chan error, 1)
			t0 := time.Now()
			go func() { _, err := h.c.Play(ctx, api.PlayRequest{Routine: "slow"}); answer <- err }()
			h.waitFor("starting", func(s api.Status) bool { return s.State == api.StateStarting })
			if tt.stop {
				if s, err := h.c.Verb(ctx, "stop"); err != nil || s.State != api.StateIdle {
					t.Fatalf("stop while starting: %+v %v", s, err)
				}
			}
			select {
			case err := <-answer:
				if !isCode(err, tt.code) {
					t.Errorf("play answered %v; want %d", err, tt.code)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("play not answered within 3 s")
			}
			if d := time.Since(t0); d > 2*time.Second {
				t.Errorf("answered after %v", d)
			}
			if tt.obeys {
				select {
				case <-cancelled:
				case <-time.After(time.Second):
					t.Error("Prepare's context was not cancelled")
				}
			}
			if e := ev.wait(t, tt.event); e.Status.State != api.StateIdle || tt.event == api.EventFailed && e.Message == "" {
				t.Errorf("%s event: %+v", tt.event, e)
			}
			if s := h.status(); s.State != api.StateIdle {
				t.Errorf("after the failed start: %+v", s)
			}
			if s, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil || s.State != api.StatePlaying {
				t.Errorf("a play after it: %+v %v", s, err)
			}
		})
	}
}

// TestFailedStartKeepsPrompt: a prompt's session that fails to start
// leaves the prompt waiting, with the error in the answer and the events.
func TestFailedStartKeepsPrompt(t *testing.T) {
	clk := newFakeClock(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC))
	h := start(t, func(o *daemon.Options) {
		o.Clock = clk
		o.SchedulerMaxSleep = 48 * time.Hour
		o.Schedule = []schedule.Entry{{At: "07:30", Routine: "nope", Mode: schedule.Prompt}}
	})
	var ev events
	ev.watch(t, h)
	clk.advance(t)
	h.waitFor("prompt", func(s api.Status) bool { return s.State == api.StatePrompt })
	if _, err := h.c.Verb(context.Background(), "toggle"); !isCode(err, 400) {
		t.Errorf("toggle on a prompt whose routine fails: %v; want 400", err)
	}
	if e := ev.wait(t, api.EventFailed); e.Message != `no such routine "nope"` || e.Status.State != api.StatePrompt {
		t.Errorf("failed event: %+v", e)
	}
	if s := h.status(); s.State != api.StatePrompt || s.Prompt == nil || s.Prompt.Routine != "nope" {
		t.Errorf("after the failed start: %+v; want the prompt back", s)
	}
}

// TestHistoryWhileStarting: a session is in the history from its start
// and at each part it reaches, before it ends.
func TestHistoryWhileStarting(t *testing.T) {
	h := start(t, nil)
	if _, err := h.c.Play(context.Background(), api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("part two", func(s api.Status) bool { return s.PartIndex == 1 })
	var recs []history.Record
	deadline := time.Now().Add(2 * time.Second)
	for {
		recs, _ = history.Read(h.hist, nil)
		if len(recs) == 1 && recs[0].Part != "one" || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Part two, or three where a busy machine let the session go on
	// before the history was read: either is a part reached before the end.
	if len(recs) != 1 || !recs[0].Interrupted || recs[0].Part != "two" && recs[0].Part != "three" || recs[0].ReachedMS < 1000 || recs[0].ID != h.status().Session {
		t.Fatalf("history while playing: %+v", recs)
	}
	h.c.Verb(context.Background(), "stop")
	recs, _ = history.Read(h.hist, nil)
	if len(recs) != 1 || recs[0].Interrupted || recs[0].Completed {
		t.Errorf("history after stop: %+v", recs)
	}
}

// TestProbeKeepsDevice: the device the start-up probe opened is kept as the
// spare, so the first session plays on it without a second Open; with
// Linger negative it is closed and the session opens its own.
func TestProbeKeepsDevice(t *testing.T) {
	for _, tc := range []struct {
		name   string
		linger time.Duration
		opens  int32
	}{
		{"kept", 0, 1},
		{"linger off", -1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, func(o *daemon.Options) { o.ProbeAtStart, o.ProbeRate, o.Linger = true, rate, tc.linger })
			deadline := time.Now().Add(3 * time.Second)
			for h.out.opens.Load() == 0 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond) // the probe's result reaches the player
			if _, err := h.c.Play(t.Context(), api.PlayRequest{Routine: "r1"}); err != nil {
				t.Fatal(err)
			}
			h.waitFor("playing", func(s api.Status) bool { return s.State == api.StatePlaying })
			if n := h.out.opens.Load(); n != tc.opens {
				t.Errorf("%d opens, want %d", n, tc.opens)
			}
		})
	}
}
