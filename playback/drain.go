package playback

import "time"

// drain is where the engine's ring is heard: the ALSA writer thread
// (out.go) or beep's speaker (speaker.go). The engine writes frames at ring
// indexes and publishes them; the drain claims published frames in order,
// from its own thread, and hands them to the device, writing silence when
// nothing is published. Indexes only grow; the ring holds cap frames, so
// the engine writes at most cap frames past handed.
//
// written, claimed, handed, silent and err may be called from any
// goroutine; publish, cut and put only from the engine (under its mutex).
type drain interface {
	// shape is the drain's fixed geometry.
	shape() geometry
	// written is the index after the last frame published.
	written() uint64
	// claimed is the index after the last frame the drain took: frames
	// before it can no longer be cut.
	claimed() uint64
	// handed is the index after the last frame the device has taken.
	handed() uint64
	// silent counts the frames of silence the drain gave the device
	// (at its start, and whenever the ring was empty).
	silent() uint64
	// publish hands the frames before w to the drain.
	publish(w uint64)
	// cut takes back every published frame the drain has not claimed and
	// returns the index to write from next.
	cut() uint64
	// recall is cut, and takes back too what the device holds and has
	// not played yet, where it can (the PulseAudio output; the others
	// cannot, and cut), but nothing before index floor: the control is
	// then heard at once, not after the device's buffer. It returns the
	// index to write from next.
	recall(floor uint64) uint64
	// put writes frames at ring index at.
	put(at uint64, frames [][2]float64)
	// err is the error that stopped the drain, if any.
	err() error
	// asleep reports whether the drain has stopped its device for want
	// of frames (idleStop): it takes nothing then, and is not stalled.
	asleep() bool
	// start starts draining; close stops and frees it, reporting false
	// if it would not stop.
	start() error
	close() bool
}

// geometry is the shape of a drain: its rate, the frames its device
// takes at a time (period) and holds (buffer), and the ring's size.
type geometry struct {
	rate, period, buffer int
	cap                  uint64
}

// dur is how long n frames last.
func (g geometry) dur(n uint64) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(g.rate)
}

// idleStop is how long a drain may have nothing to play (the ring empty:
// a session paused or ended, or none started) before it stops its
// device, which then costs nothing: the speaker suspended, the ALSA
// stream dropped. Longer than a pause one would hold a listener's place
// for in a hurry; frames bring it back (the ALSA thread at once, woken
// by publish; the speaker within its next pull).
const idleStop = 5 * time.Second
