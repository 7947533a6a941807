package daemon

import (
	"errors"
	"testing"

	"github.com/cued-dev/cued/daemon/sink"
)

// TestNoDeviceMessage: an output error reads as the output's own message
// when that says there is no audio output (sink.ErrNoOutput), else with
// "no audio device: " before it; either way it matches ErrNoDevice and
// the error it wraps.
func TestNoDeviceMessage(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"plain", boom, "no audio device: boom"},
		{"says it", said("no audio output: ALSA could not open a playback device"), "no audio output: ALSA could not open a playback device"},
		{"no audio in other words", errors.New("no audio here"), "no audio device: no audio here"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := error(noDevice{c.err})
			if err.Error() != c.want {
				t.Errorf("Error() = %q, want %q", err.Error(), c.want)
			}
			if !errors.Is(err, ErrNoDevice) || !errors.Is(err, c.err) {
				t.Errorf("%v does not match ErrNoDevice and its cause", err)
			}
		})
	}
	if errors.Is(noDevice{boom}, sink.ErrNoOutput) {
		t.Error("a plain error matches sink.ErrNoOutput")
	}
}
