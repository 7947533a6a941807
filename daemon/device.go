// The audio output as the player sees it: opening a session's output off
// the player goroutine, the spare output kept between sessions, and the
// probe that watches for a device to come back.

package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/sink"
)

// start prepares a session off the player goroutine, within ctx (the
// start's deadline, cancelled by a stop), and opens its output when open
// is true (the device is not known to be down); with open false a
// prepared session comes back without a stream.
func (p *player) start(ctx context.Context, id int, req api.PlayRequest, trigger trigger, spare spareDevice, open bool) {
	if req.Volume == nil {
		v := p.vol // the player's, read here on its goroutine
		req.Volume = &v
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		r := prepared{id: id, trigger: trigger}
		t0 := time.Now()
		r.sess, r.err = p.o.Prepare(ctx, req)
		if r.err == nil && r.sess.Audio == nil {
			r.err = errors.New("prepare returned no audio")
		}
		if r.err == nil && ctx.Err() != nil {
			r.err = ctx.Err()
		}
		t1 := time.Now()
		if r.err == nil && open {
			r.dev, r.err = p.open(ctx, spare, r.sess.Rate)
		} else if spare.dev != nil {
			spare.dev.Close()
		}
		p.log.Debug("session prepared", "routine", req.Routine, "prepare", t1.Sub(t0).Round(time.Microsecond),
			"open", time.Since(t1).Round(time.Microsecond), "err", r.err)
		select {
		case p.notes <- r:
		case <-p.ctx.Done():
			if r.dev != nil {
				r.dev.Close()
			}
		}
	}()
}

// spareDevice is a spare output handed to a starting session.
type spareDevice struct {
	dev  Device
	rate int
}

// takeSpare hands over the spare output, if any.
func (p *player) takeSpare() spareDevice {
	s := spareDevice{p.spare, p.spareRate}
	p.spare = nil
	return s
}

// dropSpare closes the spare output.
func (p *player) dropSpare() {
	if p.spare != nil {
		p.spare.Close()
		p.spare = nil
	}
}

// open returns the spare output if it still works at rate, else a new one
// (off the player goroutine).
func (p *player) open(ctx context.Context, spare spareDevice, rate int) (Device, error) {
	if spare.dev != nil {
		if spare.rate == rate && spare.dev.Err() == nil {
			return spare.dev, nil
		}
		spare.dev.Close()
	}
	dev, err := p.o.Output.Open(ctx, rate)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // given up or stopped: not the device's fault
		}
		return nil, noDevice{err}
	}
	return dev, nil
}

// noDevice is an output error: it matches ErrNoDevice and reads as the
// output's own message when that already says there is no audio output
// (it matches sink.ErrNoOutput), else as "no audio device: " and it.
type noDevice struct{ err error }

func (e noDevice) Error() string {
	if errors.Is(e.err, sink.ErrNoOutput) {
		return e.err.Error()
	}
	return "no audio device: " + e.err.Error()
}

func (e noDevice) Unwrap() []error { return []error{ErrNoDevice, e.err} }

// said is a noDevice's message kept as text (the status's device error):
// it says there is no audio output already, so it matches
// sink.ErrNoOutput and a noDevice around it does not say it twice.
type said string

func (s said) Error() string        { return string(s) }
func (s said) Is(target error) bool { return target == sink.ErrNoOutput }

// probe checks the device in the background after a failure, until it
// works again.
func (p *player) probe() { p.probeAfter(p.o.DeviceRetry) }

// probeAfter opens the output after delay, in the background, and reports
// the result to the player as a probeResult (see keepProbed).
func (p *player) probeAfter(delay time.Duration) {
	if p.probing {
		return
	}
	p.probing = true
	p.openAfter(delay, p.o.ProbeRate, func(dev Device, err error) note {
		return probeResult{dev, err}
	})
}

// keepProbed keeps the output a probe opened as the spare (Options.Linger),
// when nothing plays or starts and there is no spare, so that the first
// session after the daemon starts or recovers does not wait for a new
// child and its device. Otherwise it is closed.
func (p *player) keepProbed(dev Device) {
	if p.cur != nil || p.spare != nil || p.state == api.StateStarting {
		dev.Close()
		return
	}
	p.keepSpare(dev, p.o.ProbeRate)
}

// openAfter opens the output at rate after delay, off the player
// goroutine, and sends the player the note that mk makes of the result;
// a device opened as the daemon stops is closed.
func (p *player) openAfter(delay time.Duration, rate int, mk func(Device, error) note) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		select {
		case <-time.After(delay):
		case <-p.ctx.Done():
			return
		}
		dev, err := p.o.Output.Open(p.ctx, rate)
		select {
		case p.notes <- mk(dev, err):
		case <-p.ctx.Done():
			if dev != nil {
				dev.Close()
			}
		}
	}()
}

func (p *player) setDevice(state api.DeviceState, err error) {
	msg := ""
	if err != nil {
		msg = oneLine(err.Error())
	}
	if p.device.State != state || p.device.Error != msg {
		p.device = api.Device{State: state, Error: msg, Since: time.Now()}
	}
}
