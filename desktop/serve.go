// One bus connection's service: the session bus's MPRIS player and
// notifications, the system bus's inhibitor.

package desktop

import (
	"context"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/cued-dev/cued/daemon/api"
)

// serveSession serves MPRIS and the notifications (as o turns them on) on
// the session bus until ctx ends or the bus goes.
func serveSession(ctx context.Context, conn *dbus.Conn, c Controller, o *Options) error {
	var on []func(api.Event)
	var sig []func(*dbus.Signal)
	if o.MPRIS {
		m, err := newMPRIS(conn, c, o)
		if err != nil {
			return err
		}
		on = append(on, m.update)
		o.Logger.Info("desktop: playing as " + BusName + " (headphone buttons, media keys, playerctl)")
	}
	if o.Notify {
		if err := watchNotifications(conn); err != nil {
			return err
		}
		n := &notifier{conn: conn, c: c, o: o, snooze: o.Snooze}
		defer n.close()
		on = append(on, n.on)
		sig = append(sig, n.signal)
	}
	return serveLoop(ctx, conn, c, on, sig)
}

// serveSystem holds the logind inhibitor on the system bus until ctx ends
// or the bus goes.
func serveSystem(ctx context.Context, conn *dbus.Conn, c Controller, o *Options) error {
	if err := conn.AddMatchSignal(dbus.WithMatchInterface(logindIface), dbus.WithMatchMember("PrepareForSleep")); err != nil {
		return err
	}
	in := &inhibitor{conn: conn, c: c, o: o}
	defer in.close()
	return serveLoop(ctx, conn, c, []func(api.Event){in.on}, []func(*dbus.Signal){in.signal})
}

// serveLoop passes the daemon's events to on and the bus's signals to sig
// (each on its own goroutine, in order) until ctx ends or the bus goes.
func serveLoop(ctx context.Context, conn *dbus.Conn, c Controller, on []func(api.Event), sig []func(*dbus.Signal)) error {
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)
	sigDone := make(chan struct{})
	go func() {
		defer close(sigDone)
		for {
			select {
			case <-ctx.Done():
				return
			case <-conn.Context().Done():
				return
			case s := <-signals:
				for _, f := range sig {
					f(s)
				}
			}
		}
	}()
	err := follow(ctx, conn, c, func(e api.Event) {
		for _, f := range on {
			f(e)
		}
	})
	<-sigDone
	return err
}

// snoozeDefault is the snooze the daemon applies unless configured.
const snoozeDefault = 10 * time.Minute
