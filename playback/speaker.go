//go:build darwin || windows || (linux && cgo)

package playback

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/speaker"
)

func init() { backends[Beep] = backend{open: openSpeaker, hush: hushSpeaker} }

// openSpeaker initialises beep's speaker (once per process: oto allows one
// context, and a failed one stays failed) with a buffer of bufferFrames,
// and returns a drain that the speaker pulls from.
//
// beep's speaker keeps its driver's errors to itself (oto opens the device
// on a goroutine of its own and Init succeeds without one), so the drain
// is added to the speaker at once and the device counts as open when the
// speaker has pulled more than it can hold without one (its buffer, which
// oto's player fills at once, device or not) plus 50 ms; a speaker that
// has not within speakerStart has no working device.
func openSpeaker(rate, bufferFrames, ringFrames int) (drain, error) {
	if err := speaker.Init(beep.SampleRate(rate), bufferFrames); err != nil {
		return nil, err
	}
	held := Options{Output: Beep}.heldBuffers() * bufferFrames // see Options.Held
	d := newSpeakerDrain(geometry{rate: rate, period: max(1, bufferFrames/2), buffer: held,
		cap: uint64(ringFrames + held)})
	d.suspend = speaker.Suspend
	d.resume = speaker.Resume
	d.proof = uint64(bufferFrames + rate/20)
	speaker.Play(d)
	select {
	case <-d.pulled:
	case <-time.After(speakerStart):
		speaker.Clear()
		return nil, fmt.Errorf("beep's speaker played nothing within %v: its driver found no working sound device%s", speakerStart, speakerHint)
	}
	return d, nil
}

// speakerStart is how long openSpeaker waits for the speaker to pull its
// proof: within OpenTimeout, so that its own error is the one reported.
const speakerStart = OpenTimeout - 250*time.Millisecond

// speakerDrain is the engine's ring as a beep.Streamer that beep's speaker
// pulls from its own goroutine: it gives the published frames in order and
// silence when there are none, and never ends. Frames are kept as floats:
// the speaker converts them to 16 bits exactly as pcm.S16 does (clamp,
// times 32767, truncate), so the device gets the render's samples.
type speakerDrain struct {
	geometry
	ring []([2]float64)
	// mu orders a cut against Stream's claim; Stream holds it only to
	// copy frames.
	mu       sync.Mutex
	w, r     atomic.Uint64
	sil      atomic.Uint64
	lead     int // frames of silence still to give first (20 ms)
	started  atomic.Bool
	idleAt   time.Time // under mu: when the ring last ran empty, zero while frames flow
	suspend  func() error
	resume   func() error
	sleeping atomic.Bool // the speaker is suspended (see watch)
	// refill is set by a cut and cleared by the next publish: the engine
	// is mixing the frames that go on from the cut, and Stream waits for
	// them (refillWait) rather than give silence in their place.
	refill atomic.Bool
	wake   chan struct{}
	failed atomic.Pointer[error]
	// every and idleAfter pace watch: a look every second, a suspend
	// after idleStop (shorter in tests).
	every, idleAfter time.Duration
	// pulled is closed once the speaker has pulled proof frames: then a
	// device takes them (see openSpeaker). given counts the frames
	// pulled until then (Stream's goroutine only).
	pulled chan struct{}
	proof  uint64
	given  uint64
}

func newSpeakerDrain(g geometry) *speakerDrain {
	return &speakerDrain{geometry: g, ring: make([][2]float64, g.cap), lead: g.rate / 50, pulled: make(chan struct{}),
		wake: make(chan struct{}, 1), every: time.Second, idleAfter: idleStop}
}

func (d *speakerDrain) shape() geometry { return d.geometry }
func (d *speakerDrain) written() uint64 { return d.w.Load() }
func (d *speakerDrain) claimed() uint64 { return d.r.Load() }

// handed is claimed: what Stream gave the speaker is in its buffer.
func (d *speakerDrain) handed() uint64 { return d.r.Load() }
func (d *speakerDrain) silent() uint64 { return d.sil.Load() }
func (d *speakerDrain) asleep() bool   { return d.sleeping.Load() }

// err is the error of a failed suspend or resume of the speaker.
func (d *speakerDrain) err() error {
	if e := d.failed.Load(); e != nil {
		return *e
	}
	return nil
}

// publish hands the frames before w to the speaker, and asks watch to
// resume a speaker that idleness suspended. It never calls into the
// speaker: the engine calls it under its mutex, and the speaker's calls
// may wait on its driver for a period or, with a hung driver, for ever.
func (d *speakerDrain) publish(w uint64) {
	d.w.Store(w)
	d.refill.Store(false)
	if d.sleeping.Load() {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

// recall is cut: the speaker's buffer cannot be taken back.
func (d *speakerDrain) recall(uint64) uint64 { return d.cut() }

func (d *speakerDrain) cut() uint64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.r.Load()
	d.w.Store(r)
	d.refill.Store(true)
	return r
}

// refillWait is the longest Stream waits for the frames that go on from
// a cut: the engine publishes its first 256 after a control within a
// millisecond or two (it mixes at thousands of times real time), and the
// speaker's own buffer holds far more than this, so the wait is never
// heard, where the silence it saves would be (seen: 5 ms inserted at a
// remix, the rest of the session late by as much).
const refillWait = 20 * time.Millisecond

// awaitRefill waits, polling without a lock or an allocation, until need
// frames that follow a cut are published or refillWait has passed: the
// engine publishes its first chunk after a cut short (firstChunk), so the
// first publish alone may not fill a pull.
func (d *speakerDrain) awaitRefill(need uint64) {
	for end := time.Now().Add(d.refillWait()); time.Now().Before(end); {
		if !d.refill.Load() && d.w.Load()-d.r.Load() >= need {
			return
		}
		time.Sleep(refillPoll)
	}
	// No refill came (a session's end, a pause): later pulls give
	// silence at once.
	d.refill.Store(false)
}

// refillWait is how long awaitRefill waits at most: refillWait, or a
// quarter of what the speaker holds at a very short buffer, so that the
// wait itself is never heard.
func (d *speakerDrain) refillWait() time.Duration {
	return min(refillWait, d.dur(uint64(d.buffer))/4)
}

// short reports whether a pull of need frames should wait for the engine
// (awaitRefill) rather than give silence: after a cut, until the refill
// comes, and while the ring holds some frames but fewer than need (a
// session's first chunk is published short, and on a busy machine the
// rest came after the speaker's next pull: seen as 10 ms of silence inside
// a fade-in after a recovery). A session's last frames wait too, once;
// the speaker's buffer covers the wait.
func (d *speakerDrain) short(need uint64) bool {
	avail := d.w.Load() - d.r.Load()
	return d.refill.Load() && avail == 0 || avail > 0 && avail < need
}

// refillPoll is how often awaitRefill looks.
const refillPoll = 250 * time.Microsecond

func (d *speakerDrain) put(at uint64, frames [][2]float64) {
	i := int(at % d.cap)
	for _, f := range frames {
		d.ring[i] = [2]float64{clamp(f[0]), clamp(f[1])}
		if i++; i == int(d.cap) {
			i = 0
		}
	}
}

// clamp keeps a sample within [-1, 1], as the 16-bit conversion does.
func clamp(v float64) float64 { return max(min(v, 1), -1) }

// start starts the watch that suspends an idle speaker; the speaker
// itself pulls from the drain since openSpeaker.
func (d *speakerDrain) start() error {
	if d.started.CompareAndSwap(false, true) {
		go d.watch()
	}
	return nil
}

// close takes the drain out of the speaker's mixer.
func (d *speakerDrain) close() bool {
	speaker.Clear()
	return true
}

// watch suspends the speaker once the ring has been empty for idleStop
// (its driver keeps the device running and costs CPU while it plays
// silence), checking once a second, and resumes it when publish asks.
// Only watch suspends and resumes, so the two cannot cross. sleeping is
// set only once Suspend has returned, and cleared before Resume is called,
// so that a driver that hangs in either is a stall Wait reports; frames
// published while the speaker was being suspended are seen by the check
// after sleeping is set (publish stores w before it loads sleeping).
func (d *speakerDrain) watch() {
	tick := time.NewTicker(d.every)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			if d.sleeping.Load() || d.suspend == nil || !d.idleFor(d.idleAfter) {
				continue
			}
			if err := d.suspend(); err != nil {
				d.failed.Store(&err)
				return
			}
			d.sleeping.Store(true)
			if d.w.Load() == d.r.Load() {
				continue
			}
		case <-d.wake:
		}
		if d.sleeping.Swap(false) {
			if err := d.resume(); err != nil {
				d.failed.Store(&err)
				return
			}
		}
	}
}

// idleFor reports whether the ring has been empty for at least dur.
func (d *speakerDrain) idleFor(dur time.Duration) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.idleAt.IsZero() && time.Since(d.idleAt) >= dur && d.w.Load() == d.r.Load()
}

// Stream gives the speaker the published frames, then silence: it fills
// all of samples and never ends. It is called from the speaker's
// goroutine; it allocates nothing and holds mu only to copy.
func (d *speakerDrain) Stream(samples [][2]float64) (int, bool) {
	if d.given < d.proof {
		if d.given += uint64(len(samples)); d.given >= d.proof {
			close(d.pulled) // once: given passes proof once
		}
	}
	d.mu.Lock()
	if d.short(uint64(len(samples))) {
		d.mu.Unlock()
		d.awaitRefill(uint64(len(samples)))
		d.mu.Lock()
	}
	n := 0
	if d.lead > 0 {
		n = min(d.lead, len(samples))
		clear(samples[:n])
		d.lead -= n
		d.sil.Add(uint64(n))
	}
	r, w := d.r.Load(), d.w.Load()
	k := int(min(w-r, uint64(len(samples)-n)))
	for j := range k {
		samples[n+j] = d.ring[(r+uint64(j))%d.cap]
	}
	d.r.Store(r + uint64(k))
	n += k
	switch {
	case n < len(samples) && d.idleAt.IsZero():
		d.idleAt = time.Now()
	case k > 0:
		d.idleAt = time.Time{}
	}
	d.mu.Unlock()
	if n < len(samples) {
		clear(samples[n:])
		d.sil.Add(uint64(len(samples) - n))
	}
	return len(samples), true
}

// Err is nil: the drain never fails (the speaker reports nothing of its
// device; a dead device shows as a drain that takes no frame, see Wait).
func (d *speakerDrain) Err() error { return nil }
