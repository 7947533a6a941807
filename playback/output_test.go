package playback

import (
	"testing"
	"time"
)

// TestHeld: what each output holds, the one rule the speaker's geometry
// and the daemon's rewind after a fault both use.
func TestHeld(t *testing.T) {
	for _, tt := range []struct {
		o    Options
		want time.Duration
	}{
		{Options{Output: ALSA, BufferMS: 100}, 100 * time.Millisecond},
		{Options{Output: Beep, BufferMS: 100}, 200 * time.Millisecond},
		{Options{Output: Beep, BufferMS: 40}, 80 * time.Millisecond},
	} {
		t.Run(string(tt.o.Output), func(t *testing.T) {
			if got := tt.o.Held(); got != tt.want {
				t.Errorf("%+v: Held %v, want %v", tt.o, got, tt.want)
			}
		})
	}
}
