//go:build darwin || windows || (linux && cgo)

package playback

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestSpeakerDrain drives the drain as beep's speaker would, without a
// device: 20 ms of silence first, then the published frames in order,
// silence when none are published, a cut that takes back what the speaker
// has not pulled, and frames clamped as the 16-bit conversion clamps them.
func TestSpeakerDrain(t *testing.T) {
	d := newSpeakerDrain(geometry{rate: 1000, period: 50, buffer: 100, cap: 400})
	frames := make([][2]float64, 300)
	for i := range frames {
		v := float64(i+1) / 1000
		frames[i] = [2]float64{v, -v}
	}
	frames[0] = [2]float64{1.5, -2} // clamped
	d.put(0, frames)
	d.publish(300)
	buf := make([][2]float64, 30)
	pull := func() [][2]float64 {
		n, ok := d.Stream(buf)
		if n != len(buf) || !ok {
			t.Fatalf("Stream gave %d, %v: it must fill every pull and never end", n, ok)
		}
		return append([][2]float64(nil), buf...)
	}
	tests := []struct {
		name       string
		do         func()
		want0      [2]float64 // the pull's first frame
		wantLast   [2]float64
		claimed    uint64
		silentSeen uint64
	}{
		{"the lead-in: 20 frames of silence, then the first frames", nil, [2]float64{}, frames[9], 10, 20},
		{"in order", nil, frames[10], frames[39], 40, 20},
		{"a cut takes back the rest", func() {
			if r := d.cut(); r != 40 {
				t.Fatalf("cut at %d, want 40", r)
			}
		}, [2]float64{}, [2]float64{}, 40, 50},
		{"refilled after the cut", func() {
			d.put(40, frames[100:110])
			d.publish(50)
		}, frames[100], [2]float64{}, 50, 70},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.do != nil {
				tt.do()
			}
			got := pull()
			if got[0] != tt.want0 || got[len(got)-1] != tt.wantLast {
				t.Errorf("pulled %v ... %v; want %v ... %v", got[0], got[len(got)-1], tt.want0, tt.wantLast)
			}
			if d.claimed() != tt.claimed || d.handed() != tt.claimed || d.silent() != tt.silentSeen {
				t.Errorf("claimed %d handed %d silent %d; want %d, %d", d.claimed(), d.handed(), d.silent(), tt.claimed, tt.silentSeen)
			}
		})
	}
	if d.ring[0] != [2]float64{1, -1} {
		t.Errorf("frame 0 kept as %v; want clamped to [1 -1]", d.ring[0])
	}
	if allocs := testing.AllocsPerRun(100, func() { d.Stream(buf) }); allocs != 0 {
		t.Errorf("Stream allocates %v times per pull", allocs)
	}
}

// TestSpeakerIdle: an idle speaker is suspended, and frames published
// while it is (or while it is being) suspended resume it; only the watch
// calls into the speaker, and asleep is true only while it is suspended.
func TestSpeakerIdle(t *testing.T) {
	d := newSpeakerDrain(geometry{rate: 1000, period: 50, buffer: 100, cap: 400})
	d.every, d.idleAfter = 5*time.Millisecond, 20*time.Millisecond
	var suspends, resumes atomic.Int32
	var publishDuringSuspend atomic.Bool
	d.suspend = func() error {
		suspends.Add(1)
		if publishDuringSuspend.Swap(false) {
			d.put(d.written(), make([][2]float64, 10))
			d.publish(d.written() + 10) // as the engine would, racing the suspend
		}
		return nil
	}
	d.resume = func() error { resumes.Add(1); return nil }
	buf := make([][2]float64, 30)
	d.Stream(buf) // the lead-in, then nothing: idle from now
	d.start()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s (suspends %d, resumes %d, asleep %v)", what, suspends.Load(), resumes.Load(), d.asleep())
			}
		}
	}
	waitFor("a suspend", func() bool { return d.asleep() && suspends.Load() == 1 })
	d.put(0, make([][2]float64, 10))
	d.publish(d.written() + 10)
	waitFor("the resume", func() bool { return !d.asleep() && resumes.Load() == 1 })
	d.Stream(buf) // the frames play; then idle again
	d.Stream(buf)
	publishDuringSuspend.Store(true)
	waitFor("the resume of frames published during the suspend", func() bool { return suspends.Load() == 2 && resumes.Load() == 2 && !d.asleep() })
	if d.err() != nil {
		t.Errorf("err %v", d.err())
	}
}

// TestSpeakerWaitsForTheRefill: a pull that comes between a cut and the
// engine's first publish after it waits for those frames instead of
// giving silence in their place (which would be heard as a gap and make
// the rest of the session late); with no publish it gives silence after
// refillWait.
func TestSpeakerWaitsForTheRefill(t *testing.T) {
	d := newSpeakerDrain(geometry{rate: 1000, period: 50, buffer: 100, cap: 400})
	d.lead = 0
	frames := make([][2]float64, 100)
	for i := range frames {
		frames[i] = [2]float64{float64(i+1) / 1000, 0}
	}
	buf := make([][2]float64, 10)
	for _, tt := range []struct {
		name  string
		start bool          // a session starting (no cut): its first chunk is published before the pull
		after time.Duration // the refill's publish after the cut; < 0: none
		// first is the length of a first, short chunk published after
		// before the rest (0: one chunk), as the engine does.
		first  int
		silent uint64 // frames of silence the pull gave
	}{
		{name: "refill 5 ms after the cut", after: 5 * time.Millisecond},
		{name: "refill in two chunks, the second 3 ms after the first", after: 3 * time.Millisecond, first: 4},
		{name: "no refill", after: -1, silent: 10},
		{name: "a session's first chunk published, the rest 3 ms later", start: true, after: 3 * time.Millisecond, first: 4},
		{name: "a session's last frames, fewer than a pull", start: true, after: -1, first: 4, silent: 6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := d.cut()
			if tt.start {
				d.put(r, frames[:tt.first])
				d.publish(r + uint64(tt.first))
			}
			before := d.silent()
			done := make(chan struct{})
			go func() {
				defer close(done)
				if tt.after < 0 {
					return
				}
				time.Sleep(tt.after)
				if tt.first > 0 && !tt.start {
					d.put(r, frames[:tt.first])
					d.publish(r + uint64(tt.first))
					time.Sleep(tt.after)
				}
				d.put(r, frames[:10])
				d.publish(r + 10)
			}()
			start := time.Now()
			d.Stream(buf)
			<-done
			if got := d.silent() - before; got != tt.silent {
				t.Errorf("the pull gave %d frames of silence, want %d", got, tt.silent)
			}
			if buf[0] != frames[0] && tt.silent < 10 {
				t.Errorf("the pull began with %v, want the session's frame %v", buf[0], frames[0])
			}
			if took := time.Since(start); took > refillWait+50*time.Millisecond {
				t.Errorf("the pull took %v, more than refillWait %v", took, refillWait)
			}
		})
	}
}
