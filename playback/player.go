package playback

import (
	"context"
	"errors"
	"time"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/speaker"
)

// ErrFinished is returned by Seek once the session has played to its end or
// was stopped.
var ErrFinished = errors.New("playback: the session has finished")

// Player controls one session playing through the speaker. Its methods
// are safe to call from any goroutine.
type Player struct {
	f      *feed
	buffer time.Duration
}

// fadeTime is how long Pause, Stop and Resume ramp the sound down or up:
// long enough that nothing clicks, short enough to stay within one buffer.
const fadeTime = 12 * time.Millisecond

// feed is what the speaker's mixer pulls: the session, or silence while
// paused. Its fields are guarded by speaker.Lock (the speaker holds it
// while it pulls).
type feed struct {
	s       beep.StreamSeeker
	paused  bool
	stopped bool
	ended   bool
	done    chan struct{}
	// gain ramps by step per sample towards 1 (playing) or 0 (pausing or
	// stopping, as pausing and stopping say) so that no change clicks.
	gain, step float64
	pausing    bool
	stopping   bool
}

// Stream passes the session through, or silence while paused, ramping the
// gain on pause, resume and stop. It never allocates: it runs under the
// speaker's lock.
func (f *feed) Stream(out [][2]float64) (int, bool) {
	if f.stopped || f.ended {
		f.end()
		return 0, false
	}
	if f.paused {
		clear(out)
		return len(out), true
	}
	n, ok := f.s.Stream(out)
	if f.gain != 1 || f.pausing || f.stopping {
		f.ramp(out[:n])
	}
	if f.stopped || !ok || n < len(out) {
		f.end()
	}
	return n, n > 0
}

// ramp applies the fade to out. When a fade down reaches silence, a stop
// ends the feed and a pause puts the session back to the first sample not
// yet faded in full, so that Resume loses nothing.
func (f *feed) ramp(out [][2]float64) {
	down := f.pausing || f.stopping
	for i := range out {
		if down {
			f.gain -= f.step
			if f.gain <= 0 {
				f.gain = 0
				clear(out[i:])
				if f.stopping {
					f.stopped = true
				} else {
					f.paused, f.pausing = true, false
					_ = f.s.Seek(f.s.Position() - (len(out) - i))
				}
				return
			}
		} else {
			f.gain = min(1, f.gain+f.step)
		}
		out[i][0] *= f.gain
		out[i][1] *= f.gain
	}
}

// newFeed feeds s with fades of fade samples.
func newFeed(s beep.StreamSeeker, fade int) *feed {
	return &feed{s: s, done: make(chan struct{}), gain: 1, step: 1 / float64(max(fade, 1))}
}

// Err is the session's error.
func (f *feed) Err() error { return f.s.Err() }

// end marks the feed finished, once.
func (f *feed) end() {
	if !f.ended {
		f.ended = true
		close(f.done)
	}
}

// Start opens the speaker if this is the first call in the process (see
// the package comment) and starts playing s from its current position.
// format.SampleRate must be the same in every call of a process; bufferMS
// (10 to 2000, config audio.buffer_ms) sizes the speaker's buffer and so the
// latency of Pause, Seek and Stop, and only the first call's counts. An
// error wrapping ErrNoDevice comes back within OpenTimeout if there is no
// working device.
func Start(s beep.StreamSeeker, format beep.Format, bufferMS int) (*Player, error) {
	if err := open(int(format.SampleRate), bufferMS); err != nil {
		return nil, err
	}
	f := newFeed(s, int(fadeTime.Seconds()*float64(format.SampleRate)))
	speaker.Play(f)
	return &Player{f: f, buffer: device.buffer}, nil
}

// Pause fades the session out over a few milliseconds and holds it where
// the fade ended, losing nothing: Resume fades in from that sample.
func (p *Player) Pause() {
	speaker.Lock()
	if !p.f.paused {
		p.f.pausing = true
	}
	speaker.Unlock()
}

// Resume ends a pause, fading in.
func (p *Player) Resume() {
	speaker.Lock()
	p.f.paused, p.f.pausing = false, false
	speaker.Unlock()
}

// Paused reports whether the player is paused or fading to a pause.
func (p *Player) Paused() bool {
	speaker.Lock()
	defer speaker.Unlock()
	return p.f.paused || p.f.pausing
}

// Seek moves playback to sample pos of the session (after the samples
// already buffered). It returns ErrFinished after the end or Stop, and the
// session's own error for a position outside it.
func (p *Player) Seek(pos int) error {
	speaker.Lock()
	defer speaker.Unlock()
	if p.f.ended {
		return ErrFinished
	}
	return p.f.s.Seek(pos)
}

// Position is the next sample the speaker will pull from the session. What
// is heard lags it by up to the buffer (Latency).
func (p *Player) Position() int {
	speaker.Lock()
	defer speaker.Unlock()
	return p.f.s.Position()
}

// Latency is about how long a sample pulled from the session takes to be
// heard: the speaker's buffer.
func (p *Player) Latency() time.Duration { return p.buffer }

// Stop ends playback with a fade of a few milliseconds (no click): Done is
// closed once the fade has been pulled, or at once while paused.
func (p *Player) Stop() {
	speaker.Lock()
	if p.f.paused {
		p.f.stopped = true
		p.f.end()
	} else {
		p.f.stopping = true
	}
	speaker.Unlock()
}

// Done is closed when the speaker has pulled the last sample of the
// session, or on Stop. The last samples are heard about Latency later.
func (p *Player) Done() <-chan struct{} { return p.f.done }

// tail is how long Play waits after the last sample was pulled, beyond
// the buffer, for the sound server to play it.
const tail = 250 * time.Millisecond

// stall is how long the position may stand still while playing before
// Play asks the driver whether the device failed. The sound server can
// take over a second to start a stream (measured: about 1.5 s with
// PulseAudio on a busy machine), during which the position stands still.
const stall = 3 * time.Second

// Play plays s from its current position to the end and returns when the
// last sample has been heard (nil), when ctx is done (ctx.Err(), after
// stopping), or when the device fails (an error wrapping ErrNoDevice). It
// calls onProgress, if not nil, about ten times a second and once at the
// end with the position (see Player.Position), from Play's own goroutine.
// Use Start for a session that must be paused or sought while it plays.
func Play(ctx context.Context, s beep.StreamSeeker, format beep.Format, bufferMS int, onProgress func(pos int)) error {
	p, err := Start(s, format, bufferMS)
	if err != nil {
		return err
	}
	defer p.Stop()
	return p.Wait(ctx, onProgress)
}

// Wait blocks until the session has been heard to its end, ctx is done or
// the device fails, as Play does, calling onProgress along the way. It
// watches for a device that stops taking samples while not paused, so that
// it never hangs on a failed device.
func (p *Player) Wait(ctx context.Context, onProgress func(pos int)) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	last, since := -1, time.Now()
	for {
		select {
		case <-ctx.Done():
			p.Stop()
			// Let the fade out be heard before the caller exits.
			select {
			case <-p.Done():
				time.Sleep(p.buffer)
			case <-time.After(time.Second):
			}
			return ctx.Err()
		case <-p.Done():
			if onProgress != nil {
				onProgress(p.Position())
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(p.buffer + tail):
				return nil
			}
		case now := <-tick.C:
			pos := p.Position()
			if onProgress != nil {
				onProgress(pos)
			}
			if pos != last || p.Paused() {
				last, since = pos, now
				continue
			}
			if now.Sub(since) >= stall {
				if err := check(2 * time.Second); err != nil {
					p.Stop()
					return err
				}
				since = now
			}
		}
	}
}
