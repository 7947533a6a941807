//go:build !linux || !cgo

package playback

import (
	"context"
	"fmt"
	"time"

	"github.com/gopxl/beep/v2"
)

// Player is a session playing through the device. Only Linux (ALSA) has
// one; elsewhere Start fails with ErrNoDevice.
type Player struct{}

var errPlatform = fmt.Errorf("%w: cued plays through ALSA, on Linux only; %s", ErrNoDevice, renderHint)

// Start fails: there is no device on this platform.
func Start(beep.StreamSeeker, beep.Format, int) (*Player, error) { return nil, errPlatform }

// StartLive fails: there is no device on this platform.
func StartLive(beep.StreamSeeker, beep.Format, int) (*Player, error) { return nil, errPlatform }

// Play fails: there is no device on this platform.
func Play(context.Context, beep.StreamSeeker, beep.Format, int, func(int)) error { return errPlatform }

// Pause does nothing.
func (*Player) Pause() {}

// Resume does nothing.
func (*Player) Resume() {}

// Paused is false.
func (*Player) Paused() bool { return false }

// Seek fails with ErrFinished.
func (*Player) Seek(int) error { return ErrFinished }

// Position is 0.
func (*Player) Position() int { return 0 }

// Latency is 0.
func (*Player) Latency() time.Duration { return 0 }

// Stop does nothing.
func (*Player) Stop() {}

// Done is closed.
func (*Player) Done() <-chan struct{} { c := make(chan struct{}); close(c); return c }

// Wait fails: there is no device on this platform.
func (*Player) Wait(context.Context, func(int)) error { return errPlatform }
