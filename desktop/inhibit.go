// The logind inhibitor: the machine does not sleep under a session.

package desktop

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/cued-dev/cued/daemon/api"
)

// logind's names.
const (
	logindName  = "org.freedesktop.login1"
	logindPath  = dbus.ObjectPath("/org/freedesktop/login1")
	logindIface = "org.freedesktop.login1.Manager"
)

// inhibitor holds a "block" inhibitor for sleep and idle while a session
// plays (released on stop, end, and a pause longer than
// Options.PauseRelease), and pauses a session the machine suspends under
// anyway, resuming it after (the device recovery does the rest). on runs
// on the event loop, signal on the signal loop, the pause timer on its
// own: all under mu.
type inhibitor struct {
	conn *dbus.Conn
	c    Controller
	o    *Options

	mu sync.Mutex
	fd *os.File // the inhibitor held, or nil
	// state is the player's state as last seen.
	state api.State
	// release fires PauseRelease into a pause.
	release *time.Timer
	// slept is set when we paused the session for a suspend.
	slept  bool
	warned bool
}

func (in *inhibitor) on(e api.Event) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.state = e.Status.State
	switch in.state {
	case api.StatePlaying, api.StateStarting:
		in.stopTimer()
		in.take()
	case api.StatePaused:
		if in.fd != nil && in.release == nil {
			in.release = time.AfterFunc(in.o.PauseRelease, in.pauseTooLong)
		}
	default:
		in.stopTimer()
		in.drop()
	}
}

// pauseTooLong releases the inhibitor of a session left paused.
func (in *inhibitor) pauseTooLong() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.release = nil
	if in.state == api.StatePaused {
		in.drop()
	}
}

func (in *inhibitor) stopTimer() {
	if in.release != nil {
		in.release.Stop()
		in.release = nil
	}
}

// take asks logind for the inhibitor, under mu.
func (in *inhibitor) take() {
	if in.fd != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var fd dbus.UnixFD
	err := in.conn.Object(logindName, logindPath).CallWithContext(ctx, logindIface+".Inhibit", 0,
		"sleep:idle", "cued", "a session is playing", "block").Store(&fd)
	if err != nil {
		if !in.warned {
			in.o.Logger.Warn("desktop: cannot keep the machine awake during sessions (no logind?)", "err", err)
			in.warned = true
		}
		return
	}
	in.warned = false
	in.fd = os.NewFile(uintptr(fd), "logind-inhibitor")
}

// drop releases the inhibitor, under mu.
func (in *inhibitor) drop() {
	if in.fd != nil {
		in.fd.Close()
		in.fd = nil
	}
}

// signal handles PrepareForSleep: a suspend that comes anyway pauses a
// playing session, and the wake-up resumes what it paused.
func (in *inhibitor) signal(s *dbus.Signal) {
	if s.Name != logindIface+".PrepareForSleep" || len(s.Body) < 1 {
		return
	}
	sleeping, _ := s.Body[0].(bool)
	in.mu.Lock()
	verb := api.Verb("")
	switch {
	case sleeping && in.state == api.StatePlaying:
		in.slept, verb = true, api.VerbPause
	case !sleeping && in.slept:
		in.slept = false
		if in.state == api.StatePaused {
			verb = api.VerbResume
		}
	}
	in.mu.Unlock()
	if verb == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	if _, err := in.c.Control(ctx, verb); err != nil && !refused(err) {
		in.o.Logger.Warn("desktop: "+string(verb)+" around a suspend did not work", "err", err)
	}
}

// close releases everything, at the end of the connection.
func (in *inhibitor) close() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.stopTimer()
	in.drop()
}
