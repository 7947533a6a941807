// Package daemon is the cued daemon: it owns one player (one goroutine that
// holds all the player state), answers the control protocol (JSON over
// HTTP on a Unix socket, see docs/protocol.md and package daemon/api),
// starts scheduled sessions, appends every session to the history log, and
// plays sessions on an Output that may fail and recover at any time.
//
// The daemon knows nothing of viper, routines or the voice bank: the command
// that runs it passes plain Options, including a Prepare factory that turns a
// play request into a Session and an Output that plays it.
package daemon

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/schedule"
	"github.com/cued-dev/cued/daemon/sink"
)

// Errors callers test with errors.Is.
var (
	// ErrRunning means another daemon holds the socket's lock.
	ErrRunning = errors.New("another cued daemon is running")
	// ErrNoDevice means the audio output could not be opened.
	ErrNoDevice = errors.New("no audio device")
	// ErrBadOptions means Options lack something the daemon needs.
	ErrBadOptions = errors.New("daemon: bad options")
)

// Audio is what the daemon needs of a session's mix: its length and its
// marks, where next and prev go (audio.Session implements it). The output
// mixes the session itself, from Session.Spec.
type Audio interface {
	// Len is the session's length in samples.
	Len() int
	// MarkAfter returns the first part or segment boundary after sample
	// p (next goes there), false past the last; MarkBefore the last one
	// before p.
	MarkAfter(p int) (int, bool)
	MarkBefore(p int) (int, bool)
	// Prev is where prev goes from sample p.
	Prev(p int) int
	// WaitAt returns the wait sample p is in (where the session holds
	// for the listener, looping; see sequencer.KindWait): its start and
	// end, and whether p is in one.
	WaitAt(p int) (start, end int, ok bool)
}

// Part is one part (step) of a session, for status and part events.
type Part struct {
	Name       string
	Start, End time.Duration
}

// Session is a session ready to play, as Prepare returns it.
type Session struct {
	Audio Audio
	// Rate is the sample rate of Audio, in Hz.
	Rate int
	// Spec describes the session to the output, which mixes it from
	// that (opaque to the daemon: cmd/cued writes and reads it).
	Spec []byte
	// Routine is the routine id, Name its title, Level the level played.
	Routine, Name, Level string
	Parts                []Part
}

// Said is what Overlay put over a session: its new Spec, the words in
// text, and where in the session they start.
type Said struct {
	Spec  []byte
	Words string
	Cues  []string
	At    time.Duration
}

// Device is an open audio output that plays one session at a time, mixed
// from its Spec (sink.Child, the `cued sink` child, and sink.NullDevice
// implement it). Its controls never block; a session is named by the id
// its Play gave, and a control for another id is ignored.
type Device interface {
	// Play starts a session, replacing the one playing.
	Play(s sink.Start) error
	Pause(id int64) error
	Resume(id int64) error
	// Move seeks the session to pos; seq numbers the seek, and the
	// positions reported carry the last seq applied.
	Move(id, seq int64, pos int) error
	// Stop stops the session with a short fade; the device stays open.
	Stop(id int64) error
	// Remix mixes the session anew from spec (the same session at other
	// levels), heard at once with a short fade.
	Remix(id int64, spec []byte) error
	// Reports delivers positions ("pos", the sample the device takes
	// next) and ends ("ended": heard to the end); it is closed once the
	// device has died or closed, Err then says why.
	Reports() <-chan sink.Report
	Done() <-chan struct{}
	Err() error
	Close() error
}

// Output opens audio devices. Open fails (wrapping any error) when there is
// no working device; the daemon then retries in the background.
type Output interface {
	Open(ctx context.Context, rate int) (Device, error)
}

// OutputFunc adapts a function to Output.
type OutputFunc func(ctx context.Context, rate int) (Device, error)

// Open calls f.
func (f OutputFunc) Open(ctx context.Context, rate int) (Device, error) { return f(ctx, rate) }

// Config is what a reload may change.
type Config struct {
	// Schedule replaces the schedule entries (validated by schedule.Parse).
	Schedule []schedule.Entry
	// Problems lists what could not be re-read (with file:line:col where
	// known) and whose previous version therefore stays in use.
	Problems []string
}

// Options configure a daemon. Socket, Prepare and Output are required.
type Options struct {
	// Socket is the path of the control socket. Its folder is created
	// with mode 0700 if missing; the socket gets mode 0600. A lock file
	// beside it (Socket + ".lock") keeps a second daemon out.
	Socket string
	// Logger receives the daemon's log (nil: slog.Default()).
	Logger *slog.Logger
	// HistoryPath is the history log (history.jsonl); "" keeps none.
	HistoryPath string
	// Schedule are the scheduled sessions.
	Schedule []schedule.Entry
	// Clock drives the scheduler and dates history records (nil: the
	// system clock).
	Clock schedule.Clock
	// Prepare compiles a play request into a Session. Its errors are
	// the user's (unknown routine, value out of range) and are answered
	// with 400 and the error's text.
	Prepare func(ctx context.Context, req api.PlayRequest) (Session, error)
	// Invite (optional) makes the sound of a scheduled prompt: a chime and
	// a short spoken invitation.
	Invite func(ctx context.Context, occ schedule.Occurrence) (Session, error)
	// Output plays the sessions.
	Output Output
	// Routines (optional) lists the routines for GET /routines.
	Routines func() ([]api.Routine, error)
	// Reload (optional) re-reads the configuration and the routines for
	// POST /reload and SIGHUP. An error means the configuration is invalid
	// and nothing changed.
	Reload func(ctx context.Context) (Config, error)
	// Linger is how long the output stays open after a session, so that
	// the next session within it starts without waiting for the device
	// (opening a sound server stream takes up to seconds). Default 5
	// minutes; negative closes the output at once after every session.
	Linger time.Duration
	// PrepareTimeout bounds the preparation of a session (Prepare, then
	// opening the output): a start that takes longer is given up, answered
	// with 504 and the player is back where it was (default 1 minute).
	// Prepare gets a context that ends then, or at a stop.
	PrepareTimeout time.Duration
	// PromptTimeout is how long a prompt waits (default 30 minutes).
	PromptTimeout time.Duration
	// Snooze is how long snooze puts a prompt off (default 10 minutes).
	Snooze time.Duration
	// Volume is the levels the daemon starts with (config.yaml's
	// audio.volume); POST /volume changes them for the session playing
	// and the ones after it, and Prepare gets them in PlayRequest.Volume.
	Volume api.Volume
	// Revolume returns the Spec of the session spec describes at the
	// levels v, or an error when v is out of range (an *api.Error or
	// not: a bad request either way); with spec nil it only checks v.
	// Nil: POST /volume is refused.
	Revolume func(spec []byte, v api.Volume) ([]byte, error)
	// Overlay returns the session spec describes with what verb
	// (api.VerbWhere or api.VerbRepeat) says at sample pos, the one heard
	// now, spoken over it as soon as it fits; an *api.Error for a refusal
	// (no room: the session speaks). Nil: where and repeat are refused.
	Overlay func(spec []byte, pos int, verb api.Verb) (Said, error)
	// DeviceRetry is the interval of the background device probe after a
	// failure (default 2 s).
	DeviceRetry time.Duration
	// ProbeAtStart tries the audio output once when the daemon starts, so
	// that status says at once whether sound can play (a daemon started at
	// login often comes up before the sound server); without it the
	// output is first opened by a play request.
	ProbeAtStart bool
	// ProbeRate is the rate the device probe opens the output at: the
	// sessions' rate (config audio.rate), so that what the probe finds
	// works is what plays (default 44100).
	ProbeRate int
	// FaultRewind is how far a session steps back when its output dies:
	// what the dead output had taken but not yet played (its buffers)
	// is then heard again rather than lost. Zero resumes at the last
	// position the device reported.
	FaultRewind time.Duration
	// WaitLimit is how long a session holds at a wait (the listener does
	// not go on) before the daemon pauses it (default 10 minutes).
	WaitLimit time.Duration
	// LatencyOffset is how much later than the output reports a sample
	// is heard (a Bluetooth headset's own delay: config audio.latency_ms):
	// status, events and the history subtract it, so "elapsed" is what
	// the listener has heard. Zero trusts the output.
	LatencyOffset time.Duration
	// ProgressInterval is the interval of progress events (default 1 s).
	ProgressInterval time.Duration
	// SchedulerMaxSleep bounds the scheduler's waits (default 1 minute).
	SchedulerMaxSleep time.Duration
}

func (o *Options) validate() error {
	switch {
	case o.Socket == "":
		return errors.Join(ErrBadOptions, errors.New("no socket path"))
	case o.Prepare == nil:
		return errors.Join(ErrBadOptions, errors.New("no Prepare"))
	case o.Output == nil:
		return errors.Join(ErrBadOptions, errors.New("no Output"))
	}
	return nil
}

func (o *Options) defaults() {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = schedule.System{}
	}
	if o.PrepareTimeout <= 0 {
		o.PrepareTimeout = time.Minute
	}
	if o.PromptTimeout <= 0 {
		o.PromptTimeout = 30 * time.Minute
	}
	if o.Snooze <= 0 {
		o.Snooze = 10 * time.Minute
	}
	if o.WaitLimit <= 0 {
		o.WaitLimit = 10 * time.Minute
	}
	if o.Linger == 0 {
		o.Linger = 5 * time.Minute
	}
	if o.DeviceRetry <= 0 {
		o.DeviceRetry = 2 * time.Second
	}
	if o.ProbeRate <= 0 {
		o.ProbeRate = 44100
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = time.Second
	}
}
