//go:build unix

package desktop_test

import (
	"context"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/schedule"
	"github.com/cued-dev/cued/daemon/sink"
	"github.com/cued-dev/cued/desktop"
	"github.com/cued-dev/cued/internal/needs"
)

const rate = 8000

// silence is a session's mix of n samples with a mark every third.
type silence struct{ n int }

func (s *silence) Len() int                    { return s.n }
func (s *silence) WaitAt(int) (int, int, bool) { return 0, 0, false }
func (s *silence) MarkAfter(p int) (int, bool) {
	for _, m := range []int{s.n / 3, 2 * s.n / 3} {
		if m > p {
			return m, true
		}
	}
	return 0, false
}
func (s *silence) MarkBefore(p int) (int, bool) {
	for _, m := range []int{2 * s.n / 3, s.n / 3, 0} {
		if m < p {
			return m, true
		}
	}
	return 0, false
}
func (s *silence) Prev(p int) int { m, _ := s.MarkBefore(p + 1); return m }

// clock is a simulated clock for the scheduler: After fires when the
// test calls fire.
type clock struct {
	mu   sync.Mutex
	now  time.Time
	wait []chan time.Time
	at   []time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.wait, c.at = append(c.wait, ch), append(c.at, c.now.Add(d))
	return ch
}

// fire moves the clock to the earliest timer and fires it.
func (c *clock) fire(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		if len(c.wait) > 0 {
			k := 0
			for i := range c.at {
				if c.at[i].Before(c.at[k]) {
					k = i
				}
			}
			ch, at := c.wait[k], c.at[k]
			c.wait, c.at = append(c.wait[:k], c.wait[k+1:]...), append(c.at[:k], c.at[k+1:]...)
			c.now = at
			c.mu.Unlock()
			ch <- at
			return
		}
		c.mu.Unlock()
	}
	t.Fatal("no timer within 5 s")
}

// TestWithDaemon runs the desktop on the real daemon (a null output in
// real time): a scheduled prompt is a notification whose Start starts it,
// logind's inhibitor is held while it plays, playerctl pauses it and the
// MPRIS status follows, stop releases the inhibitor; the play button
// then starts desktop.Routine.
func TestWithDaemon(t *testing.T) {
	pc := needs.Program(t, "playerctl", "playerctl")
	dir := t.TempDir()
	sess, sys := startBus(t, filepath.Join(dir)), startBus(t, t.TempDir())
	n := startNotifications(t, sess)
	lconn := sys.dial(t)
	l := &fakeLogind{conn: lconn, taken: make(chan pipe, 4), what: make(chan []string, 4)}
	lconn.Export(l, "/org/freedesktop/login1", "org.freedesktop.login1.Manager")
	lconn.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue)

	clk := &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	d, err := daemon.New(daemon.Options{
		Socket: filepath.Join(dir, "cued.sock"), Logger: quiet(), Clock: clk, SchedulerMaxSleep: 48 * time.Hour,
		Schedule: []schedule.Entry{{At: "12:30", Routine: "noon", Mode: schedule.Prompt}},
		Prepare: func(_ context.Context, req api.PlayRequest) (daemon.Session, error) {
			return daemon.Session{Audio: &silence{n: 60 * rate}, Rate: rate, Routine: req.Routine, Name: "Test " + req.Routine,
				Parts: []daemon.Part{{Name: "one", End: 20 * time.Second}, {Name: "two", Start: 20 * time.Second, End: 40 * time.Second},
					{Name: "three", Start: 40 * time.Second, End: 60 * time.Second}}}, nil
		},
		Output: daemon.OutputFunc(func(ctx context.Context, r int) (daemon.Device, error) {
			return sink.Null{Realtime: true}.Open(ctx, r)
		}),
		Linger: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx) }()
	deskDone := make(chan struct{})
	go func() {
		defer close(deskDone)
		desktop.Run(ctx, d, desktop.Options{MPRIS: true, Notify: true, Inhibit: true, Routine: "daily",
			SessionBus: sess.addr, SystemBus: sys.addr, Logger: quiet()})
	}()
	t.Cleanup(func() {
		cancel()
		<-deskDone
		if err := <-ran; err != nil {
			t.Error(err)
		}
	})
	waitName(t, sess.dial(t), desktop.BusName)
	ctl := playerctl(t, pc, sess.addr)

	clk.fire(t) // 12:30: the prompt
	shown := <-n.shown
	if shown[1] != "Time for noon" {
		t.Errorf("notification %q", shown[1])
	}
	n.click(t, "start")
	r := <-l.taken
	waitStatus(t, ctl, "Playing")
	if got := ctl("metadata", "xesam:album"); got != "Test noon" {
		t.Errorf("album %q", got)
	}
	<-n.closed
	ctl("pause")
	waitStatus(t, ctl, "Paused")
	if st, _ := d.Status(ctx); st.State != api.StatePaused {
		t.Errorf("after playerctl pause the daemon is %s", st.State)
	}
	ctl("stop")
	waitStatus(t, ctl, "Stopped")
	released(t, r, 3*time.Second)
	ctl("play") // idle: desktop.Routine
	waitStatus(t, ctl, "Playing")
	if st, _ := d.Status(ctx); st.Routine != "daily" {
		t.Errorf("play when idle started %q, want daily", st.Routine)
	}
	p := <-l.taken
	p.r.Close()
	syscall.Close(p.w)
}

// playerctl returns a function that runs playerctl -p cued on the bus at
// addr and returns its output.
func playerctl(t *testing.T, pc, addr string) func(args ...string) string {
	return func(args ...string) string {
		t.Helper()
		return runPlayerctl(t, pc, addr, args...)
	}
}

func waitStatus(t *testing.T, ctl func(...string) string, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ctl("status") != want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := ctl("status"); got != want {
		t.Fatalf("playerctl status %q, want %q", got, want)
	}
}
