package daemon_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/daemon/schedule"
	"github.com/cued-dev/cued/daemon/sink"
)

// fakeClock is a simulated clock: time moves only when the test advances
// it to the next timer.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeTimer
	added   chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t, added: make(chan struct{}, 1)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, fakeTimer{c.now.Add(d), ch})
	select {
	case c.added <- struct{}{}:
	default:
	}
	return ch
}

// advance waits for a timer, then moves the clock to the earliest one and
// fires it.
func (c *fakeClock) advance(t *testing.T) time.Time {
	deadline := time.After(5 * time.Second)
	for {
		c.mu.Lock()
		if len(c.waiters) > 0 {
			k := 0
			for i, w := range c.waiters {
				if w.at.Before(c.waiters[k].at) {
					k = i
				}
			}
			w := c.waiters[k]
			c.waiters = append(c.waiters[:k], c.waiters[k+1:]...)
			if w.at.After(c.now) {
				c.now = w.at
			}
			now := c.now
			c.mu.Unlock()
			w.ch <- now
			return now
		}
		c.mu.Unlock()
		select {
		case <-c.added:
		case <-deadline:
			t.Fatal("no timer set within 5 s")
		}
	}
}

// TestSoak runs 1000 scheduled sessions (auto mode, three a day) on a
// simulated clock into a null output, and checks that heap and goroutines
// stay flat from the 100th session to the 1000th.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test skipped in -short mode")
	}
	const sessions = 1000
	loc := time.FixedZone("test", 3600)
	clk := newFakeClock(time.Date(2026, 1, 1, 6, 0, 0, 0, loc))
	h := start(t, func(o *daemon.Options) {
		o.Clock = clk
		o.SchedulerMaxSleep = 48 * time.Hour
		o.Prepare = prepare(0.5)
		o.Output = daemon.OutputFunc(func(ctx context.Context, r int) (daemon.Device, error) {
			return sink.Null{}.Open(ctx, r)
		})
		o.Schedule = []schedule.Entry{
			{At: "07:30", Routine: "morning", Mode: schedule.Auto},
			{At: "12:30", Routine: "noon", Mode: schedule.Auto, Level: "gentle"},
			{At: "21:00", Routine: "night", Mode: schedule.Auto, Level: "full"},
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ends := make(chan api.Event, 16)
	subscribed := make(chan struct{})
	evDone := make(chan error, 1)
	go func() {
		evDone <- h.c.Events(ctx, func(e api.Event) error {
			switch e.Type {
			case api.EventStatus:
				close(subscribed)
			case api.EventEnd, api.EventSkipped:
				ends <- e
			}
			return nil
		})
	}()
	<-subscribed

	var heap100, gr100 uint64
	var m runtime.MemStats
	started := time.Now()
	for i := 1; i <= sessions; i++ {
		clk.advance(t)
		select {
		case e := <-ends:
			if e.Type != api.EventEnd {
				t.Fatalf("session %d: %s: %s", i, e.Type, e.Message)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("session %d did not end; status %+v", i, h.status())
		}
		if i == 100 || i == sessions {
			time.Sleep(20 * time.Millisecond) // let the pump and child goroutines exit
			runtime.GC()
			runtime.GC()
			runtime.ReadMemStats(&m)
			g := uint64(runtime.NumGoroutine())
			t.Logf("after %4d sessions (simulated %s): HeapAlloc %7.1f KiB, HeapObjects %6d, goroutines %d, %v elapsed",
				i, clk.Now().Format("2006-01-02 15:04"), float64(m.HeapAlloc)/1024, m.HeapObjects, g, time.Since(started).Round(time.Millisecond))
			if i == 100 {
				heap100, gr100 = m.HeapAlloc, g
				continue
			}
			if m.HeapAlloc > heap100+512<<10 {
				t.Errorf("heap grew from %d to %d bytes over %d sessions", heap100, m.HeapAlloc, sessions-100)
			}
			if g > gr100+2 {
				t.Errorf("goroutines grew from %d to %d", gr100, g)
			}
		}
	}
	recs, err := history.Read(h.hist, nil)
	if err != nil || len(recs) != sessions {
		t.Fatalf("history holds %d records, want %d (%v)", len(recs), sessions, err)
	}
	last := recs[len(recs)-1]
	if !last.Completed || last.Trigger != "schedule" || last.Start.Year() != 2026 || !recs[1].Start.After(recs[0].Start) {
		t.Errorf("records: first %+v, last %+v", recs[0], last)
	}
	cancel()
	<-evDone
}
