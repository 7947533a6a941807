// The daemon's controls for in-process callers (the desktop's D-Bus
// layer): the same commands the socket's handlers send the player, and the
// same events GET /events streams.

package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cued-dev/cued/daemon/api"
)

// ops maps each verb onto its player command.
var ops = map[api.Verb]op{
	api.VerbPause: cmdPause, api.VerbResume: cmdResume, api.VerbToggle: cmdToggle,
	api.VerbNext: cmdNext, api.VerbPrev: cmdPrev, api.VerbStop: cmdStop, api.VerbSnooze: cmdSnooze,
	api.VerbWhere: cmdWhere, api.VerbRepeat: cmdRepeat,
}

// ErrNotRunning means the daemon is not serving: Run has not started it
// yet or has returned.
var ErrNotRunning = errors.New("the daemon is not running")

// Control does verb as POST /verb does and returns the status after it.
// A refusal (nothing is playing, say) is an *api.Error with the status
// code and message the socket would answer.
func (d *Daemon) Control(ctx context.Context, verb api.Verb) (api.Status, error) {
	op, ok := ops[verb]
	if !ok {
		return api.Status{}, &api.Error{Status: http.StatusNotFound, Message: fmt.Sprintf("no verb %q", verb)}
	}
	return d.do(ctx, command{op: op})
}

// Play starts req as POST /play does: it returns once the session plays
// or has failed to start.
func (d *Daemon) Play(ctx context.Context, req api.PlayRequest) (api.Status, error) {
	return d.do(ctx, command{op: cmdPlay, play: req})
}

// Volume changes the levels as POST /volume does.
func (d *Daemon) Volume(ctx context.Context, req api.VolumeRequest) (api.Status, error) {
	return d.do(ctx, command{op: cmdVolume, volume: req})
}

// Status returns the player's status, as GET /status.
func (d *Daemon) Status(ctx context.Context) (api.Status, error) {
	return d.do(ctx, command{op: cmdStatus})
}

// Subscribe returns the daemon's events as GET /events streams them
// (without the first status event: call Status), and the function that
// ends the subscription. The channel is closed when the subscriber lags
// 64 events behind, at unsubscribe, or when the daemon stops.
func (d *Daemon) Subscribe() (<-chan api.Event, func()) { return d.events.subscribe() }

func (d *Daemon) do(ctx context.Context, c command) (api.Status, error) {
	select {
	case <-d.ready:
	case <-ctx.Done():
		return api.Status{}, ctx.Err()
	}
	p := d.player
	if p == nil {
		return api.Status{}, ErrNotRunning
	}
	r := p.do(ctx, c)
	if r.err != nil {
		return r.status, r.err
	}
	return r.status, nil
}
