package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/daemon/schedule"
)

// op is the operation a command carries.
type op int

// The player's operations.
const (
	cmdStatus op = iota + 1
	cmdPlay
	cmdPause
	cmdResume
	cmdToggle
	cmdNext
	cmdPrev
	cmdStop
	cmdFire
	cmdSnooze
	cmdVolume
	cmdWhere
	cmdRepeat
)

var opNames = [...]string{cmdStatus: "status", cmdPlay: "play", cmdPause: "pause", cmdResume: "resume",
	cmdToggle: "toggle", cmdNext: "next", cmdPrev: "prev", cmdStop: "stop", cmdFire: "fire", cmdSnooze: "snooze",
	cmdVolume: "volume", cmdWhere: "where", cmdRepeat: "repeat"}

// String is the operation's name, as the log says it.
func (o op) String() string {
	if o > 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("op(%d)", int(o))
}

// trigger is who started a session, as the history records it.
type trigger string

// The triggers.
const (
	triggerUser     trigger = "user"     // the CLI, the socket, a button
	triggerSchedule trigger = "schedule" // a scheduled session (auto, or a prompt taken)
)

// A note is what a helper goroutine (a preparation, a device's watcher,
// a reopen or probe, the snooze timer) tells the player goroutine, on
// player.notes; note (the method) handles each kind.
type note interface{ isNote() }

func (prepared) isNote()    {}
func (probeResult) isNote() {}
func (devReport) isNote()   {}
func (devGone) isNote()     {}
func (reopened) isNote()    {}
func (snoozeDue) isNote()   {}

// command is a request to the player goroutine. reply is buffered (1), so
// the player never waits for the handler that sent it.
type command struct {
	op   op
	play api.PlayRequest
	occ  schedule.Occurrence
	// trigger is who asks for a play (triggerUser when empty).
	trigger trigger
	volume  api.VolumeRequest // of cmdVolume
	reply   chan reply
}

type reply struct {
	status api.Status
	err    *api.Error
	// deferred means the reply will be sent later (a play that is
	// starting answers when it starts or fails).
	deferred bool
}

// prepared is the result of starting a session off the player goroutine.
type prepared struct {
	id      int
	sess    Session
	dev     Device
	err     error
	invite  bool
	trigger trigger
}

// probeResult is what a device probe found: an output that works (dev),
// or why none does.
type probeResult struct {
	dev Device
	err error
}

// current is the session that plays.
type current struct {
	// id names the session in the history.
	id       string
	sess     Session
	run      *playing
	start    time.Time
	trigger  trigger
	part     int
	lastProg time.Time
	// mark is the last part or segment mark the session reached, as
	// recorded in the history (-1 before the first).
	mark int
	// waitSince is when the session began to hold at its current wait
	// (zero: not waiting), for Options.WaitLimit.
	waitSince time.Time
}

// player holds all the player state; only its run goroutine touches it.
type player struct {
	o      *Options
	log    *slog.Logger
	events *broker
	hist   *history.Log
	sched  *schedule.Scheduler
	cmds   chan command
	notes  chan note
	done   chan struct{}

	ctx    context.Context
	wg     sync.WaitGroup // device watchers, preparations, reopens and probes
	state  api.State
	cur    *current
	invite *playing // the prompt's chime, while it sounds
	// devices are the devices watched (see adopt); sessions counts the
	// sessions started on them, for their ids.
	devices  map[Device]bool
	sessions int64
	prompt   *api.Prompt
	promptQ  api.PlayRequest
	// promptOcc is the occurrence the prompt came from, for a snooze.
	promptOcc schedule.Occurrence
	expires   time.Time
	// snoozed is the prompt put off by a snooze, due at snoozedAt; the
	// timer's goroutine sends snoozeDue with the id snoozeID.
	snoozed      *schedule.Occurrence
	snoozedAt    time.Time
	snoozeID     int
	snoozeCancel context.CancelFunc
	// starting: the id of the preparation under way, who waits for it,
	// its context (with the deadline) and what cancels it, and the prompt
	// it came from.
	startID     int
	startReply  chan reply
	startCtx    context.Context
	startCancel context.CancelFunc
	startPrompt *waiting
	device      api.Device
	probing     bool
	// spare is an open output kept after a session (Options.Linger), so
	// that the next one does not wait for the device to open.
	spare      Device
	spareRate  int
	spareSince time.Time
	// tickAt is when the run loop's timer fires next; zero when it is
	// not armed (see arm).
	tickAt time.Time
	// vol is the levels of the session playing and of the next ones.
	vol api.Volume
}

func newPlayer(o *Options, events *broker, hist *history.Log, sched *schedule.Scheduler) *player {
	return &player{o: o, log: o.Logger, events: events, hist: hist, sched: sched,
		cmds: make(chan command), notes: make(chan note, 64), done: make(chan struct{}),
		state: api.StateIdle, device: api.Device{State: api.DeviceIdle}, devices: map[Device]bool{}, vol: o.Volume}
}

// do sends a command and waits for its reply; it fails with 503 once the
// player has stopped.
func (p *player) do(ctx context.Context, c command) reply {
	c.reply = make(chan reply, 1)
	select {
	case p.cmds <- c:
	case <-p.done:
		return reply{err: &api.Error{Status: http.StatusServiceUnavailable, Message: "the daemon is shutting down"}}
	case <-ctx.Done():
		return reply{err: &api.Error{Status: http.StatusServiceUnavailable, Message: ctx.Err().Error()}}
	}
	select {
	case r := <-c.reply:
		return r
	case <-p.done:
		return reply{err: &api.Error{Status: http.StatusServiceUnavailable, Message: "the daemon is shutting down"}}
	case <-ctx.Done():
		return reply{err: &api.Error{Status: http.StatusServiceUnavailable, Message: ctx.Err().Error()}}
	}
}

// run is the player goroutine. When ctx ends it stops the session (and
// records it), waits for its helpers and returns.
func (p *player) run(ctx context.Context) {
	p.ctx = ctx
	defer close(p.done)
	tick := time.NewTimer(time.Hour)
	tick.Stop()
	defer tick.Stop()
	p.arm(tick)
	if p.o.ProbeAtStart {
		p.probeAfter(0)
	}
	for {
		select {
		case <-ctx.Done():
			p.shutdown()
			return
		case c := <-p.cmds:
			r := p.handle(c)
			if c.reply != nil && !r.deferred {
				c.reply <- r
			}
		case n := <-p.notes:
			p.note(n)
		case <-tick.C:
			p.tickAt = time.Time{}
			p.tick()
		}
		p.arm(tick)
	}
}

func (p *player) shutdown() {
	defer p.dropSpare()
	if p.cur != nil {
		p.finish(false, api.EventStop, "the daemon stopped") // recorded as interrupted (see finish)
	}
	if p.invite != nil {
		p.stopPlaying(p.invite)
		p.invite = nil
	}
	if p.startReply != nil {
		p.startReply <- reply{err: &api.Error{Status: http.StatusServiceUnavailable, Message: "the daemon is shutting down"}}
		p.startReply = nil
	}
	p.dropSpare()
	for dev := range p.devices {
		dev.Close() // its watcher then ends
	}
	// Helpers may be blocked sending notes: drain until they are gone.
	helpers := make(chan struct{})
	go func() { p.wg.Wait(); close(helpers) }()
	for {
		select {
		case <-helpers:
			return
		case n := <-p.notes:
			switch n := n.(type) {
			case prepared:
				if n.dev != nil {
					n.dev.Close()
				}
			case reopened:
				if n.dev != nil {
					n.dev.Close()
				}
			}
		}
	}
}

func conflict(format string, args ...any) reply {
	return reply{err: &api.Error{Status: http.StatusConflict, Message: fmt.Sprintf(format, args...)}}
}

func (p *player) handle(c command) reply {
	switch c.op {
	case cmdPlay:
		return p.play(c)
	case cmdToggle:
		return p.toggle(c)
	case cmdPause:
		return p.pause()
	case cmdResume:
		return p.resume()
	case cmdNext, cmdPrev:
		return p.skip(c.op == cmdNext)
	case cmdStop:
		return p.stop()
	case cmdFire:
		p.fire(c.occ)
	case cmdSnooze:
		if p.state != api.StatePrompt {
			return conflict("no scheduled session is waiting to be snoozed")
		}
		p.snooze()
	case cmdVolume:
		return p.setVolume(c.volume)
	case cmdWhere:
		return p.say(api.VerbWhere)
	case cmdRepeat:
		return p.say(api.VerbRepeat)
	}
	return p.answer()
}

// setVolume changes the levels: the session playing is mixed anew at
// them (heard at once, with a short fade), and the next ones take them.
func (p *player) setVolume(r api.VolumeRequest) reply {
	if p.o.Revolume == nil {
		return reply{err: &api.Error{Status: http.StatusNotImplemented, Message: "this daemon cannot change the volume"}}
	}
	v := r.Apply(p.vol)
	var spec []byte
	if p.cur != nil {
		spec = p.cur.sess.Spec
	}
	spec, err := p.o.Revolume(spec, v)
	if err != nil {
		return reply{err: &api.Error{Status: http.StatusBadRequest, Message: err.Error()}}
	}
	p.vol = v
	if p.cur != nil {
		p.cur.sess.Spec = spec
		p.cur.run.remix(spec)
	}
	p.publish(api.EventVolume, "")
	return p.answer()
}

// say speaks what verb says over the session playing (Options.Overlay):
// the output mixes the session anew with it, as for a level change.
func (p *player) say(verb api.Verb) reply {
	if p.state != api.StatePlaying {
		return conflict("nothing is playing: %s speaks over a session that plays", verb)
	}
	if p.o.Overlay == nil {
		return reply{err: &api.Error{Status: http.StatusNotImplemented, Message: "this daemon cannot speak over a session"}}
	}
	said, err := p.o.Overlay(p.cur.sess.Spec, p.cur.run.heard(time.Now()), verb)
	if err != nil {
		var ae *api.Error
		if errors.As(err, &ae) {
			return reply{err: ae}
		}
		return reply{err: &api.Error{Status: http.StatusInternalServerError, Message: err.Error()}}
	}
	p.cur.sess.Spec = said.Spec
	p.cur.run.remix(said.Spec)
	p.publish(api.EventSay, said.Words)
	r := p.answer()
	r.status.Said, r.status.SaidAtMS, r.status.SaidCues = said.Words, said.At.Milliseconds(), said.Cues
	return r
}

// answer is the answer of a control that was done: the status after it.
func (p *player) answer() reply { return reply{status: p.status()} }

// toggle pauses, resumes, or starts the session a prompt offers.
func (p *player) toggle(c command) reply {
	switch p.state {
	case api.StatePrompt:
		return p.play(command{op: cmdPlay, reply: c.reply})
	case api.StatePlaying:
		if p.release() {
			return p.answer()
		}
		return p.pause()
	case api.StatePaused:
		return p.resume()
	}
	return conflict("nothing is playing or waiting to be played")
}

// release ends the wait the session holds at, if any: it goes on from the
// wait's end (play, toggle and next say "go on" there). It reports
// whether there was one.
func (p *player) release() bool {
	run := p.cur.run
	end, ok := run.waiting(time.Now())
	if !ok {
		return false
	}
	run.seek(end)
	p.checkPart()
	p.publish(api.EventGoOn, "")
	return true
}

func (p *player) pause() reply {
	switch p.state {
	case api.StatePaused:
	case api.StatePlaying:
		p.cur.run.pause()
		p.state = api.StatePaused
		p.publish(api.EventPause, "")
	default:
		return conflict("nothing is playing")
	}
	return p.answer()
}

func (p *player) resume() reply {
	switch p.state {
	case api.StatePlaying:
		p.release()
	case api.StatePaused:
		p.cur.run.resume()
		p.state = api.StatePlaying
		p.publish(api.EventResume, "")
		p.release() // play at a wait says "go on", paused or not
	default:
		return conflict("nothing is paused")
	}
	return p.answer()
}

// skip moves the session to the next mark, or back as prev does. Past the
// last part there is nothing to skip to: that ends the session as a stop,
// never as a completed one.
func (p *player) skip(next bool) reply {
	if p.cur == nil {
		return conflict("nothing is playing")
	}
	run := p.cur.run
	pos := run.heard(time.Now())
	to := run.sess.Audio.Prev(pos)
	if next {
		var ok bool
		if to, ok = run.sess.Audio.MarkAfter(pos); !ok {
			p.finish(false, api.EventStop, "skipped past the last part")
			return p.answer()
		}
	}
	run.seek(to)
	p.checkPart()
	p.publish(api.EventSeek, "")
	return p.answer()
}

// stop stops the session, or dismisses a prompt, a snoozed prompt or a
// start under way.
func (p *player) stop() reply {
	switch {
	case p.cur != nil:
		p.finish(false, api.EventStop, "")
	case p.state == api.StatePrompt:
		p.clearPrompt()
		p.publish(api.EventStop, "the prompt was dismissed")
	case p.snoozed != nil && p.state == api.StateIdle:
		p.dropSnooze()
		p.publish(api.EventStop, "the snoozed prompt was dismissed")
	case p.state == api.StateStarting:
		p.startPrompt = nil // a stop dismisses the prompt too
		p.failStart(&api.Error{Status: http.StatusConflict, Message: "stopped before it started"}, api.EventStop)
	default:
		return conflict("nothing is playing")
	}
	return p.answer()
}

// play starts c.play, or the prompt's session when c.play names no
// routine. Its reply is sent when the session starts or fails.
func (p *player) play(c command) reply {
	req := c.play
	trigger := c.trigger
	if trigger == "" {
		trigger = triggerUser
	}
	switch p.state {
	case api.StatePlaying, api.StatePaused:
		return conflict("%s is playing; stop it first (cued stop)", p.cur.sess.Routine)
	case api.StateStarting:
		return conflict("a session is starting")
	case api.StatePrompt:
		if req.Routine == "" {
			req = p.promptQ
			trigger = triggerSchedule
		}
	}
	if req.Routine == "" {
		return reply{err: &api.Error{Status: http.StatusBadRequest, Message: "no routine given and no scheduled session waiting"}}
	}
	if err := req.Validate(); err != nil {
		return reply{err: &api.Error{Status: http.StatusBadRequest, Message: err.Error()}}
	}
	// The request is prepared even while the device is down, so that its
	// own mistakes (no such routine, a value out of range) are answered
	// first; only a valid request then meets the device (see prepared).
	p.startPrompt = p.saveWaiting()
	p.clearPrompt()
	p.state = api.StateStarting
	p.startID++
	p.startReply = c.reply
	p.startCtx, p.startCancel = context.WithTimeout(p.ctx, p.o.PrepareTimeout)
	p.start(p.startCtx, p.startID, req, trigger, p.takeSpare(), p.device.State != api.DeviceFault)
	return reply{status: p.status(), deferred: true}
}

// waiting is a prompt put aside while the session it offered starts, so
// that a session that fails to start leaves the prompt as it was.
type waiting struct {
	prompt  *api.Prompt
	req     api.PlayRequest
	expires time.Time
}

// saveWaiting returns the prompt that waits, or nil.
func (p *player) saveWaiting() *waiting {
	if p.state != api.StatePrompt {
		return nil
	}
	return &waiting{prompt: p.prompt, req: p.promptQ, expires: p.expires}
}

// failStart ends the start under way with e: the preparation is cancelled
// (and dropped when it lands), whoever waits is answered, the player is
// back to idle, or to the prompt the start came from while it has not
// expired, and event (EventFailed or EventStop) says so.
func (p *player) failStart(e *api.Error, event api.EventType) {
	p.startID++
	if p.startCancel != nil {
		p.startCancel()
	}
	p.startCtx, p.startCancel = nil, nil
	if p.startReply != nil {
		p.startReply <- reply{err: e}
		p.startReply = nil
	}
	p.state = api.StateIdle
	if w := p.startPrompt; w != nil && p.o.Clock.Now().Before(w.expires) {
		p.state, p.prompt, p.promptQ, p.expires = api.StatePrompt, w.prompt, w.req, w.expires
	}
	p.startPrompt = nil
	msg := e.Message
	if event == api.EventStop {
		msg = ""
	}
	p.publish(event, msg)
}

func (p *player) note(n note) {
	switch n := n.(type) {
	case prepared:
		p.prepared(n)
	case devReport:
		p.report(n)
	case devGone:
		p.gone(n)
	case reopened:
		p.reopened(n)
	case snoozeDue:
		if n.id == p.snoozeID && p.snoozed != nil {
			occ := *p.snoozed
			p.dropSnooze()
			p.fire(occ)
		}
	case probeResult:
		p.probed(n)
	}
}

// probed takes what a device probe found: the device back (a fault
// ends), or still none (retry).
func (p *player) probed(n probeResult) {
	p.probing = false
	if n.dev != nil {
		p.keepProbed(n.dev)
	}
	if n.err == nil {
		if p.device.State == api.DeviceFault {
			p.setDevice(api.DeviceIdle, nil)
			p.log.Info("audio device available again")
			p.publish(api.EventRecovered, "audio device available again")
		}
	} else if p.cur == nil {
		if p.device.State != api.DeviceFault {
			p.setDevice(api.DeviceFault, n.err)
			p.log.Warn("no audio output; retrying in the background", "err", n.err)
			p.publish(api.EventFault, p.device.Error) // a noDevice's: it says "no audio …"
		}
		p.probe()
	}
}

func (p *player) prepared(r prepared) {
	switch {
	case r.invite:
		p.invited(r)
	case r.id != p.startID || p.state != api.StateStarting:
		if r.dev != nil {
			p.keepSpare(r.dev, r.sess.Rate) // a start given up or stopped: the device is good
		}
	case r.err == nil && r.dev == nil:
		// Prepared, but the device was known to be down: the request was
		// valid and cannot be heard.
		r.err = noDevice{said(p.device.Error + "; cued keeps retrying in the background (see cued status)")}
		p.startFailed(r.err)
	case r.err != nil:
		p.startFailed(r.err)
	default:
		p.started(r)
	}
}

// invited takes the prompt's prepared chime: it sounds if the prompt
// still waits for it.
func (p *player) invited(r prepared) {
	switch {
	case r.err != nil:
		p.log.Warn("cannot sound the prompt", "err", r.err)
		if errors.Is(r.err, ErrNoDevice) {
			p.setDevice(api.DeviceFault, r.err)
			p.probe()
		}
	case p.state != api.StatePrompt || p.invite != nil:
		p.keepSpare(r.dev, r.sess.Rate)
	default:
		p.setDevice(api.DeviceOK, nil)
		p.invite = p.begin(r.sess, r.dev)
	}
}

// startFailed answers a start that failed with err: 503 for the device
// (which is then watched), 504 for the deadline, else 400, the user's
// mistake.
func (p *player) startFailed(err error) {
	e := &api.Error{Status: http.StatusBadRequest, Message: oneLine(err.Error())}
	switch {
	case errors.Is(err, ErrNoDevice):
		e.Status = http.StatusServiceUnavailable
		if p.device.State != api.DeviceFault {
			p.setDevice(api.DeviceFault, err)
			p.publish(api.EventFault, err.Error())
		}
		p.probe()
	case errors.Is(err, context.DeadlineExceeded):
		e = p.startTimeout()
	}
	p.log.Warn("cannot start a session", "err", err)
	p.failStart(e, api.EventFailed)
}

// started makes a prepared session the current one and answers its play.
func (p *player) started(r prepared) {
	p.startCancel() // releases the deadline's timer; the session is ready
	p.startCtx, p.startCancel, p.startPrompt = nil, nil, nil
	if p.invite != nil {
		p.stopPlaying(p.invite)
		p.invite = nil
	}
	p.setDevice(api.DeviceOK, nil)
	now := p.o.Clock.Now()
	p.cur = &current{id: sessionID(now), sess: r.sess, start: now, trigger: r.trigger, part: -1, lastProg: time.Now(), mark: -1}
	p.cur.run = p.begin(r.sess, r.dev)
	p.state = api.StatePlaying
	p.record(history.EventStart, false)
	p.log.Info("session started", "routine", r.sess.Routine, "level", r.sess.Level, "trigger", r.trigger)
	p.publish(api.EventStart, "")
	p.checkPart()
	if p.startReply != nil {
		p.startReply <- reply{status: p.status()}
		p.startReply = nil
	}
}

// finish ends the current session, records it and announces it.
func (p *player) finish(completed bool, event api.EventType, msg string) {
	c := p.cur
	st := p.status()
	p.stopPlaying(c.run)
	end := history.EventEnd
	if p.ctx.Err() != nil && !completed {
		// The daemon stops under the session: it did not end, it was
		// cut, as a kill would cut it, and counts the same.
		end = history.EventShutdown
	}
	rec := p.record(end, completed)
	p.cur = nil
	p.state = api.StateIdle
	p.log.Info("session ended", "routine", rec.Routine, "completed", completed, "reached", time.Duration(rec.ReachedMS)*time.Millisecond)
	if p.device.State == api.DeviceOK {
		p.setDevice(api.DeviceIdle, nil)
	}
	st.State = api.StateIdle
	p.events.publish(api.Event{Type: event, Time: p.o.Clock.Now(), Message: msg, Status: st})
}

// record appends a line of the current session to the history: event is
// history.EventStart, EventProgress or EventEnd (completed only for an
// end). A history that cannot be written is logged; the session goes on.
func (p *player) record(event string, completed bool) history.Record {
	c := p.cur
	pos, length := p.elapsed(), p.length()
	if completed {
		pos = length
	}
	rec := history.Record{ID: c.id, Event: event, Routine: c.sess.Routine, Name: c.sess.Name, Level: c.sess.Level,
		Start: c.start, End: p.o.Clock.Now(), Completed: completed,
		ReachedMS: pos.Milliseconds(), LengthMS: length.Milliseconds(), Trigger: string(c.trigger)}
	if i := partAt(c.sess.Parts, pos); i >= 0 {
		rec.Part = c.sess.Parts[i].Name
	} else if completed && len(c.sess.Parts) > 0 {
		rec.Part = c.sess.Parts[len(c.sess.Parts)-1].Name
	}
	if c.mark >= 0 {
		_, more := c.sess.Audio.MarkAfter(c.mark)
		rec.Final = !more
	}
	rec.Final = rec.Final || completed
	if p.hist != nil {
		if err := p.hist.Append(rec); err != nil {
			p.log.Error("cannot write history", "err", err)
		}
	}
	return rec
}

// checkMark records in the history each part or segment mark the session
// reaches (forward, or back by prev), so that a session the daemon does
// not live to end is still in the history with how far it got.
func (p *player) checkMark() {
	c := p.cur
	m, ok := c.sess.Audio.MarkBefore(c.run.heard(time.Now()) + 1)
	if !ok || m == c.mark {
		return
	}
	c.mark = m
	p.record(history.EventProgress, false)
}

// sessionID returns a new session id: the start time and a random suffix.
func sessionID(start time.Time) string {
	return fmt.Sprintf("%s-%04x", start.UTC().Format("20060102T150405.000Z"), rand.Uint32()&0xffff)
}

func (p *player) length() time.Duration {
	if p.cur == nil || p.cur.sess.Rate <= 0 {
		return 0
	}
	return time.Duration(p.cur.sess.Audio.Len()) * time.Second / time.Duration(p.cur.sess.Rate)
}

// tickEvery is the player's longest tick while something needs watching:
// a session's progress and waits, a start's deadline, a prompt's expiry.
// A session's next part or mark comes on time by its own tick (untilMark),
// so the daemon wakes about once a second while a session plays (a
// 250 ms tick cost 50 context switches a second against 20).
const tickEvery = time.Second

// untilMark is how long until the playing session reaches its next mark
// (where parts and segments begin), as heard, with a little to spare; 0
// when it is paused or none is ahead.
func (p *player) untilMark() time.Duration {
	c := p.cur
	if c == nil || c.run == nil || c.run.paused || c.sess.Rate <= 0 {
		return 0
	}
	pos := c.run.heard(time.Now())
	next, ok := c.sess.Audio.MarkAfter(pos)
	if !ok || next <= pos {
		return 0
	}
	return time.Duration(next-pos)*time.Second/time.Duration(c.sess.Rate) + p.o.LatencyOffset + 5*time.Millisecond
}

// arm sets t for the next tick: tickEvery while a session plays, starts
// or a prompt waits; at the spare output's expiry while only a spare is
// kept; and not at all when the daemon is idle, so that an idle daemon
// wakes only for the scheduler's due timers and requests.
//
// A timer already armed for an earlier or equal time is left alone, so
// that a stream of requests (a client polling status) cannot keep
// pushing the tick back.
func (p *player) arm(t *time.Timer) {
	var at time.Time // zero: no tick
	now := time.Now()
	switch {
	case p.cur != nil || p.state == api.StateStarting || p.state == api.StatePrompt:
		at = now.Add(tickEvery)
		if d := p.untilMark(); d > 0 && d < tickEvery {
			at = now.Add(d)
		}
	case p.spare != nil:
		at = p.spareSince.Add(p.o.Linger)
	}
	switch {
	case at.IsZero():
		if !p.tickAt.IsZero() {
			t.Stop()
			p.tickAt = time.Time{}
		}
	case p.tickAt.IsZero() || at.Before(p.tickAt):
		t.Stop()
		t.Reset(max(at.Sub(now), 0))
		p.tickAt = at
	}
}

// startTimeout is the answer to a start that took longer than
// Options.PrepareTimeout.
func (p *player) startTimeout() *api.Error {
	return &api.Error{Status: http.StatusGatewayTimeout,
		Message: fmt.Sprintf("preparing the session took longer than %v; nothing was started", p.o.PrepareTimeout)}
}

// checkWait pauses a session that has held at a wait for Options.WaitLimit
// without the listener going on (gone, or asleep): its reminder stops, and
// the pause then releases the sleep inhibitor as any pause does. Play
// goes on from the wait's end (resume releases a wait).
func (p *player) checkWait() {
	c := p.cur
	if c.run.paused {
		c.waitSince = time.Time{}
		return
	}
	if _, waiting := c.run.waiting(time.Now()); !waiting {
		c.waitSince = time.Time{}
		return
	}
	if c.waitSince.IsZero() {
		c.waitSince = time.Now()
		return
	}
	if time.Since(c.waitSince) >= p.o.WaitLimit {
		c.waitSince = time.Time{}
		c.run.pause()
		p.state = api.StatePaused
		p.log.Info("paused: nobody went on from the wait", "after", p.o.WaitLimit)
		p.publish(api.EventPause, fmt.Sprintf("paused after waiting %v for you", p.o.WaitLimit))
	}
}

func (p *player) tick() {
	if p.state == api.StateStarting && errors.Is(p.startCtx.Err(), context.DeadlineExceeded) {
		e := p.startTimeout()
		p.log.Warn("cannot start a session", "err", e.Message)
		p.failStart(e, api.EventFailed)
	}
	if p.spare != nil && (time.Since(p.spareSince) > p.o.Linger || p.spare.Err() != nil) {
		p.dropSpare()
	}
	if p.state == api.StatePrompt && !p.o.Clock.Now().Before(p.expires) {
		p.clearPrompt()
		p.publish(api.EventSkipped, "the scheduled session was not started in time")
	}
	if p.cur == nil {
		return
	}
	p.checkPart()
	p.checkMark()
	p.checkWait()
	if !p.cur.run.paused && time.Since(p.cur.lastProg) >= p.o.ProgressInterval {
		p.cur.lastProg = time.Now()
		p.publish(api.EventProgress, "")
	}
}

func (p *player) checkPart() {
	i := partAt(p.cur.sess.Parts, p.elapsed())
	if i != p.cur.part {
		p.cur.part = i
		if i >= 0 {
			p.publish(api.EventPart, "")
		}
	}
}

func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i] + " …"
		}
	}
	return s
}

func (p *player) elapsed() time.Duration {
	if p.cur == nil || p.cur.sess.Rate <= 0 {
		return 0
	}
	at := time.Duration(p.cur.run.heard(time.Now())) * time.Second / time.Duration(p.cur.sess.Rate)
	return max(at-p.o.LatencyOffset, 0)
}

// partAt returns the index of the part playing at d, or -1.
func partAt(parts []Part, d time.Duration) int {
	for i, pt := range parts {
		if d >= pt.Start && d < pt.End {
			return i
		}
	}
	return -1
}

func (p *player) publish(typ api.EventType, msg string) {
	p.events.publish(api.Event{Type: typ, Time: p.o.Clock.Now(), Message: msg, Status: p.status()})
}

// status is the player's status now.
func (p *player) status() api.Status {
	s := api.Status{State: p.state, Device: p.device, Prompt: p.prompt, PartIndex: -1, Volume: p.vol}
	if c := p.cur; c != nil {
		s.Session, s.Routine, s.Name, s.Level = c.id, c.sess.Routine, c.sess.Name, c.sess.Level
		s.Paused = c.run.paused
		_, s.Waiting = c.run.waiting(time.Now())
		s.Parts = len(c.sess.Parts)
		el, ln := p.elapsed(), p.length()
		s.ElapsedMS, s.LengthMS = el.Milliseconds(), ln.Milliseconds()
		s.RemainingMS = max(0, s.LengthMS-s.ElapsedMS)
		s.PartIndex = partAt(c.sess.Parts, el)
		if s.PartIndex >= 0 {
			pt := c.sess.Parts[s.PartIndex]
			s.Part, s.PartStartMS, s.PartLengthMS = pt.Name, pt.Start.Milliseconds(), (pt.End - pt.Start).Milliseconds()
		}
	}
	if o := p.snoozed; o != nil {
		s.Snoozed = &api.Scheduled{At: p.snoozedAt, Routine: o.Routine, Mode: o.Mode, Level: o.Level}
	}
	if p.sched != nil {
		if o, ok := schedule.Next(p.sched.Entries(), p.o.Clock.Now()); ok {
			s.Next = &api.Scheduled{At: o.Time, Routine: o.Routine, Mode: o.Mode, Level: o.Level}
		}
	}
	return s
}
