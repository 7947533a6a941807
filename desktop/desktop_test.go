//go:build unix

package desktop_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"go.uber.org/goleak"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/desktop"
	"github.com/cued-dev/cued/internal/needs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// run starts desktop.Run and stops it (waiting for it) at the test's end.
func run(t *testing.T, f *fakeDaemon, o desktop.Options) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); desktop.Run(ctx, f, o) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("desktop.Run did not return within 5 s of its context's end")
		}
	})
}

func getProp(t *testing.T, conn *dbus.Conn, iface, name string) any {
	t.Helper()
	v, err := conn.Object(desktop.BusName, desktop.ObjectPath).GetProperty(iface + "." + name)
	if err != nil {
		t.Fatalf("%s.%s: %v", iface, name, err)
	}
	return v.Value()
}

// TestMPRIS drives the player with a Go client on a private bus: every
// method, every property, the signals.
func TestMPRIS(t *testing.T) {
	b := startBus(t, t.TempDir())
	f := newFake(playing("tspine-basic"))
	var log logBuffer
	run(t, f, desktop.Options{MPRIS: true, Routine: "tspine-basic", SessionBus: b.addr, Logger: log.logger()})
	conn := b.dial(t)
	changes := signals(t, conn, dbus.WithMatchObjectPath(desktop.ObjectPath))
	waitName(t, conn, desktop.BusName)

	props := []struct {
		iface, name string
		want        any
	}{
		{desktop.RootIface, "Identity", "cued"},
		{desktop.RootIface, "CanQuit", false},
		{desktop.RootIface, "CanRaise", false},
		{desktop.RootIface, "HasTrackList", false},
		{desktop.PlayerIface, "PlaybackStatus", "Playing"},
		{desktop.PlayerIface, "Rate", 1.0},
		{desktop.PlayerIface, "MinimumRate", 1.0},
		{desktop.PlayerIface, "MaximumRate", 1.0},
		{desktop.PlayerIface, "CanGoNext", true},
		{desktop.PlayerIface, "CanGoPrevious", true},
		{desktop.PlayerIface, "CanPlay", true},
		{desktop.PlayerIface, "CanPause", true},
		{desktop.PlayerIface, "CanSeek", false},
		{desktop.PlayerIface, "CanControl", true},
		{desktop.PlayerIface, "Position", int64(15_000_000)}, // 45 s into a part that starts at 30 s
	}
	// The first status is applied a moment after the name is taken.
	deadline := time.Now().Add(5 * time.Second)
	for getProp(t, conn, desktop.PlayerIface, "PlaybackStatus") != "Playing" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, p := range props {
		t.Run(p.name, func(t *testing.T) {
			if got := getProp(t, conn, p.iface, p.name); got != p.want {
				t.Errorf("%s = %#v, want %#v", p.name, got, p.want)
			}
		})
	}
	t.Run("Metadata", func(t *testing.T) {
		md := getProp(t, conn, desktop.PlayerIface, "Metadata").(map[string]dbus.Variant)
		want := map[string]any{"mpris:trackid": dbus.ObjectPath("/org/cued/session1/part2"), "mpris:length": int64(60_000_000),
			"xesam:title": "Roll", "xesam:album": "Thoracic spine: tspine-basic", "xesam:trackNumber": int32(2)}
		for k, v := range want {
			if md[k].Value() != v {
				t.Errorf("%s = %#v, want %#v", k, md[k].Value(), v)
			}
		}
	})
	t.Run("Position read on demand", func(t *testing.T) {
		st := playing("tspine-basic")
		st.ElapsedMS = 52_500
		f.mu.Lock()
		f.st = st // no event: Position must still be current
		f.mu.Unlock()
		if got := getProp(t, conn, desktop.PlayerIface, "Position"); got != int64(22_500_000) {
			t.Errorf("Position = %v, want 22500000", got)
		}
	})

	obj := conn.Object(desktop.BusName, desktop.ObjectPath)
	call := func(method string, args ...any) {
		t.Helper()
		if err := obj.Call(desktop.PlayerIface+"."+method, 0, args...).Err; err != nil {
			t.Fatalf("%s: %v", method, err)
		}
	}
	call("PlayPause")
	f.waitCall(t, "toggle") // the daemon pauses, or goes on from a wait
	for {
		s := nextSignal(t, changes, "org.freedesktop.DBus.Properties.PropertiesChanged")
		// The first may be the start's Playing.
		if v, ok := s.Body[1].(map[string]dbus.Variant)["PlaybackStatus"]; ok && s.Body[0] == desktop.PlayerIface && v.Value() == "Paused" {
			break
		}
	}
	call("Play")
	f.waitCall(t, "resume")
	call("Next")
	f.waitCall(t, "next")
	nextSignal(t, changes, desktop.PlayerIface+".Seeked")
	call("Previous")
	f.waitCall(t, "prev")
	call("Pause")
	call("Seek", int64(5_000_000)) // CanSeek is false: no effect, no error
	call("SetPosition", dbus.ObjectPath("/org/cued/session1/part2"), int64(0))
	call("Stop")
	f.waitCall(t, "stop")
	if err := obj.Call(desktop.PlayerIface+".OpenUri", 0, "file:///x.mp3").Err; err == nil {
		t.Error("OpenUri succeeded")
	}
	call("Pause") // nothing plays: refused by the daemon, no error for the button
	call("Play")  // idle: the configured routine
	f.waitCall(t, "play tspine-basic")

	// No PropertiesChanged ever names Position.
	for len(changes) > 0 {
		s := <-changes
		if s.Name == "org.freedesktop.DBus.Properties.PropertiesChanged" {
			if _, ok := s.Body[1].(map[string]dbus.Variant)["Position"]; ok {
				t.Error("PropertiesChanged announced Position")
			}
		}
	}
	var xml string
	if err := obj.Call("org.freedesktop.DBus.Introspectable.Introspect", 0).Store(&xml); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{desktop.RootIface, desktop.PlayerIface, `name="PlayPause"`, `name="Seeked"`, `name="Metadata"`} {
		if !strings.Contains(xml, want) {
			t.Errorf("introspection lacks %s", want)
		}
	}
}

// TestPlayerctl drives the player with playerctl, the reference client,
// as a user's headphone buttons and media keys reach it.
func TestPlayerctl(t *testing.T) {
	pc := needs.Program(t, "playerctl", "playerctl")
	b := startBus(t, t.TempDir())
	f := newFake(playing("tspine-basic"))
	run(t, f, desktop.Options{MPRIS: true, SessionBus: b.addr, VolumeFloor: -60, Logger: quiet()})
	waitName(t, b.dial(t), desktop.BusName)
	ctl := playerctl(t, pc, b.addr)
	deadline := time.Now().Add(5 * time.Second)
	for ctl("status") != "Playing" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range []struct{ args, want string }{
		{"status", "Playing"},
		{"metadata xesam:title", "Roll"},
		{"metadata xesam:album", "Thoracic spine: tspine-basic"},
		{"metadata mpris:length", "60000000"},
	} {
		t.Run(c.args, func(t *testing.T) {
			if got := ctl(strings.Fields(c.args)...); got != c.want {
				t.Errorf("playerctl %s = %q, want %q", c.args, got, c.want)
			}
		})
	}
	// playerctl extrapolates from when it read Position, by microseconds.
	if pos, err := strconv.ParseFloat(ctl("position"), 64); err != nil || pos < 15 || pos > 15.5 {
		t.Errorf("playerctl position = %v (%v), want 15 s (45 s into a part from 30 s)", pos, err)
	}
	for _, c := range []struct{ set, call, want string }{
		{"0.5", "volume master=-6.02", "0.500000"},
		{"0", "volume master=-60.00", "0.001000"},
		{"1", "volume master=0.00", "1.000000"},
	} {
		t.Run("volume "+c.set, func(t *testing.T) {
			ctl("volume", c.set)
			f.waitCall(t, c.call)
			deadline := time.Now().Add(5 * time.Second)
			for ctl("volume") != c.want && time.Now().Before(deadline) {
				time.Sleep(20 * time.Millisecond)
			}
			if got := ctl("volume"); got != c.want {
				t.Errorf("playerctl volume after setting %s = %q, want %q", c.set, got, c.want)
			}
		})
	}
	// +14 dB: refused, and playerctl says why; the level stays.
	refuse := exec.Command(pc, "-p", "cued", "volume", "5")
	refuse.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+b.addr)
	if out, err := refuse.CombinedOutput(); err == nil || !strings.Contains(string(out), "volume out of range") {
		t.Errorf("playerctl volume 5: %v %s, want the daemon's refusal", err, out)
	}
	if got := ctl("volume"); got != "1.000000" {
		t.Errorf("playerctl volume after a refused 5 = %q, want 1.000000", got)
	}
	for _, c := range []struct{ verb, call, status string }{
		{"play-pause", "toggle", "Paused"},
		{"play-pause", "resume", "Playing"},
		{"next", "next", "Playing"},
		{"previous", "prev", "Playing"},
		{"pause", "pause", "Paused"},
		{"play", "resume", "Playing"},
		{"stop", "stop", "Stopped"},
	} {
		ctl(c.verb)
		f.waitCall(t, c.call)
		f.mu.Lock()
		f.calls = nil
		f.mu.Unlock()
		deadline := time.Now().Add(5 * time.Second)
		for ctl("status") != c.status && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if got := ctl("status"); got != c.status {
			t.Errorf("after playerctl %s: status %q, want %q", c.verb, got, c.status)
		}
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fakeNotifications is a notification service on the private bus: it
// records Notify and CloseNotification and emits what a user's click does.
type fakeNotifications struct {
	conn   *dbus.Conn
	shown  chan []any
	closed chan uint32
}

func (n *fakeNotifications) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.shown <- []any{app, summary, body, actions, timeout}
	return 7, nil
}

func (n *fakeNotifications) CloseNotification(id uint32) *dbus.Error {
	n.closed <- id
	return nil
}

func (n *fakeNotifications) click(t *testing.T, action string) {
	t.Helper()
	if err := n.conn.Emit("/org/freedesktop/Notifications", "org.freedesktop.Notifications.ActionInvoked", uint32(7), action); err != nil {
		t.Fatal(err)
	}
}

func startNotifications(t *testing.T, b *bus) *fakeNotifications {
	t.Helper()
	conn := b.dial(t)
	n := &fakeNotifications{conn: conn, shown: make(chan []any, 4), closed: make(chan uint32, 4)}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatal(err)
	}
	if r, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue); err != nil || r != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("request the notifications name: %v %v", r, err)
	}
	return n
}

// TestNotify shows a prompt as a notification whose actions start and
// snooze it, and closes the notification when the prompt ends.
func TestNotify(t *testing.T) {
	b := startBus(t, t.TempDir())
	n := startNotifications(t, b)
	f := newFake(api.Status{State: api.StateIdle, PartIndex: -1})
	run(t, f, desktop.Options{Notify: true, SessionBus: b.addr, Logger: quiet()})
	prompt := func() {
		t.Helper()
		f.set(api.EventPrompt, api.Status{State: api.StatePrompt, PartIndex: -1,
			Prompt: &api.Prompt{Routine: "tspine-basic", At: time.Date(2026, 12, 1, 12, 30, 0, 0, time.Local)}})
	}
	// The desktop subscribes a moment after it starts: prompt until seen.
	var got []any
	for deadline := time.Now().Add(5 * time.Second); got == nil; {
		prompt()
		select {
		case got = <-n.shown:
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no notification within 5 s of a prompt")
			}
		}
	}
	if got[1] != "Time for tspine-basic" || !strings.Contains(got[2].(string), "12:30") ||
		strings.Join(got[3].([]string), "|") != "start|Start|snooze|In 10 minutes" || got[4] != int32(0) {
		t.Errorf("notification: %q", got)
	}
	n.click(t, "start")
	f.waitCall(t, "play ")
	if id := <-n.closed; id != 7 {
		t.Errorf("closed notification %d, want 7", id)
	}

	f.set(api.EventStop, api.Status{State: api.StateIdle, PartIndex: -1})
	prompt()
	<-n.shown
	n.click(t, "snooze")
	f.waitCall(t, "snooze")
	if id := <-n.closed; id != 7 {
		t.Errorf("closed notification %d, want 7", id)
	}
}

// fakeLogind is logind's Manager on a private "system" bus: Inhibit hands
// out the write end of a pipe, so that the test sees the inhibitor's
// release as the read end's EOF.
type fakeLogind struct {
	conn  *dbus.Conn
	taken chan pipe // one per Inhibit
	what  chan []string
}

// pipe is an inhibitor as the fake handed it out: cued holds a copy of
// the write end w (a plain descriptor: godbus reads it after the handler
// returns).
type pipe struct {
	r *os.File
	w int
}

func (l *fakeLogind) Inhibit(what, who, why, mode string) (dbus.UnixFD, *dbus.Error) {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		return 0, dbus.MakeFailedError(err)
	}
	l.what <- []string{what, who, why, mode}
	l.taken <- pipe{os.NewFile(uintptr(fds[0]), "inhibitor"), fds[1]}
	return dbus.UnixFD(fds[1]), nil
}

func (l *fakeLogind) sleep(t *testing.T, going bool) {
	t.Helper()
	if err := l.conn.Emit("/org/freedesktop/login1", "org.freedesktop.login1.Manager.PrepareForSleep", going); err != nil {
		t.Fatal(err)
	}
}

// released waits for the inhibitor p to be released: the reply that sent
// cued its copy is long gone, so the fake closes its own, and the read end
// sees EOF once cued has closed its copy.
func released(t *testing.T, p pipe, within time.Duration) {
	t.Helper()
	syscall.Close(p.w)
	defer p.r.Close()
	got := make(chan error, 1)
	go func() { _, err := p.r.Read(make([]byte, 1)); got <- err }()
	select {
	case err := <-got:
		if err != io.EOF {
			t.Errorf("inhibitor pipe: %v, want EOF", err)
		}
	case <-time.After(within):
		p.r.Close() // ends the read
		<-got
		t.Fatalf("the inhibitor was not released within %v", within)
	}
}

// TestInhibit holds logind's inhibitor while a session plays, releases it
// at a stop and after a long pause, and pauses and resumes a session
// around a suspend that comes anyway.
func TestInhibit(t *testing.T) {
	sys := startBus(t, t.TempDir())
	conn := sys.dial(t)
	l := &fakeLogind{conn: conn, taken: make(chan pipe, 4), what: make(chan []string, 4)}
	if err := conn.Export(l, "/org/freedesktop/login1", "org.freedesktop.login1.Manager"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName("org.freedesktop.login1", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	f := newFake(api.Status{State: api.StateIdle, PartIndex: -1})
	run(t, f, desktop.Options{Inhibit: true, SystemBus: sys.addr, PauseRelease: 300 * time.Millisecond, Logger: quiet()})
	var r pipe
	for deadline := time.Now().Add(5 * time.Second); r.r == nil; {
		f.set(api.EventStart, playing("tspine-basic")) // until the desktop has subscribed
		select {
		case r = <-l.taken:
		case <-time.After(100 * time.Millisecond):
			if time.Now().After(deadline) {
				t.Fatal("no Inhibit within 5 s of a start")
			}
		}
	}
	if w := <-l.what; strings.Join(w, "|") != "sleep:idle|cued|a session is playing|block" {
		t.Errorf("Inhibit(%q)", w)
	}

	// A suspend that comes anyway pauses; the wake-up resumes.
	l.sleep(t, true)
	f.waitCall(t, "pause")
	l.sleep(t, false)
	f.waitCall(t, "resume")

	// A pause longer than PauseRelease lets the machine sleep.
	f.set(api.EventPause, func() api.Status { s := playing("tspine-basic"); s.State, s.Paused = api.StatePaused, true; return s }())
	released(t, r, 3*time.Second)
	f.set(api.EventResume, playing("tspine-basic"))
	r = <-l.taken
	<-l.what
	f.set(api.EventStop, api.Status{State: api.StateIdle, PartIndex: -1})
	released(t, r, 3*time.Second)
}

// TestBusGoesAway: no bus at all is one line in the log, and the desktop
// keeps trying; a bus that comes, goes mid-session and comes back finds
// the player registered again each time, while the daemon plays on.
func TestBusGoesAway(t *testing.T) {
	dir := t.TempDir()
	f := newFake(playing("tspine-basic"))
	var log logBuffer
	run(t, f, desktop.Options{MPRIS: true, Inhibit: true, SessionBus: "unix:path=" + dir + "/bus",
		SystemBus: "unix:path=" + dir + "/none", Retry: 100 * time.Millisecond, Logger: log.logger()})
	log.wait(t, "no session bus")
	log.wait(t, "no system bus")
	time.Sleep(300 * time.Millisecond) // three more tries: still one line each
	for _, bus := range []string{"no session bus", "no system bus"} {
		if n := strings.Count(log.String(), bus); n != 1 {
			t.Errorf("%q logged %d times, want once", bus, n)
		}
	}

	b := startBus(t, dir)
	waitName(t, b.dial(t), desktop.BusName)
	log.wait(t, "the session bus is back")
	b.kill()
	log.wait(t, "lost the session bus")
	b = startBus(t, dir)
	conn := b.dial(t)
	waitName(t, conn, desktop.BusName)
	deadline := time.Now().Add(5 * time.Second)
	for getProp(t, conn, desktop.PlayerIface, "PlaybackStatus") != "Playing" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := getProp(t, conn, desktop.PlayerIface, "PlaybackStatus"); got != "Playing" {
		t.Errorf("PlaybackStatus on the new bus = %v, want Playing", got)
	}
}

// runPlayerctl runs playerctl -p cued args on the bus at addr.
func runPlayerctl(t *testing.T, pc, addr string, args ...string) string {
	t.Helper()
	cmd := exec.Command(pc, append([]string{"-p", "cued"}, args...)...)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("playerctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
