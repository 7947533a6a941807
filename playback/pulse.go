//go:build linux && cgo

package playback

/*
#cgo pkg-config: libpulse
#include <stdlib.h>
#include <pulse/pulseaudio.h>
#include "pulse.h"
*/
import "C"

import (
	"fmt"
	"time"
)

// pulseOut is the ring of out drained by a PulseAudio playback stream
// (pulse.c): libpulse's own thread answers the server's requests from the
// ring, as the ALSA thread writes it to ALSA, and Go touches the ring with
// atomic loads and stores only.
//
// Why a third output: a control must be heard at once, not after the
// device's buffer, and only the sound server can take back what it holds.
// ALSA's PulseAudio plugin cannot (snd_pcm_rewind moves only its own
// pointer, snd_pcm_drop flushes the stream unfaded); a PulseAudio stream
// can be written again in place (PA_SEEK_ABSOLUTE), and the server plays
// the new frames from there, seamlessly, the sink rewound. Recorded at a
// null sink's monitor, a rewrite 10 ms past the frame heard was heard from
// exactly that frame. PipeWire's pipewire-pulse speaks the same protocol.
type pulseOut struct{ *out }

func init() { backends[Pulse] = backend{open: openPulse, hush: func() func() { return func() {} }} }

// openPulse connects to the user's sound server and opens a playback
// stream, corked, that the server keeps pulseQueue buffers of bufferFrames
// ahead and asks to refill every half buffer.
//
// Why more than one buffer: a stream underruns when its refill comes later
// than what the server holds lasts, and the suite saw it underrun now and
// then on a busy machine when it held one buffer (100 ms, refilled at 50
// ms left). The size of the queue costs no control latency here, as a
// control rewrites it (recall); it costs Lost: what a dead server takes
// with it.
func openPulse(rate, bufferFrames, ringFrames int) (drain, error) {
	var c *C.cued_out
	var where *C.char
	ms := C.int((OpenTimeout - 250*time.Millisecond).Milliseconds())
	queue := Options{Output: Pulse}.heldBuffers() * bufferFrames
	lead := C.uint64_t(recallLead.Seconds() * float64(rate))
	if e := C.cued_pulse_open(&c, C.uint(rate), C.ulong(queue), C.ulong(bufferFrames/2), lead, C.uint64_t(ringFrames), ms, &where); e != 0 {
		err := fmt.Errorf("PulseAudio: %s: %s", C.GoString(where), C.GoString(C.pa_strerror(e)))
		if e == C.PA_ERR_CONNECTIONREFUSED || e == C.PA_ERR_INVALIDSERVER {
			err = fmt.Errorf("%w (%w)", errNoServer, err)
		}
		return nil, err
	}
	o := &pulseOut{wrap(c, false)}
	o.setIdle(idleStop)
	return o, nil
}

// start uncorks the stream.
func (o *pulseOut) start() error {
	if e := C.cued_pulse_start(o.c); e < 0 {
		return fmt.Errorf("PulseAudio: starting the stream: %s", C.GoString(C.pa_strerror(-e)))
	}
	return nil
}

// recall takes back what the server holds unheard from recallLead past
// the frame heard, down to floor, and returns the index Go writes from next.
func (o *pulseOut) recall(floor uint64) uint64 {
	return uint64(C.cued_pulse_recall(o.c, C.uint64_t(floor)))
}

// recallLead is how far past the frame heard a rewrite of the server's
// queue lands (a recall, or the silence dropped when frames come): the
// time Go takes to mix and publish the first frames after it, and the
// error of the server's estimate of the frame heard, with room to spare.
// A rewrite that comes late is heard from where it lands, its first
// frames lost: at 10 ms one resume in a clean-clone suite run lost 166
// samples (3.8 ms) of its fade-in.
const recallLead = 20 * time.Millisecond

// err is the PulseAudio error that stopped the stream, if any.
func (o *pulseOut) err() error {
	if e := C.cued_pulse_error(o.c); e != 0 {
		return fmt.Errorf("PulseAudio: %s", C.GoString(C.pa_strerror(e)))
	}
	return nil
}

// close disconnects the stream and frees everything.
func (o *pulseOut) close() bool {
	C.cued_pulse_close(o.c)
	return true
}
