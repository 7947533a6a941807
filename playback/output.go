package playback

import (
	"fmt"
	"runtime"
	"sort"
	"time"
)

// Output names a kind of sound output.
type Output string

// The outputs. Which a build has depends on its platform and on cgo
// (Outputs).
const (
	// ALSA is cued's own writer thread on ALSA (Linux, with cgo): about a
	// sixth of beep's speaker's CPU while playing (0.50 % of a core
	// against 3.10 %, bench/playcpu.sh).
	ALSA Output = "alsa"
	// Beep is beep's speaker (github.com/gopxl/beep/v2/speaker, on oto):
	// CoreAudio on macOS, WASAPI on Windows, ALSA on Linux (with cgo).
	Beep Output = "beep"
	// Pulse is a stream of the user's sound server, PulseAudio or
	// PipeWire (pipewire-pulse), through libpulse (Linux, with cgo): the
	// ring drained as by the ALSA thread, and controls heard at once, since
	// the server's queue can be written again (see pulseOut).
	Pulse Output = "pulse"
)

// Options configure the process's sound device. The device is opened once
// per process: only the first Start's Options count.
type Options struct {
	// Output is the output to open; "" is DefaultOutput().
	Output Output
	// BufferMS sizes the device's buffer in milliseconds (10 to 2000,
	// config audio.buffer_ms), and so the latency of Pause, Seek and
	// Stop.
	BufferMS int
}

// Held is about how long the output o names holds the sound the engine
// hands it before it is heard: ALSA its buffer; beep's speaker two, its
// player's and its driver's halves of one, then the driver's device as
// much again; pulse three, its server's queue (openPulse says why), which
// a control takes back, so that it is not heard after them. Latency
// reports the same for an open Player.
func (o Options) Held() time.Duration {
	return time.Duration(o.heldBuffers()*o.BufferMS) * time.Millisecond
}

// Lost is how far past what was heard the player's Position may be when
// its device dies under it: what the output holds (Held) and the sound
// server's own buffer as much again (with ALSA, the position reported was
// 92 ms ahead of the last sample heard at a 100 ms buffer); with beep's
// speaker also what its driver goes on taking from the ring after the
// server died (seen: up to 0.6 s), so 1 s more. A session that goes on
// after a fault steps back this much: some is heard twice, none lost.
func (o Options) Lost() time.Duration {
	lost := o.Held() + time.Duration(o.BufferMS)*time.Millisecond
	if o.kind() == Beep {
		lost += time.Second
	}
	return lost
}

// heldBuffers is Held in device buffers.
func (o Options) heldBuffers() int {
	switch o.kind() {
	case Beep:
		return 2
	case Pulse:
		return pulseQueue
	}
	return 1
}

// kind is the output o opens.
func (o Options) kind() Output {
	if o.Output == "" {
		return DefaultOutput()
	}
	return o.Output
}

// pulseQueue is how many buffers the pulse output's server holds.
const pulseQueue = 3

// Outputs returns the outputs this build can open, the default first.
func Outputs() []Output {
	var out []Output
	for k := range backends {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		d := DefaultOutput()
		return out[i] == d || out[j] != d && out[i] < out[j]
	})
	return out
}

// DefaultOutput is Pulse where the build has it (Linux with cgo), else
// Beep. Pulse is the default on Linux because a control is heard at once
// through it (a pause 44-54 ms after the request against ALSA's 110-129
// ms, docs/outputs.md); when no sound server answers at all, the
// default opens ALSA instead (a bare ALSA machine).
func DefaultOutput() Output {
	if _, ok := backends[Pulse]; ok {
		return Pulse
	}
	return Beep
}

// ParseOutput checks the name of an output: "pulse", "alsa" or "beep", any
// of which this build may lack (then Start says why).
func ParseOutput(s string) (Output, error) {
	switch o := Output(s); o {
	case Pulse, ALSA, Beep:
		return o, nil
	}
	return "", fmt.Errorf("output %q is not an output (pulse, alsa or beep)", s)
}

// unavailable says why this build cannot open kind.
func unavailable(kind Output) string {
	switch {
	case (kind == ALSA || kind == Pulse) && runtime.GOOS != "linux":
		return fmt.Sprintf("the %s output is Linux only (this is %s: use the beep output); %s", kind, runtime.GOOS, renderHint)
	case len(backends) == 0:
		return "this cued was built without cgo, which sound on Linux needs (build it with CGO_ENABLED=1, libasound2-dev and libpulse-dev); " + renderHint
	}
	return fmt.Sprintf("output %q is not in this build (it has: %v); %s", kind, Outputs(), renderHint)
}
