// Package desktop puts the cued daemon on the desktop's buses: an MPRIS
// media player on the session bus (headphone buttons, media keys, the
// desktop's media widget, playerctl), a notification for each scheduled
// prompt, and a logind inhibitor on the system bus while a session plays.
//
// It only translates: every method call becomes the same command the
// control socket sends the daemon's player (Controller), and what it
// announces comes from the daemon's events. A missing bus or service (a
// headless machine) is logged once and tried again later; the daemon plays
// on either way.
package desktop

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/cued-dev/cued/daemon/api"
)

// Controller is the daemon as the desktop drives it (daemon.Daemon
// implements it). Its methods are safe from any goroutine; a refusal
// (nothing is playing) is an *api.Error.
type Controller interface {
	// Control does a control verb and returns the status after it.
	Control(ctx context.Context, verb api.Verb) (api.Status, error)
	// Play starts a session; it returns once it plays or has failed.
	Play(ctx context.Context, req api.PlayRequest) (api.Status, error)
	// Status returns the status now.
	Status(ctx context.Context) (api.Status, error)
	// Volume changes the levels; it returns the status after.
	Volume(ctx context.Context, req api.VolumeRequest) (api.Status, error)
	// Subscribe returns the events from now on and what ends them; the
	// channel closes when the subscriber lags or the daemon stops.
	Subscribe() (<-chan api.Event, func())
}

// Options configure Run. The zero value turns everything off.
type Options struct {
	// MPRIS registers cued as org.mpris.MediaPlayer2.cued.
	MPRIS bool
	// Notify shows a notification for each scheduled prompt.
	Notify bool
	// Inhibit holds a logind inhibitor (sleep and idle) while a session
	// plays, and pauses a session the machine suspends under anyway.
	Inhibit bool
	// Routine is what play starts when nothing plays or waits ("": play
	// then does nothing).
	Routine string
	// Snooze is how long the daemon puts a prompt off (daemon.Options.Snooze),
	// for the notification's label (default 10 minutes).
	Snooze time.Duration
	// SessionBus and SystemBus are the buses' addresses; "" takes them
	// from the environment (DBUS_SESSION_BUS_ADDRESS,
	// DBUS_SYSTEM_BUS_ADDRESS) or the defaults.
	SessionBus, SystemBus string
	// Retry is how soon a missing bus is tried again (default 10 s); each
	// try that fails doubles the wait, up to maxRetry.
	Retry time.Duration
	// PauseRelease is how long a pause holds the inhibitor (default 3
	// minutes): a session left paused must not keep the machine awake.
	PauseRelease time.Duration
	// VolumeFloor is the master level in dB that MPRIS's Volume 0 (and
	// what is below it) sets: the daemon's lowest (cmd/cued gives
	// audio.MinVolume).
	VolumeFloor float64
	// Logger receives one line per missing piece (nil: slog.Default()).
	Logger *slog.Logger
}

// callTimeout bounds what one D-Bus call makes the daemon do (a play
// prepares the session: about half a second).
const callTimeout = 30 * time.Second

// Run serves the desktop pieces o turns on until ctx ends. It returns
// nil then; it never fails for want of a bus.
func Run(ctx context.Context, c Controller, o Options) error {
	if o.Retry <= 0 {
		o.Retry = 10 * time.Second
	}
	if o.Snooze <= 0 {
		o.Snooze = snoozeDefault
	}
	if o.PauseRelease <= 0 {
		o.PauseRelease = 3 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	done := make(chan struct{}, 2)
	n := 0
	if o.MPRIS || o.Notify {
		n++
		go func() { keepConnected(ctx, "session", o.SessionBus, c, &o, serveSession); done <- struct{}{} }()
	}
	if o.Inhibit {
		n++
		go func() { keepConnected(ctx, "system", o.SystemBus, c, &o, serveSystem); done <- struct{}{} }()
	}
	for range n {
		<-done
	}
	return nil
}

// serveFunc serves one bus connection until ctx ends or the bus goes; it
// returns what stopped it.
type serveFunc func(ctx context.Context, conn *dbus.Conn, c Controller, o *Options) error

// maxRetry bounds the wait between tries of a missing bus: a headless
// machine that never has one is tried every few minutes, not every few
// seconds.
const maxRetry = 5 * time.Minute

// keepConnected connects to a bus and serves it, again after a wait each
// time the bus cannot be reached or goes away, until ctx ends. It logs when
// the bus is missing, goes or comes back, not at every try.
func keepConnected(ctx context.Context, name, addr string, c Controller, o *Options, serve serveFunc) {
	missing := false
	wait := o.Retry
	for ctx.Err() == nil {
		conn, err := connect(ctx, name, addr)
		if err == nil {
			if missing {
				o.Logger.Info("desktop: the " + name + " bus is back")
			}
			missing, wait = false, o.Retry
			err = serve(ctx, conn, c, o)
			conn.Close()
			if ctx.Err() != nil {
				return
			}
			o.Logger.Warn("desktop: lost the "+name+" bus; trying again", "err", err, "after", wait)
			missing = true
		} else if !missing {
			o.Logger.Warn("desktop: no "+name+" bus; the daemon runs without it and tries again", "err", err, "after", wait)
			missing = true
		} else {
			wait = min(2*wait, maxRetry)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-t.C:
		}
		t.Stop()
	}
}

// connect opens a private connection to the bus at addr ("" from the
// environment).
func connect(ctx context.Context, name, addr string) (*dbus.Conn, error) {
	opts := []dbus.ConnOption{dbus.WithContext(ctx)}
	switch {
	case addr != "":
		return dbus.Connect(addr, opts...)
	case name == "system":
		return dbus.ConnectSystemBus(opts...)
	default:
		return dbus.ConnectSessionBus(opts...)
	}
}

// refused reports whether err is the daemon saying no (nothing to pause),
// which the buttons answer by doing nothing, as MPRIS asks.
func refused(err error) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Status < 500
}

// follow calls on for the current status and then for every event, until
// ctx ends or the bus connection closes (its error then). A subscription
// dropped for lagging is taken again, with a fresh status.
func follow(ctx context.Context, conn *dbus.Conn, c Controller, on func(api.Event)) error {
	for {
		events, cancel := c.Subscribe()
		if st, err := c.Status(ctx); err == nil {
			on(api.Event{Type: api.EventStatus, Status: st})
		}
		err := pump(ctx, conn, events, on)
		cancel()
		if err != nil || ctx.Err() != nil {
			return err
		}
	}
}

// pump passes events to on until the channel closes (nil) or the bus goes.
func pump(ctx context.Context, conn *dbus.Conn, events <-chan api.Event, on func(api.Event)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-conn.Context().Done():
			return errors.New("the bus connection closed")
		case e, ok := <-events:
			if !ok {
				// Lagged, or the daemon stops: look again after a breath.
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
				return nil
			}
			on(e)
		}
	}
}
