//go:build unix

package desktop_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/internal/needs"
)

// bus is a private dbus-daemon: a real message bus, ours alone.
type bus struct {
	addr string
	cmd  *exec.Cmd
}

// startBus starts a private bus listening at a socket in dir (a bus
// started again in the same dir has the same address).
func startBus(t *testing.T, dir string) *bus {
	t.Helper()
	needs.Program(t, "dbus-daemon", "dbus-daemon")
	addr := "unix:path=" + filepath.Join(dir, "bus")
	os.Remove(filepath.Join(dir, "bus"))
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--nopidfile", "--address="+addr, "--print-address")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &bus{addr: addr, cmd: cmd}
	t.Cleanup(b.kill)
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	go io.Copy(io.Discard, out)
	b.addr = strings.TrimSpace(line)
	return b
}

func (b *bus) kill() {
	if b.cmd.Process != nil {
		b.cmd.Process.Kill()
		b.cmd.Wait()
		b.cmd.Process = nil
	}
}

// dial connects a client to the bus.
func (b *bus) dial(t *testing.T) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(b.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitName waits until name has an owner on conn's bus.
func waitName(t *testing.T, conn *dbus.Conn, name string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var has bool
		if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has); err == nil && has {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not appear on the bus within 5 s", name)
}

// fakeDaemon is a Controller with the daemon's rules reduced to what the
// desktop sees: it records every call and publishes the events a real
// player would.
type fakeDaemon struct {
	mu    sync.Mutex
	st    api.Status
	calls []string
	subs  []chan api.Event
}

func newFake(st api.Status) *fakeDaemon { return &fakeDaemon{st: st} }

func (f *fakeDaemon) Control(_ context.Context, v api.Verb) (api.Status, error) {
	f.mu.Lock()
	f.calls = append(f.calls, string(v))
	st := &f.st
	ok := st.Session != ""
	if v == api.VerbToggle { // the daemon's toggle, outside a wait
		v = map[api.State]api.Verb{api.StatePlaying: api.VerbPause, api.StatePaused: api.VerbResume}[st.State]
	}
	switch v {
	case api.VerbPause:
		if ok = st.State == api.StatePlaying; ok {
			st.State, st.Paused = api.StatePaused, true
		}
	case api.VerbResume:
		if ok = st.State == api.StatePaused; ok {
			st.State, st.Paused = api.StatePlaying, false
		}
	case api.VerbNext, api.VerbPrev:
	case api.VerbStop:
		ok = true
		*st = api.Status{State: api.StateIdle, PartIndex: -1}
	case api.VerbSnooze:
		if ok = st.State == api.StatePrompt; ok {
			st.State, st.Prompt = api.StateIdle, nil
		}
	}
	s := f.st
	f.mu.Unlock()
	if !ok {
		return s, &api.Error{Status: http.StatusConflict, Message: "nothing to " + string(v)}
	}
	f.publish(map[api.Verb]api.EventType{api.VerbPause: api.EventPause, api.VerbResume: api.EventResume,
		api.VerbNext: api.EventSeek, api.VerbPrev: api.EventSeek, api.VerbStop: api.EventStop, api.VerbSnooze: api.EventSnooze}[v])
	return s, nil
}

func (f *fakeDaemon) Play(_ context.Context, req api.PlayRequest) (api.Status, error) {
	f.mu.Lock()
	f.calls = append(f.calls, "play "+req.Routine)
	f.st = playing(req.Routine)
	s := f.st
	f.mu.Unlock()
	f.publish(api.EventStart)
	return s, nil
}

// Volume sets the master level as the daemon does, refusing more than +12 dB.
func (f *fakeDaemon) Volume(_ context.Context, req api.VolumeRequest) (api.Status, error) {
	f.mu.Lock()
	if req.Master == nil || *req.Master > 12 {
		s := f.st
		f.mu.Unlock()
		return s, &api.Error{Status: http.StatusBadRequest, Message: "volume out of range"}
	}
	f.calls = append(f.calls, fmt.Sprintf("volume master=%.2f", *req.Master))
	f.st.Volume.Master = *req.Master
	f.mu.Unlock()
	f.publish(api.EventVolume)
	return f.Status(context.Background())
}

func (f *fakeDaemon) Status(context.Context) (api.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st, nil
}

func (f *fakeDaemon) Subscribe() (<-chan api.Event, func()) {
	ch := make(chan api.Event, 64)
	f.mu.Lock()
	f.subs = append(f.subs, ch)
	f.mu.Unlock()
	return ch, func() {}
}

// set changes the status and publishes an event of type typ.
func (f *fakeDaemon) set(typ api.EventType, st api.Status) {
	f.mu.Lock()
	f.st = st
	f.mu.Unlock()
	f.publish(typ)
}

func (f *fakeDaemon) publish(typ api.EventType) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ch := range f.subs {
		select {
		case ch <- api.Event{Type: typ, Status: f.st}:
		default:
		}
	}
}

// waitCall waits until call is among the calls made.
func (f *fakeDaemon) waitCall(t *testing.T, call string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, c := range f.calls {
			if c == call {
				f.mu.Unlock()
				return
			}
		}
		f.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no %q call within 5 s; calls: %q", call, f.calls)
}

// playing is the status of routine playing in part 2 of 3.
func playing(routine string) api.Status {
	return api.Status{State: api.StatePlaying, Session: "20261201T120000.000Z-abcd", Routine: routine,
		Name: "Thoracic spine: " + routine, Level: "standard", Part: "Roll", PartIndex: 1, Parts: 3,
		PartStartMS: 30000, PartLengthMS: 60000, ElapsedMS: 45000, LengthMS: 150000, RemainingMS: 105000,
		Device: api.Device{State: api.DeviceOK}}
}

// logBuffer collects the log.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// waitLog waits until the log holds s.
func (l *logBuffer) wait(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(l.String(), s) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the log has no %q within 5 s:\n%s", s, l.String())
}

// signals collects the signals conn receives that match opts.
func signals(t *testing.T, conn *dbus.Conn, opts ...dbus.MatchOption) chan *dbus.Signal {
	t.Helper()
	if err := conn.AddMatchSignal(opts...); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *dbus.Signal, 64)
	conn.Signal(ch)
	return ch
}

// nextSignal waits for a signal named name on ch, skipping others.
func nextSignal(t *testing.T, ch chan *dbus.Signal, name string) *dbus.Signal {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case s := <-ch:
			if s.Name == name {
				return s
			}
		case <-timeout:
			t.Fatalf("no %s signal within 5 s", name)
		}
	}
}
