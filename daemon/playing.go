// A session on the output: started on a device, controlled, followed by
// the device's reports, and moved to a new device when one dies.

package daemon

import (
	"log/slog"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/sink"
)

// playing is a session on the output: the current session or a prompt's
// chime. Only the player goroutine touches it. Its controls' errors are
// dropped: a device that fails says so through its watcher (devGone),
// which is where the fault is handled.
type playing struct {
	sess Session
	id   int64
	// dev plays it; nil while the output is down (a reopen is then due
	// or under way).
	dev Device
	// pos is the sample heard, as the device last reported it (or where
	// a skip or a fault put it), at posAt; heard moves it on from there.
	pos   int
	posAt time.Time
	// seq counts the seeks sent: a report of an earlier one is stale.
	seq     int64
	paused  bool
	backoff time.Duration
}

// Notes from a device's watcher and from a reopen.
type (
	devReport struct {
		dev Device
		r   sink.Report
	}
	devGone struct {
		dev Device
		err error
	}
	reopened struct {
		id  int64
		dev Device
		err error
	}
)

// begin starts sess on dev and returns it playing.
func (p *player) begin(sess Session, dev Device) *playing {
	p.adopt(dev)
	p.sessions++
	pl := &playing{sess: sess, id: p.sessions, dev: dev, backoff: p.o.DeviceRetry, posAt: time.Now()}
	_ = pl.dev.Play(pl.startMsg())
	return pl
}

func (pl *playing) startMsg() sink.Start {
	return sink.Start{ID: pl.id, From: pl.pos, Length: pl.sess.Audio.Len(), Paused: pl.paused, Spec: pl.sess.Spec}
}

// heard is the sample the listener hears now: the last position reported,
// moved on in real time while the session plays on a device (a device
// reports every sink.ReportInterval), at most two reports' worth past it,
// so that a device that stalls does not run the session away.
func (pl *playing) heard(now time.Time) int {
	if pl.paused || pl.dev == nil || pl.posAt.IsZero() {
		return pl.pos
	}
	ahead := now.Sub(pl.posAt).Seconds() * float64(pl.sess.Rate)
	most := 2 * sink.ReportInterval.Seconds() * float64(pl.sess.Rate)
	at := min(pl.pos+int(min(ahead, most)), pl.sess.Audio.Len())
	if start, end, ok := pl.sess.Audio.WaitAt(pl.pos); ok && at >= end {
		at = start + (at-start)%(end-start) // the output loops a wait until it is released
	}
	return at
}

// waiting reports whether the session holds at a wait now, and where the
// wait ends (what releases it seeks there).
func (pl *playing) waiting(now time.Time) (end int, ok bool) {
	_, end, ok = pl.sess.Audio.WaitAt(pl.heard(now))
	return end, ok
}

// at sets the position heard, as of now.
func (pl *playing) at(pos int) { pl.pos, pl.posAt = pos, time.Now() }

func (pl *playing) pause() {
	pl.at(pl.heard(time.Now()))
	pl.paused = true
	if pl.dev != nil {
		_ = pl.dev.Pause(pl.id)
	}
}

func (pl *playing) resume() {
	pl.paused = false
	pl.at(pl.pos)
	if pl.dev != nil {
		_ = pl.dev.Resume(pl.id)
	}
}

// seek moves the session to sample to: heard at once in status, and by
// the listener after the device's fade.
// remix has the device mix the session anew from spec (its levels
// changed); the position goes on.
func (pl *playing) remix(spec []byte) {
	pl.sess.Spec = spec
	if pl.dev != nil {
		_ = pl.dev.Remix(pl.id, spec)
	}
}

func (pl *playing) seek(to int) {
	pl.seq++
	pl.at(to)
	if pl.dev != nil {
		_ = pl.dev.Move(pl.id, pl.seq, to)
	}
}

// adopt watches a device the player has not seen yet: its reports and its
// end become notes.
func (p *player) adopt(dev Device) {
	if p.devices[dev] {
		return
	}
	p.devices[dev] = true
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for r := range dev.Reports() {
			select {
			case p.notes <- devReport{dev, r}:
			case <-p.ctx.Done():
				dev.Close()
			}
		}
		select {
		case p.notes <- devGone{dev, dev.Err()}:
		case <-p.ctx.Done():
		}
	}()
}

// playingOn returns the session on dev named id, if it is the current one
// or the prompt's.
func (p *player) playingOn(dev Device, id int64) *playing {
	for _, pl := range []*playing{p.curPlaying(), p.invite} {
		if pl != nil && pl.dev == dev && pl.id == id {
			return pl
		}
	}
	return nil
}

func (p *player) curPlaying() *playing {
	if p.cur == nil {
		return nil
	}
	return p.cur.run
}

// report applies a device's report.
func (p *player) report(n devReport) {
	pl := p.playingOn(n.dev, n.r.ID)
	if pl == nil {
		return
	}
	switch n.r.Word {
	case "pos":
		if n.r.Seq >= pl.seq {
			pl.at(min(n.r.Pos, pl.sess.Audio.Len()))
		}
	case "ended":
		pl.pos = pl.sess.Audio.Len()
		if pl == p.curPlaying() {
			p.finish(true, api.EventEnd, "")
		} else {
			p.invite = nil
			p.keepSpare(pl.dev, pl.sess.Rate)
		}
	}
}

// gone handles a device that died or closed.
func (p *player) gone(n devGone) {
	delete(p.devices, n.dev)
	n.dev.Close()
	if p.spare == n.dev {
		p.spare = nil
	}
	err := n.err
	if err == nil {
		err = sink.ErrExited
	}
	if pl := p.curPlaying(); pl != nil && pl.dev == n.dev {
		p.fault(pl, err)
	}
	if p.invite != nil && p.invite.dev == n.dev {
		p.invite = nil
		p.setDevice(api.DeviceFault, err)
		p.probe()
	}
}

// fault takes pl off its dead device: from the last position the device
// reported (not moved on: it may have died since), it steps back what the
// device held (Options.FaultRewind) and waits for a new one.
func (p *player) fault(pl *playing, err error) {
	pl.dev = nil
	pl.pos = max(0, pl.pos-int(int64(pl.sess.Rate)*int64(p.o.FaultRewind)/int64(time.Second)))
	p.setDevice(api.DeviceFault, err)
	p.log.Warn("audio output failed; retrying", "err", err)
	p.publish(api.EventFault, "audio output failed: "+err.Error())
	p.reopen(pl, pl.backoff/4)
}

// reopen opens a new device for pl after delay, off the player goroutine.
func (p *player) reopen(pl *playing, delay time.Duration) {
	id := pl.id
	p.openAfter(delay, pl.sess.Rate, func(dev Device, err error) note { return reopened{id, dev, err} })
}

// reopened puts the current session on the device a reopen got, from the
// sample it held, or tries again later.
func (p *player) reopened(n reopened) {
	pl := p.curPlaying()
	if pl == nil || pl.id != n.id {
		if n.dev != nil {
			p.keepSpare(n.dev, 0)
		}
		return
	}
	if n.err != nil {
		pl.backoff = min(pl.backoff*2, 8*p.o.DeviceRetry)
		p.reopen(pl, pl.backoff/2)
		return
	}
	pl.backoff = p.o.DeviceRetry
	pl.dev = n.dev
	pl.seq = 0 // the new device counts its own seeks; the old one's reports are gone with it
	pl.at(pl.pos)
	p.adopt(n.dev)
	_ = pl.dev.Play(pl.startMsg())
	p.setDevice(api.DeviceOK, nil)
	p.log.Info("audio output recovered", slog.Int("at_ms", int(int64(pl.pos)*1000/int64(pl.sess.Rate))))
	p.publish(api.EventRecovered, "audio output works again")
}

// stopPlaying stops pl and keeps its device for the next session.
func (p *player) stopPlaying(pl *playing) {
	if pl.dev == nil {
		return
	}
	_ = pl.dev.Stop(pl.id)
	p.keepSpare(pl.dev, pl.sess.Rate)
	pl.dev = nil
}

// keepSpare keeps a device that works as the spare (Options.Linger), or
// closes it. rate 0 means unknown: it is closed.
func (p *player) keepSpare(dev Device, rate int) {
	if dev == p.spare {
		return
	}
	if p.o.Linger < 0 || rate == 0 || dev.Err() != nil {
		dev.Close()
		return
	}
	p.dropSpare()
	p.spare, p.spareRate, p.spareSince = dev, rate, time.Now()
}
