package playback

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// device is the process's one output.
var device struct {
	mu      sync.Mutex
	opened  bool
	running bool
	rate    int
	e       *engine
	err     error
}

// backend is one kind of output, as this build has it.
type backend struct {
	// open opens a drain at rate with about bufferFrames of device
	// buffer and a ring of ringFrames beyond it; it is not started.
	open func(rate, bufferFrames, ringFrames int) (drain, error)
	// hush silences what the output's libraries print on stderr while it
	// opens, and returns what undoes it.
	hush func() (restore func())
}

// backends are the outputs of this build, registered by their files.
var backends = map[Output]backend{}

// open opens the device at rate as o says, the first time; later calls
// return the first outcome.
func open(rate int, o Options) (*engine, error) {
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
	kind := o.kind()
	b, ok := backends[kind]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoDevice, unavailable(kind))
	}
	if o.Output == "" && kind == Pulse {
		b = serverOrALSA(b)
	}
	bufferMS := min(max(o.BufferMS, 10), 2000)
	device.opened, device.rate = true, rate
	buffer := rate * bufferMS / 1000
	ring := int(lookahead.Seconds() * float64(rate))

	restore := b.hush()
	d, err := openWithin(b, rate, buffer, ring, OpenTimeout)
	if err == nil && d.shape().rate != rate {
		got := d.shape().rate
		d.close()
		err = fmt.Errorf("the sound device plays at %d Hz, not %d Hz (set audio.rate to %d)", got, rate, got)
	}
	restore()
	if err != nil {
		device.err = fmt.Errorf("%w: %s; %s", ErrNoDevice, err, renderHint)
		return nil, device.err
	}
	device.e = newEngine(d)
	return device.e, nil
}

// serverOrALSA is the default output on Linux: the sound server's stream
// (pulse), or ALSA when no server answers at all (not one that failed or
// did not answer in time: ALSA would reach the same server).
func serverOrALSA(pulse backend) backend {
	alsa, ok := backends[ALSA]
	if !ok {
		return pulse
	}
	return backend{
		open: func(rate, buffer, ring int) (drain, error) {
			d, err := pulse.open(rate, buffer, ring)
			if errors.Is(err, errNoServer) {
				return alsa.open(rate, buffer, ring)
			}
			return d, err
		},
		hush: alsa.hush,
	}
}

// openWithin opens b's drain, giving up after timeout, so that a wedged
// sound server cannot hang the caller; a drain that opens after that is
// closed again, not left open unused.
func openWithin(b backend, rate, buffer, ring int, timeout time.Duration) (drain, error) {
	type result struct {
		o   drain
		err error
	}
	opened := make(chan result, 1)
	// gaveUp (under late) is set when the wait times out.
	var late sync.Mutex
	gaveUp := false
	go func() {
		var res result
		res.o, res.err = b.open(rate, buffer, ring)
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
	select {
	case res := <-opened:
		return res.o, res.err
	case <-time.After(timeout):
		late.Lock()
		defer late.Unlock()
		gaveUp = true
		select {
		case r := <-opened: // it came just now: too late all the same
			if r.o != nil {
				r.o.close()
			}
		default:
		}
		return nil, fmt.Errorf("the sound device did not open within %v", timeout)
	}
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

// DeviceErr returns the error of the process's device: the open's, or the
// one that stopped it since (nil before the first Start and while it
// works). A process that keeps the device open between sessions (the
// daemon's sink child) checks it while nothing plays.
func DeviceErr() error {
	device.mu.Lock()
	err, e := device.err, device.e
	device.mu.Unlock()
	if err != nil || e == nil {
		return err
	}
	if oerr := e.o.err(); oerr != nil {
		return fail(oerr)
	}
	return nil
}

// Open opens the process's device at rate as o says and starts it with
// nothing to play (silence, then stopped after idleStop), the first time;
// later calls return the first outcome, as Start does. A process that
// plays many sessions on one device (the daemon's sink child) opens it so,
// to say at once whether there is one.
func Open(rate int, o Options) error {
	e, err := open(rate, o)
	if err != nil {
		return err
	}
	return run(e)
}
