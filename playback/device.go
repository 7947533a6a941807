//go:build linux && cgo

package playback

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// candidates are the ALSA devices tried in turn: the user's default (on a
// desktop, PulseAudio or PipeWire through ALSA's plugin), then the pulse
// plugin by name, whose error says whether a sound server answered.
var candidates = []string{"default", "pulse"}

// device is the process's one output.
var device struct {
	mu      sync.Mutex
	opened  bool
	running bool
	rate    int
	e       *engine
	err     error
}

// open opens the device at rate with a buffer of bufferMS, the first time;
// later calls return the first outcome.
func open(rate, bufferMS int) (*engine, error) {
	device.mu.Lock()
	defer device.mu.Unlock()
	if device.opened {
		if device.err == nil && rate != device.rate {
			return nil, fmt.Errorf("playback: the device runs at %d Hz for this process; cannot play at %d Hz", device.rate, rate)
		}
		return device.e, device.err
	}
	if rate <= 0 {
		return nil, fmt.Errorf("playback: sample rate %d", rate)
	}
	bufferMS = min(max(bufferMS, 10), 2000)
	device.opened, device.rate = true, rate
	buffer := rate * bufferMS / 1000
	ring := int(lookahead.Seconds() * float64(rate))

	quietALSA()
	saved := muteStderr()
	type result struct {
		o   *out
		err error
	}
	opened := make(chan result, 1)
	// gaveUp (under late) is set when the wait times out: a device that
	// opens after that is closed again, not left open unused.
	var late sync.Mutex
	gaveUp := false
	go func() {
		var res result
		var errs []string
		for _, name := range candidates {
			o, err := openOut(name, rate, buffer, ring)
			if err == nil {
				res.o = o
				break
			}
			errs = append(errs, err.Error())
		}
		if res.o == nil {
			res.err = errors.New("ALSA could not open a playback device (" + strings.Join(errs, "; ") + ")")
		}
		late.Lock()
		defer late.Unlock()
		if gaveUp {
			if res.o != nil {
				res.o.close()
			}
			return
		}
		opened <- res
	}()
	var res result
	select {
	case res = <-opened:
	case <-time.After(OpenTimeout):
		late.Lock()
		gaveUp = true
		select {
		case r := <-opened: // it came just now: too late all the same
			if r.o != nil {
				r.o.close()
			}
		default:
		}
		late.Unlock()
		res.err = fmt.Errorf("the sound device did not open within %v", OpenTimeout)
	}
	if res.err == nil && res.o.rate != rate {
		res.o.close()
		res.err = fmt.Errorf("the sound device plays at %d Hz, not %d Hz (set audio.rate to %d)", res.o.rate, rate, res.o.rate)
	}
	restoreStderr(saved)
	if res.err != nil {
		device.err = fmt.Errorf("%w: %s; %s", ErrNoDevice, res.err, renderHint)
		return nil, device.err
	}
	device.e = newEngine(res.o)
	return device.e, nil
}

// run starts the device's thread and the engine's loop, the first time.
func run(e *engine) error {
	device.mu.Lock()
	defer device.mu.Unlock()
	if device.running {
		return nil
	}
	if err := e.o.start(); err != nil {
		device.err = fmt.Errorf("%w: %s; %s", ErrNoDevice, err, renderHint)
		return device.err
	}
	device.running = true
	go e.loop()
	return nil
}

// fail records that the open device failed while playing, so that later
// Starts fail at once, and returns the error to report.
func fail(err error) error {
	device.mu.Lock()
	defer device.mu.Unlock()
	if device.err == nil {
		device.err = fmt.Errorf("%w: the sound device failed: %s; %s", ErrNoDevice, err, renderHint)
	}
	return device.err
}
