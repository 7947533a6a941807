package playback

import (
	"errors"
	"time"
)

// ErrNoDevice is wrapped by every error that means there is no working
// sound output: no device or sound server, a device that failed to open or
// failed while playing. Test for it with errors.Is; the error's text is one
// line a user can act on.
var ErrNoDevice = errors.New("no audio output")

// ErrFinished is returned by Seek once the session has played to its end or
// was stopped.
var ErrFinished = errors.New("playback: the session has finished")

// ErrPosition is returned by Seek for a position outside the session.
var ErrPosition = errors.New("playback: position outside the session")

// OpenTimeout is how long opening the device may take before Start gives
// up with ErrNoDevice.
const OpenTimeout = 2 * time.Second

// renderHint ends every ErrNoDevice message: the way to a session without a
// device.
const renderHint = "`cued render` writes the session to a file without a device"

// errNoServer is wrapped by the pulse output's error when no sound server
// answered at all (nothing listens), as opposed to one that failed.
var errNoServer = errors.New("no sound server")
