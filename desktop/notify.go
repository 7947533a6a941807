// Scheduled prompts as desktop notifications
// (org.freedesktop.Notifications), with Start and snooze actions.

package desktop

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/cued-dev/cued/daemon/api"
)

// The notification service's names.
const (
	notifyName  = "org.freedesktop.Notifications"
	notifyPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notifyIface = "org.freedesktop.Notifications"
)

// The notification's action keys.
const (
	actionStart  = "start"
	actionSnooze = "snooze"
)

// notifier shows the prompt that waits as a notification and closes it
// when the prompt ends. on runs on the event loop, signal on the signal
// loop: id is shared.
type notifier struct {
	conn *dbus.Conn
	c    Controller
	o    *Options
	// Snooze is how long the snooze action puts a prompt off, for its
	// label.
	snooze time.Duration

	mu sync.Mutex
	id uint32 // the notification shown, or 0
	// prompt is the prompt last shown, so that one the user dismissed is
	// not shown again.
	prompt api.Prompt
	// warned is set once a missing service has been logged.
	warned bool
}

// on follows the daemon: a prompt that waits is shown, anything that ends
// it closes the notification.
func (n *notifier) on(e api.Event) {
	waiting := e.Status.State == api.StatePrompt && e.Status.Prompt != nil
	n.mu.Lock()
	if !waiting && e.Status.State != api.StateStarting {
		n.prompt = api.Prompt{} // that prompt is over: a snoozed one comes back new
	}
	shown := n.id != 0
	again := waiting && *e.Status.Prompt == n.prompt
	n.mu.Unlock()
	switch {
	case waiting && !shown && !again:
		n.show(e.Status.Prompt)
	case !waiting && shown && e.Status.State != api.StateStarting:
		n.close()
	}
}

// show holds mu across the call, so that an action on the notification
// (a signal that may come before the reply is read) waits for its id.
func (n *notifier) show(p *api.Prompt) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	body := fmt.Sprintf("%s is due (scheduled %s).", p.Routine, p.At.Local().Format("15:04"))
	actions := []string{actionStart, "Start", actionSnooze, fmt.Sprintf("In %d minutes", int(n.snooze.Minutes()))}
	hints := map[string]dbus.Variant{"urgency": dbus.MakeVariant(byte(1)), "category": dbus.MakeVariant("x-cued.prompt")}
	var id uint32
	// Timeout 0: the notification stays until the prompt ends (we close it).
	err := n.conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".Notify", 0,
		"cued", uint32(0), "", "Time for "+p.Routine, body, actions, hints, int32(0)).Store(&id)
	if err != nil {
		if !n.warned {
			n.o.Logger.Warn("desktop: cannot show a notification (no notification service?); prompts sound as before", "err", err)
			n.warned = true
		}
		return
	}
	n.warned = false
	n.id, n.prompt = id, *p
}

func (n *notifier) close() {
	n.mu.Lock()
	id := n.id
	n.id = 0
	n.mu.Unlock()
	if id == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = n.conn.Object(notifyName, notifyPath).CallWithContext(ctx, notifyIface+".CloseNotification", 0, id).Err
}

// signal handles the service's signals: an action on our notification
// starts or snoozes the prompt; a closed notification is forgotten.
func (n *notifier) signal(s *dbus.Signal) {
	if s.Path != notifyPath || len(s.Body) < 2 {
		return
	}
	id, _ := s.Body[0].(uint32)
	n.mu.Lock()
	ours := id != 0 && id == n.id
	n.mu.Unlock()
	if !ours {
		return
	}
	switch s.Name {
	case notifyIface + ".ActionInvoked":
		action, _ := s.Body[1].(string)
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		var err error
		switch action {
		case actionStart, "default":
			_, err = n.c.Play(ctx, api.PlayRequest{})
		case actionSnooze:
			_, err = n.c.Control(ctx, api.VerbSnooze)
		}
		if err != nil {
			n.o.Logger.Warn("desktop: the notification's "+action+" did not work", "err", err)
		}
	case notifyIface + ".NotificationClosed":
		n.mu.Lock()
		n.id = 0
		n.mu.Unlock()
	}
}

// watchNotifications subscribes conn to the service's signals.
func watchNotifications(conn *dbus.Conn) error {
	return conn.AddMatchSignal(dbus.WithMatchInterface(notifyIface), dbus.WithMatchObjectPath(notifyPath))
}
