package playback

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gopxl/beep/v2"
	"github.com/gopxl/beep/v2/speaker"
)

// ErrNoDevice is wrapped by every error that means there is no working
// sound output: no device or sound server, a device that failed to open or
// failed while playing. Test for it with errors.Is; the error's text is one
// line a user can act on.
var ErrNoDevice = errors.New("no audio output")

// OpenTimeout is how long opening the device may take before Start gives
// up with ErrNoDevice.
const OpenTimeout = 2 * time.Second

// resumeWait is how long open waits for speaker.Resume's answer after
// Init; see open.
const resumeWait = 250 * time.Millisecond

// renderHint ends every ErrNoDevice message: the way to a session without a
// device.
const renderHint = "`cued render` writes the session to a file without a device"

// device is the process's one speaker.
var device struct {
	mu     sync.Mutex
	opened bool
	rate   int
	buffer time.Duration
	err    error
}

// open initialises the speaker at rate with a buffer of bufferMS, the first
// time; later calls return the first outcome.
func open(rate, bufferMS int) error {
	device.mu.Lock()
	defer device.mu.Unlock()
	if device.opened {
		if device.err == nil && rate != device.rate {
			return fmt.Errorf("playback: the speaker runs at %d Hz for this process; cannot play at %d Hz", device.rate, rate)
		}
		return device.err
	}
	if rate <= 0 {
		return fmt.Errorf("playback: sample rate %d", rate)
	}
	bufferMS = min(max(bufferMS, 10), 2000)
	device.opened, device.rate = true, rate
	device.buffer = time.Duration(bufferMS) * time.Millisecond

	quietALSA()
	saved := muteStderr()
	inited := make(chan error, 1)
	go func() { inited <- speaker.Init(beep.SampleRate(rate), rate*bufferMS/1000) }()
	var err error
	select {
	case err = <-inited:
	case <-time.After(OpenTimeout):
		err = fmt.Errorf("the sound device did not open within %v", OpenTimeout)
	}
	if err == nil {
		// Init returns nil even when ALSA opened nothing: oto keeps the
		// failure and Resume returns it, at once, since no driver thread
		// runs. Once a device is open, the driver thread holds the lock
		// Resume needs while it writes a period, which can take a second
		// while the sound server starts the stream: a Resume that does not
		// answer soon means the device is open and taking samples.
		resumed := make(chan error, 1)
		go func() { resumed <- speaker.Resume() }()
		select {
		case err = <-resumed:
		case <-time.After(resumeWait):
		}
	}
	restoreStderr(saved)
	if err != nil {
		device.err = fmt.Errorf("%w: %s; %s", ErrNoDevice, describe(err), renderHint)
	}
	return device.err
}

// fail records that the open device failed while playing, so that later
// Starts fail at once, and returns the error to report.
func fail(err error) error {
	device.mu.Lock()
	defer device.mu.Unlock()
	if device.err == nil {
		device.err = fmt.Errorf("%w: the sound device failed: %s; %s", ErrNoDevice, describe(err), renderHint)
	}
	return device.err
}

// check asks the speaker whether the device failed since it opened
// (speaker.Resume returns the driver's error; playback is never suspended,
// so it changes nothing else). The driver holds the lock Resume needs while
// it writes a period, and forever if the device wedges, so the answer is
// awaited at most timeout.
func check(timeout time.Duration) error {
	res := make(chan error, 1)
	go func() { res <- speaker.Resume() }()
	select {
	case err := <-res:
		if err != nil {
			return fail(err)
		}
		return nil
	case <-time.After(timeout):
		return fail(fmt.Errorf("the sound device stopped taking samples for %v", timeout))
	}
}

// describe turns oto's errors into a short phrase. Its snd_pcm_open error
// lists every device it tried ("default": No such file or directory,
// "plug:default": ..., a dozen of them); the first and the pulse one say
// it all.
func describe(err error) string {
	msg := err.Error()
	for _, p := range []string{"failed to resume the speaker: ", "failed to initialize speaker: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	const open = "oto: ALSA error at snd_pcm_open: "
	i := strings.Index(msg, open)
	if i < 0 {
		return msg
	}
	devs := strings.Split(msg[i+len(open):], `, "`)
	var keep []string
	for j, d := range devs {
		d = `"` + strings.TrimPrefix(d, `"`)
		if j == 0 || strings.HasPrefix(d, `"pulse"`) {
			keep = append(keep, d)
		}
	}
	s := "ALSA could not open a playback device (" + strings.Join(keep, "; ")
	if more := len(devs) - len(keep); more > 0 {
		s += fmt.Sprintf("; %d more failed", more)
	}
	return s + ")"
}
