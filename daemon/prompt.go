// Scheduled sessions: a schedule entry that fires either starts its
// session or invites the user with a chime and the routine's intro.

package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/schedule"
)

// invitation sounds the prompt's chime off the player goroutine.
func (p *player) invitation(occ schedule.Occurrence) {
	if p.o.Invite == nil {
		return
	}
	spare := p.takeSpare()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		r := prepared{invite: true}
		r.sess, r.err = p.o.Invite(p.ctx, occ)
		if r.err == nil {
			r.dev, r.err = p.open(p.ctx, spare, r.sess.Rate)
		} else if spare.dev != nil {
			spare.dev.Close()
		}
		select {
		case p.notes <- r:
		case <-p.ctx.Done():
			if r.dev != nil {
				r.dev.Close()
			}
		}
	}()
}

// fire handles a scheduled occurrence.
func (p *player) fire(occ schedule.Occurrence) {
	req := api.PlayRequest{Routine: occ.Routine, Level: occ.Level}
	switch p.state {
	case api.StatePlaying, api.StatePaused, api.StateStarting:
		msg := fmt.Sprintf("scheduled %s at %s skipped: a session is playing", occ.Routine, occ.At)
		p.log.Info(msg)
		p.publish(api.EventSkipped, msg)
		return
	}
	if occ.Mode == schedule.Auto {
		p.clearPrompt()
		if r := p.play(command{op: cmdPlay, play: req, trigger: triggerSchedule}); r.err != nil {
			p.log.Warn("scheduled session not started", "routine", occ.Routine, "err", r.err.Message)
			p.publish(api.EventSkipped, fmt.Sprintf("scheduled %s at %s not started: %s", occ.Routine, occ.At, r.err.Message))
		}
		p.startReply = nil
		return
	}
	p.clearPrompt()
	p.dropSnooze() // this prompt replaces one put off
	p.state = api.StatePrompt
	p.prompt = &api.Prompt{Routine: occ.Routine, Level: occ.Level, At: occ.Time}
	p.promptQ, p.promptOcc = req, occ
	p.expires = p.o.Clock.Now().Add(p.o.PromptTimeout)
	p.log.Info("scheduled session waiting", "routine", occ.Routine, "at", occ.At)
	p.publish(api.EventPrompt, fmt.Sprintf("time for %s: cued play or cued toggle to start", occ.Routine))
	p.invitation(occ)
}

func (p *player) clearPrompt() {
	if p.invite != nil {
		p.stopPlaying(p.invite)
		p.invite = nil
	}
	if p.state == api.StatePrompt {
		p.state = api.StateIdle
	}
	p.prompt = nil
}

// snoozeDue is sent by the snooze's timer when the prompt it put off is
// due again.
type snoozeDue struct{ id int }

// snooze puts the prompt off by Options.Snooze: it is dismissed now and
// comes back then, with its chime, as the scheduled occurrence did.
func (p *player) snooze() {
	occ := p.promptOcc
	p.clearPrompt()
	p.dropSnooze()
	p.snoozeID++
	id := p.snoozeID
	p.snoozed, p.snoozedAt = &occ, p.o.Clock.Now().Add(p.o.Snooze)
	ctx, cancel := context.WithCancel(p.ctx)
	p.snoozeCancel = cancel
	after := p.o.Clock.After(p.o.Snooze)
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-after:
		case <-ctx.Done():
			return
		}
		select {
		case p.notes <- snoozeDue{id}:
		case <-ctx.Done():
		}
	}()
	msg := fmt.Sprintf("%s put off until %s", occ.Routine, p.snoozedAt.Format("15:04"))
	p.log.Info("scheduled session snoozed", "routine", occ.Routine, "until", p.snoozedAt.Format(time.RFC3339))
	p.publish(api.EventSnooze, msg)
}

// dropSnooze forgets a prompt put off, and stops its timer.
func (p *player) dropSnooze() {
	if p.snoozeCancel != nil {
		p.snoozeCancel()
	}
	p.snoozed, p.snoozeCancel = nil, nil
}
