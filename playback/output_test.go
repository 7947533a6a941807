package playback

import (
	"fmt"
	"testing"
	"time"
)

// TestHeld: what each output holds, the one rule the speaker's geometry
// and the daemon's rewind after a fault (Lost) both use.
func TestHeld(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		o          Options
		held, lost time.Duration
	}{
		{Options{Output: ALSA, BufferMS: 100}, 100 * ms, 200 * ms},
		{Options{Output: Beep, BufferMS: 100}, 200 * ms, 1300 * ms},
		{Options{Output: Beep, BufferMS: 40}, 80 * ms, 1120 * ms},
		{Options{Output: Pulse, BufferMS: 100}, 300 * ms, 400 * ms},
	} {
		t.Run(fmt.Sprintf("%s %d", tt.o.Output, tt.o.BufferMS), func(t *testing.T) {
			if got := tt.o.Held(); got != tt.held {
				t.Errorf("%+v: Held %v, want %v", tt.o, got, tt.held)
			}
			if got := tt.o.Lost(); got != tt.lost {
				t.Errorf("%+v: Lost %v, want %v", tt.o, got, tt.lost)
			}
		})
	}
}
