//go:build linux && cgo

package playback

/*
#cgo pkg-config: alsa
#cgo LDFLAGS: -lpthread
#include <stdlib.h>
#include "out.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cued-dev/cued/pcm"
)

// out is the open device: ALSA's PCM, written by a C thread from a ring of
// 16-bit frames that Go fills (out.c).
//
// Why a C thread: a Go goroutine that waits on the device inside a cgo
// call (as oto, beep's speaker driver, does) hands its P to the runtime on
// every period, and every return wakes the runtime's monitor thread into
// 20 µs polling. Measured on a 2-core machine playing to a PulseAudio null
// sink with a 100 ms buffer: beep's speaker used 3.8 % of a core, oto
// patched to never block in cgo 2.2 %, a Go loop of non-blocking ALSA
// writes 1.1 %, and aplay 0.26 %. The C thread waits the way aplay does;
// Go touches the ring with plain atomic loads and stores, no cgo call, a
// few times a second.
type out struct {
	c    *C.cued_out
	ring []int16 // cap interleaved stereo frames, in C memory
	geometry
	fake bool
}

// shape is the shape of the ring and of ALSA's buffer.
func (o *out) shape() geometry { return o.geometry }

// openOut opens ALSA device name with a buffer of about bufferFrames and a
// ring of ringFrames beyond it. The thread is not started (see start).
func openOut(name string, rate, bufferFrames, ringFrames int) (*out, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var c *C.cued_out
	var where *C.char
	if e := C.cued_out_open(&c, cname, C.uint(rate), C.ulong(bufferFrames), C.uint64_t(ringFrames), &where); e < 0 {
		return nil, &alsaError{device: name, call: C.GoString(where), msg: C.GoString(C.snd_strerror(e))}
	}
	return wrap(c, false), nil
}

// fakeOut is an out with no device and no thread: tests play its part
// with take.
func fakeOut(rate, bufferFrames, ringFrames int) *out {
	return wrap(C.cued_out_fake(C.uint(rate), C.ulong(bufferFrames), C.uint64_t(ringFrames)), true)
}

func wrap(c *C.cued_out, fake bool) *out {
	return &out{
		c:    c,
		ring: unsafe.Slice((*int16)(unsafe.Pointer(c.ring)), 2*int(c.cap)),
		geometry: geometry{cap: uint64(c.cap), rate: int(c.rate),
			period: int(c.period), buffer: int(c.buffer)},
		fake: fake,
	}
}

func init() { backends[ALSA] = backend{open: openALSA, hush: hushALSA} }

// candidates are the ALSA devices tried in turn: the user's default (on a
// desktop, PulseAudio or PipeWire through ALSA's plugin), then the pulse
// plugin by name, whose error says whether a sound server answered.
var candidates = []string{"default", "pulse"}

// openALSA opens the first of the candidates that works.
func openALSA(rate, bufferFrames, ringFrames int) (drain, error) {
	var errs []string
	for _, name := range candidates {
		o, err := openOut(name, rate, bufferFrames, ringFrames)
		if err == nil {
			o.setIdle(idleStop)
			return o, nil
		}
		errs = append(errs, err.Error())
	}
	return nil, errors.New("ALSA could not open a playback device (" + strings.Join(errs, "; ") + ")")
}

// hushALSA silences ALSA's error printer for good and stderr until the
// function it returns is called (see alsa.go).
func hushALSA() func() {
	quietALSA()
	saved := muteStderr()
	return func() { restoreStderr(saved) }
}

// alsaError is a failed ALSA call while opening a device.
type alsaError struct{ device, call, msg string }

func (e *alsaError) Error() string {
	if e.call == "snd_pcm_open" {
		return fmt.Sprintf("%q: %s", e.device, e.msg)
	}
	return fmt.Sprintf("%q: %s: %s", e.device, e.call, e.msg)
}

// start starts the writer thread.
func (o *out) start() error {
	if e := C.cued_out_start(o.c); e < 0 {
		return fmt.Errorf("starting the audio thread: %w", errors.New(C.GoString(C.strerror(-e))))
	}
	return nil
}

// written is the index after the last frame Go published.
func (o *out) written() uint64 { return atomic.LoadUint64((*uint64)(unsafe.Pointer(&o.c.w))) }

// claimed is the index after the last frame the thread took: frames
// before it can no longer be cut.
func (o *out) claimed() uint64 { return atomic.LoadUint64((*uint64)(unsafe.Pointer(&o.c.r))) }

// handed is the index after the last frame ALSA has taken.
func (o *out) handed() uint64 { return atomic.LoadUint64((*uint64)(unsafe.Pointer(&o.c.done))) }

// asleep reports whether the thread has stopped the device for want of
// frames (see cued_out_start).
func (o *out) asleep() bool { return atomic.LoadInt32((*int32)(unsafe.Pointer(&o.c.asleep))) != 0 }

// setIdle sets how long the ring may stay empty before the thread stops
// the device (0: never). Call before start.
func (o *out) setIdle(d time.Duration) { o.c.idle = C.uint64_t(d.Seconds() * float64(o.rate)) }

// silent counts the frames of silence written: 20 ms at the start, and
// whenever the ring was empty.
func (o *out) silent() uint64 { return atomic.LoadUint64((*uint64)(unsafe.Pointer(&o.c.silent))) }

// publish hands the frames before w to the thread, waking it if it dozes
// or writes silence for want of frames (a cgo call then only: the first
// frames after a start, a resume or a doze are not kept waiting for a
// period of room behind the silence; see restart in out.c).
func (o *out) publish(w uint64) {
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&o.c.w)), w)
	if (o.asleep() || o.hungry()) && w != o.claimed() {
		C.cued_out_wake(o.c)
	}
}

// hungry reports whether the thread writes silence for want of frames.
func (o *out) hungry() bool { return atomic.LoadInt32((*int32)(unsafe.Pointer(&o.c.hungry))) != 0 }

// restarts counts the times the thread dropped queued silence for frames
// that came (see restart in out.c).
func (o *out) restarts() uint64 { return atomic.LoadUint64((*uint64)(unsafe.Pointer(&o.c.restarts))) }

// cut takes back every published frame the thread has not claimed, and
// returns the index Go writes from next.
func (o *out) cut() uint64 { return uint64(C.cued_out_cut(o.c)) }

// recall is cut: what ALSA holds cannot be taken back (see pulseOut).
func (o *out) recall(uint64) uint64 { return o.cut() }

// err is the error that stopped the thread, if any.
func (o *out) err() error {
	e := atomic.LoadInt32((*int32)(unsafe.Pointer(&o.c.err)))
	if e == 0 {
		return nil
	}
	return fmt.Errorf("ALSA: %s", C.GoString(C.snd_strerror(C.int(e))))
}

// put writes frames at ring index at (which must be free: at most cap
// frames past handed) as 16-bit samples, converted exactly as
// audio.Render converts them, so that what plays is the render's samples.
func (o *out) put(at uint64, frames [][2]float64) {
	i := int(at % o.cap)
	for _, f := range frames {
		o.ring[2*i] = pcm.S16(f[0])
		o.ring[2*i+1] = pcm.S16(f[1])
		if i++; i == int(o.cap) {
			i = 0
		}
	}
}

// take plays the thread's part for tests: it claims up to len(dst)/2
// frames, copies them to dst and counts them handed.
func (o *out) take(dst []int16) int {
	if len(dst) < 2 {
		return 0
	}
	return int(C.cued_out_take(o.c, C.uint64_t(len(dst)/2), (*C.int16_t)(unsafe.Pointer(&dst[0]))))
}

// close stops the thread and frees the device; it reports false if the
// thread did not stop (then nothing is freed).
func (o *out) close() bool { return C.cued_out_close(o.c) == 0 }
