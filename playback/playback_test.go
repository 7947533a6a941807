//go:build linux && cgo

package playback

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gopxl/beep/v2"

	"github.com/cued-dev/cued/pcm"
)

// ramp is a StreamSeeker whose sample i is i/len: what was streamed tells
// exactly where it came from.
type ramp struct{ n, pos int }

func (r *ramp) Stream(out [][2]float64) (int, bool) {
	if r.pos >= r.n {
		return 0, false
	}
	k := min(len(out), r.n-r.pos)
	for i := range k {
		v := float64(r.pos+i) / float64(r.n)
		out[i] = [2]float64{v, v}
	}
	r.pos += k
	return k, true
}
func (r *ramp) Err() error    { return nil }
func (r *ramp) Len() int      { return r.n }
func (r *ramp) Position() int { return r.pos }
func (r *ramp) Seek(p int) error {
	if p < 0 || p > r.n {
		return errors.New("out of range")
	}
	r.pos = p
	return nil
}

// rig is an engine on a fake device at 1000 Hz (a fade of 12 frames, a
// buffer of 100, a lookahead of 900: the ring less a buffer) that the
// test drains by hand.
type rig struct {
	t *testing.T
	e *engine
	p *Player
	r *ramp
}

func newRig(t *testing.T, n int) *rig {
	e := newEngine(fakeOut(1000, 100, 1000))
	r := &ramp{n: n}
	p := newPlayer(e, r)
	e.mu.Lock()
	p.begin()
	e.step()
	e.mu.Unlock()
	return &rig{t: t, e: e, p: p, r: r}
}

// play lets the device take k frames in periods of 50, the engine filling
// the ring after each as its loop would, and returns their left channel.
func (g *rig) play(k int) []float64 {
	var heard []float64
	buf := make([]int16, 100)
	for len(heard) < k {
		g.e.mu.Lock()
		g.e.step()
		g.e.mu.Unlock()
		n := g.e.o.(*out).take(buf[:2*min(50, k-len(heard))])
		for i := range n {
			heard = append(heard, float64(buf[2*i])/32767)
		}
		if n == 0 {
			break
		}
	}
	return heard
}

// at is the ramp's sample i as the ring holds it.
func (g *rig) at(i int) float64 { return q(float64(i) / float64(g.r.n)) }

// q is v as the ring holds it, in the units of play's result.
func q(v float64) float64 { return float64(pcm.S16(v)) / pcm.Max16 }

func (g *rig) done() bool {
	select {
	case <-g.p.Done():
		return true
	default:
		return false
	}
}

func TestPlaysEverySampleInOrder(t *testing.T) {
	g := newRig(t, 2345)
	if ahead, want := g.e.o.written()-g.e.o.claimed(), g.p.ahead; ahead != want || want < 500 {
		t.Fatalf("filled %d frames ahead before the device took any, want the lookahead %d", ahead, want)
	}
	got := g.play(3000)
	if len(got) != 2345 {
		t.Fatalf("the device took %d frames of a 2345-frame session", len(got))
	}
	for i, v := range got {
		if v != g.at(i) {
			t.Fatalf("frame %d = %g, want %g", i, v, g.at(i))
		}
	}
	if !g.done() {
		t.Fatal("Done not closed after the device took the last frame")
	}
}

func TestPauseIsHeardAfterTheDeviceNotTheLookahead(t *testing.T) {
	g := newRig(t, 5000)
	g.play(300)
	if w := g.e.o.written(); w <= 300+100 {
		t.Fatalf("ring filled to %d only", w)
	}
	g.p.Pause()
	if pos := g.p.Position(); pos != 300 {
		t.Fatalf("Position %d after pausing at 300", pos)
	}
	got := g.play(100)
	// The fade starts at the very next frame the device takes: sample
	// 300+k at gain 1-(k+1)/12, until the gain reaches 0.
	k := 0
	for ; k < len(got); k++ {
		want := q(float64(300+k) / 5000 * (1 - float64(k+1)/12))
		if math.Abs(got[k]-want) > 1e-6 {
			t.Fatalf("fade frame %d = %g, want %g", k, got[k], want)
		}
	}
	if k < 10 || k > 12 {
		t.Fatalf("the fade to pause took %d frames, want about 12", k)
	}
	if !g.p.Paused() || g.r.pos != 300+k || g.p.Position() != 300+k {
		t.Fatalf("paused %v, session at %d, Position %d; want both at %d (nothing lost)", g.p.Paused(), g.r.pos, g.p.Position(), 300+k)
	}
	if more := g.play(100); len(more) != 0 {
		t.Fatalf("the paused engine gave the device %d frames", len(more))
	}
	g.p.Resume()
	got = g.play(40)
	if math.Abs(got[0]-q(float64(300+k)/5000/12)) > 1e-6 || got[20] != g.at(300+k+20) {
		t.Fatalf("resume: first frame %g, 21st %g; want a fade in from sample %d", got[0], got[20], 300+k)
	}
}

func TestResumeInsideTheFadeGoesOnFromTheDevice(t *testing.T) {
	g := newRig(t, 5000)
	g.play(200)
	g.p.Pause()
	part := g.play(5) // the device has 5 frames of the fade
	g.p.Resume()
	got := append(part, g.play(30)...)
	// Gains: down 11/12 .. 7/12 over five frames, then back up from 7/12.
	for k, v := range got {
		gain := 1 - float64(k+1)/12
		if k >= 5 {
			gain = min(1, 7.0/12+float64(k-4)/12)
		}
		if want := q(float64(200+k) / 5000 * gain); math.Abs(v-want) > 1e-6 {
			t.Fatalf("frame %d = %g, want %g (gain %.3f)", k, v, want, gain)
		}
	}
	if g.p.Paused() {
		t.Fatal("still paused")
	}
}

// checkSeek checks what the device took after a seek from sample from to
// sample to: the fade-out of what followed from, down to silence, then the
// target fading in, then the target exactly; the fades' gains as the
// engine steps them (to 1 LSB: a cut recomputes a gain by multiplying).
func (g *rig) checkSeek(got []float64, from, to int) {
	g.t.Helper()
	step := 1 / (fadeTime.Seconds() * 1000)
	var want []float64
	for cur, i := 1.0, 0; ; i++ {
		if cur -= step; cur <= 0 {
			break
		}
		want = append(want, q(float64(from+i)/float64(g.r.n)*cur))
	}
	for cur, i := 0.0, 0; len(want) < len(got); i++ {
		cur = min(1, cur+step)
		want = append(want, q(float64(to+i)/float64(g.r.n)*cur))
	}
	for i, v := range got {
		if math.Abs(v-want[i]) > 1.5/32767 {
			g.t.Fatalf("frame %d after the seek from %d to %d = %g, want %g (got %v)", i, from, to, v, want[i], got[:i+1])
		}
	}
}

func TestSeekCutsTheLookahead(t *testing.T) {
	g := newRig(t, 5000)
	g.play(250)
	if err := g.p.Seek(4000); err != nil {
		t.Fatal(err)
	}
	if pos := g.p.Position(); pos != 4000 {
		t.Fatalf("Position %d after Seek(4000)", pos)
	}
	got := g.play(60)
	if len(got) != 60 {
		t.Fatalf("the device got %d frames after the seek", len(got))
	}
	g.checkSeek(got, 250, 4000)
	pos := g.p.Position()
	if err := g.p.Seek(6000); !errors.Is(err, ErrPosition) || g.p.Position() != pos {
		t.Fatalf("Seek past the end: %v, Position %d; want an error and no move from %d", err, g.p.Position(), pos)
	}
}

// A seek's fade-out cut by another control (a second seek before the
// device reached the jump) goes on from the device: no jump in level.
func TestSeekDuringASeekFade(t *testing.T) {
	g := newRig(t, 5000)
	g.play(250)
	g.p.Seek(4000)
	first := g.play(5) // inside the fade-out
	g.p.Seek(2000)
	rest := g.play(60)
	g.checkSeek(append(first, rest...), 250, 2000) // as one seek: the fade-out never rose
	if pos := g.p.Position(); pos < 2000 || pos > 2100 {
		t.Fatalf("Position %d after the second seek", pos)
	}
}

func TestStop(t *testing.T) {
	g := newRig(t, 5000)
	g.play(100)
	g.p.Stop()
	got := g.play(100)
	if len(got) < 10 || len(got) > 12 || got[0] >= g.at(100) || got[len(got)-1] > g.at(120)/10 {
		t.Fatalf("stop: %d frames %v; want a fade of about 12 from sample 100", len(got), got)
	}
	if !g.done() {
		t.Fatal("Done not closed after the stop fade")
	}
	if err := g.p.Seek(0); !errors.Is(err, ErrFinished) {
		t.Fatalf("Seek after Stop: %v", err)
	}

	// While paused, Stop ends at once.
	g = newRig(t, 5000)
	g.play(100)
	g.p.Pause()
	g.play(50)
	g.p.Stop()
	if g.p.Paused() {
		t.Error("Paused after Stop")
	}
	if more := g.play(10); len(more) != 0 || !g.done() {
		t.Fatal("Done not closed by Stop while paused")
	}
}

// The last lookahead of a session is in the ring before the device takes
// it; controls there must still be heard after the device's buffer.
func TestControlsNearTheEnd(t *testing.T) {
	g := newRig(t, 1000)
	g.play(600) // the engine has mixed the session to its end
	g.p.Pause()
	if !g.p.Paused() {
		t.Fatal("Pause 400 frames before the end: not paused")
	}
	fade := g.play(100)
	if len(fade) < 10 || len(fade) > 12 {
		t.Fatalf("Pause near the end: the device took %d frames, want a fade of about 12", len(fade))
	}
	g.p.Resume()
	if rest := g.play(1000); len(rest) != 400-len(fade) || !g.done() {
		t.Fatalf("after Resume the device took %d frames (want %d), done %v", len(rest), 400-len(fade), g.done())
	}

	g = newRig(t, 1000)
	g.play(600)
	if err := g.p.Seek(100); err != nil {
		t.Fatalf("Seek 400 frames before the end: %v", err)
	}
	if got := g.play(40); len(got) != 40 {
		t.Fatalf("after Seek(100) near the end the device took %v", got)
	} else {
		g.checkSeek(got, 600, 100)
	}

	g = newRig(t, 1000)
	g.play(600)
	g.p.Stop()
	if got := g.play(400); len(got) > 12 || !g.done() {
		t.Fatalf("Stop 400 frames before the end: the device took %d more frames, done %v", len(got), g.done())
	}
}

// Stop is final: a Resume after it, even inside a pause's fade, does not
// bring the session back.
func TestResumeAfterStop(t *testing.T) {
	g := newRig(t, 5000)
	g.play(100)
	g.p.Pause()
	g.play(5) // inside the fade to the pause
	g.p.Stop()
	g.p.Resume()
	if got := g.play(200); len(got) > 12 || !g.done() {
		t.Fatalf("Pause, Stop, Resume: the device took %d more frames, done %v", len(got), g.done())
	}
	if g.p.Paused() {
		t.Fatal("a stopped player reports paused")
	}
}

// A control refills the ring itself: the thread may take frames the moment
// the ring was cut, before the engine's loop runs, and an empty ring then
// costs a period of silence (a gap, and a click where the fade should be).
func TestControlRefillsAtOnce(t *testing.T) {
	g := newRig(t, 5000)
	g.play(300)
	if err := g.p.Seek(4000); err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, 20)
	if n := g.e.o.(*out).take(buf); n != 10 || float64(buf[0])/32767 >= g.at(300) {
		t.Fatalf("right after Seek the ring held %d frames (the first %g, want the fade-out from %g)", n, float64(buf[0])/32767, g.at(300))
	}
	g.play(40) // past the seek's fades
	g.p.Pause()
	if n := g.e.o.(*out).take(buf); n != 10 {
		t.Fatalf("right after Pause the ring held %d frames of the fade", n)
	}
}

// setErr makes the fake device's thread report ALSA error e, as out.c does
// when it gives up.
func (g *rig) setErr(e int32) {
	atomic.StoreInt32((*int32)(unsafe.Pointer(&g.e.o.(*out).c.err)), e)
}

// forgetFailure undoes what Wait records about a failed device.
func forgetFailure() {
	device.mu.Lock()
	device.err = nil
	device.mu.Unlock()
}

// A failed device ends the player: Done closes, Wait reports the error and
// the engine stops waking for a device that will take nothing more.
func TestDeviceErrorEndsThePlayer(t *testing.T) {
	defer forgetFailure()
	g := newRig(t, 5000)
	g.play(100)
	g.setErr(-5) // -EIO
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := g.p.Wait(ctx, nil); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("Wait on a failed device: %v", err)
	}
	if !g.done() {
		t.Fatal("Done not closed after the device failed")
	}
	g.e.mu.Lock()
	d := g.e.step()
	g.e.mu.Unlock()
	if d != idle {
		t.Fatalf("the engine wakes every %v for a failed device", d)
	}
}

// A device that takes nothing for stall ends the player the same way.
func TestWedgedDeviceEndsThePlayer(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for stall")
	}
	defer forgetFailure()
	g := newRig(t, 5000)
	ctx, cancel := context.WithTimeout(context.Background(), stall+2*time.Second)
	defer cancel()
	if err := g.p.Wait(ctx, nil); !errors.Is(err, ErrNoDevice) {
		t.Fatalf("Wait on a wedged device: %v", err)
	}
	if !g.done() {
		t.Fatal("Done not closed after the device wedged")
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	g := newRig(t, 1<<30)
	buf := make([]int16, 100)
	allocs := testing.AllocsPerRun(100, func() {
		g.e.o.(*out).take(buf)
		g.e.mu.Lock()
		g.e.step()
		g.e.mu.Unlock()
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per step", allocs)
	}
}

// TestChild is the child process of TestNoDevice: it opens the device and
// prints what happened.
func TestChild(t *testing.T) {
	if os.Getenv("CUED_PLAYBACK_CHILD") == "" {
		t.Skip("run by TestNoDevice")
	}
	t0 := time.Now()
	_, err := Start(&ramp{n: 44100}, beep.Format{SampleRate: 44100, NumChannels: 2}, Options{BufferMS: 40})
	_, err2 := Start(&ramp{n: 44100}, beep.Format{SampleRate: 44100, NumChannels: 2}, Options{BufferMS: 40})
	fmt.Printf("RESULT nodevice=%v same=%v elapsed=%v\nMESSAGE %v\n",
		errors.Is(err, ErrNoDevice), err == err2, time.Since(t0).Round(time.Microsecond), err)
}

// TestNoDevice opens the device in a child process whose ALSA knows no
// device at all (an empty ALSA configuration), as on a machine with no
// sound card and no sound server: the error must wrap ErrNoDevice, come
// within two seconds, and nothing may reach stderr. With
// CUED_PLAYBACK_TEST=nodevice the child runs in the real environment
// instead (for a machine that has no sound).
func TestNoDevice(t *testing.T) {
	if os.Getenv("CUED_PLAYBACK_CHILD") != "" {
		t.Skip()
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "CUED_PLAYBACK_CHILD=1")
	if os.Getenv("CUED_PLAYBACK_TEST") != "nodevice" {
		empty := filepath.Join(t.TempDir(), "alsa.conf")
		if err := os.WriteFile(empty, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd.Env = append(cmd.Env, "ALSA_CONFIG_PATH="+empty)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("child: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	t.Logf("child (%v): %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(out))
	if !strings.Contains(out, "RESULT nodevice=true same=true") {
		t.Fatalf("want ErrNoDevice, the same error twice:\n%s", out)
	}
	if !strings.Contains(out, "`cued render`") {
		t.Errorf("the message does not point to cued render:\n%s", out)
	}
	d := -time.Second
	if i := strings.Index(out, "elapsed="); i >= 0 {
		if v, err := time.ParseDuration(strings.Fields(out[i+len("elapsed="):])[0]); err == nil {
			d = v
		}
	}
	if d < 0 || d > 2*time.Second {
		t.Errorf("failing took %v, want under 2 s", d)
	}
	if stderr.Len() > 0 {
		t.Errorf("noise on stderr:\n%s", stderr.String())
	}
}

// A player started paused holds its position; Resume fades it in.
func TestStartPaused(t *testing.T) {
	e := newEngine(fakeOut(1000, 100, 1000))
	r := &ramp{n: 5000, pos: 300}
	p := newPlayer(e, r)
	e.mu.Lock()
	p.begin()
	p.hold() // as StartPaused
	e.step()
	e.mu.Unlock()
	g := &rig{t: t, e: e, p: p, r: r}
	if got := g.play(20); len(got) != 0 || !p.Paused() || p.Position() != 300 {
		t.Fatalf("started paused: the device took %d frames, paused %v, at %d", len(got), p.Paused(), p.Position())
	}
	p.Resume()
	got := g.play(30)
	step := 1 / (fadeTime.Seconds() * 1000)
	for i, cur := 0, 0.0; i < len(got); i++ {
		cur = min(1, cur+step)
		if want := q(float64(300+i) / 5000 * cur); math.Abs(got[i]-want) > 1.5/32767 {
			t.Fatalf("frame %d after Resume = %g, want %g (the fade-in from 300)", i, got[i], want)
		}
	}
}

// loopRamp is a ramp with one loop (a session's wait).
type loopRamp struct {
	ramp
	loop [2]int
}

func (r *loopRamp) Loops() [][2]int { return [][2]int{r.loop} }

// TestLoopHoldsUntilASeekLeaves: a player reaching a loop's end from
// inside goes on at its start, every sample in order, for as long as it
// is left there; Position stays inside; a pause and resume inside it keep
// looping; a seek to its end leaves it and plays on from there.
func TestLoopHoldsUntilASeekLeaves(t *testing.T) {
	// A ring of 650 frames: a lookahead of 550, less than the loop (a
	// loop no longer than the lookahead is not held, see newPlayer).
	e := newEngine(fakeOut(1000, 100, 650))
	r := &loopRamp{ramp: ramp{n: 5000}, loop: [2]int{1000, 1600}}
	p := newPlayer(e, r)
	e.mu.Lock()
	p.begin()
	e.step()
	e.mu.Unlock()
	g := &rig{t: t, e: e, p: p, r: &r.ramp}
	heard := g.play(3000) // 1000 before the loop, then 2000 inside it: 3 1/3 rounds
	for i, v := range heard {
		want := i
		if i >= 1000 {
			want = 1000 + (i-1000)%600
		}
		if v != g.at(want) {
			t.Fatalf("frame %d heard %.5f, want sample %d (%.5f)", i, v, want, g.at(want))
		}
	}
	if pos := p.Position(); pos < 1000 || pos >= 1600 {
		t.Fatalf("Position %d while held, want inside [1000, 1600)", pos)
	}
	p.Pause()
	g.play(100)
	p.Resume()
	g.play(1000)
	if pos := p.Position(); pos < 1000 || pos >= 1600 {
		t.Fatalf("Position %d after a pause and resume while held, want inside the loop", pos)
	}
	before := p.Position()
	if err := p.Seek(1600); err != nil {
		t.Fatal(err)
	}
	got := g.play(200)
	if pos := p.Position(); pos < 1700 || pos > 1800 {
		t.Fatalf("Position %d 200 frames after leaving the loop at 1600 (from %d)", pos, before)
	}
	if last, want := got[len(got)-1], g.at(p.Position()-1); last != want {
		t.Fatalf("after leaving the loop the device took %.5f last, want sample %d (%.5f)", last, p.Position()-1, want)
	}
}

// half is a ramp mixed at half the level: the same session at other
// levels, for Replace.
type half struct{ ramp }

func (h *half) Stream(b [][2]float64) (int, bool) {
	n, ok := h.ramp.Stream(b)
	for i := range b[:n] {
		b[i][0] *= 0.5
		b[i][1] *= 0.5
	}
	return n, ok
}

// TestReplace: playing, the session fades out from what the device has
// not taken and its replacement fades in at the first sample not heard
// (no sample twice, none lost); paused, the replacement takes its place at
// once and Resume fades it in there; after Stop it is refused.
func TestReplace(t *testing.T) {
	t.Run("playing", func(t *testing.T) {
		g := newRig(t, 5000)
		g.play(250)
		if err := g.p.Replace(&half{ramp{n: 5000}}); err != nil {
			t.Fatal(err)
		}
		got := g.play(60)
		want, to := replaced(250, len(got))
		for k, v := range got {
			if math.Abs(v-want[k]) > 1.5/32767 {
				t.Fatalf("frame %d after Replace = %g, want %g", k, v, want[k])
			}
		}
		i := to - 250
		if pos := g.p.Position(); pos != to+len(got)-i {
			t.Fatalf("Position %d, want %d", pos, to+len(got)-i)
		}
	})
	t.Run("paused", func(t *testing.T) {
		g := newRig(t, 5000)
		g.play(250)
		g.p.Pause()
		g.play(100)
		at := g.p.Position()
		if err := g.p.Replace(&half{ramp{n: 5000}}); err != nil {
			t.Fatal(err)
		}
		if pos := g.p.Position(); pos != at {
			t.Fatalf("Position %d after Replace while paused, want %d", pos, at)
		}
		g.p.Resume()
		got := g.play(30)
		step := 1 / (fadeTime.Seconds() * 1000)
		for i, cur := 0, 0.0; i < len(got); i++ {
			cur = min(1, cur+step)
			if want := q(0.5 * float64(at+i) / 5000 * cur); math.Abs(got[i]-want) > 1.5/32767 {
				t.Fatalf("frame %d after Resume = %g, want %g (the replacement from %d)", i, got[i], want, at)
			}
		}
	})
	t.Run("stopped", func(t *testing.T) {
		g := newRig(t, 5000)
		g.play(100)
		g.p.Stop()
		if err := g.p.Replace(&half{ramp{n: 5000}}); !errors.Is(err, ErrFinished) {
			t.Fatalf("Replace after Stop: %v, want ErrFinished", err)
		}
		if err := g.p.Replace(&ramp{n: 10}); !errors.Is(err, ErrFinished) {
			t.Fatalf("Replace after Stop: %v", err)
		}
	})
	t.Run("other length", func(t *testing.T) {
		g := newRig(t, 5000)
		if err := g.p.Replace(&ramp{n: 4000}); !errors.Is(err, ErrPosition) {
			t.Fatalf("Replace by a shorter stream: %v, want ErrPosition", err)
		}
	})
}

// replaced is what the rig's device takes after a Replace by half the ramp
// at session sample from: the fade-out from there down to silence, then
// the replacement fading in at the first sample the fade-out did not play
// (to), n frames in all.
func replaced(from, n int) (want []float64, to int) {
	step := 1 / (fadeTime.Seconds() * 1000)
	i := 0
	for cur := 1.0; ; i++ {
		if cur -= step; cur <= 0 {
			break
		}
		want = append(want, q(float64(from+i)/5000*cur))
	}
	to = from + i
	for cur, j := 0.0, 0; len(want) < n; j++ {
		cur = min(1, cur+step)
		want = append(want, q(0.5*float64(to+j)/5000*cur))
	}
	return want, to
}

// TestStopInsideAControlsFade: Stop while a seek's or a replacement's
// fade-out plays ends there: nothing fades in after it.
func TestStopInsideAControlsFade(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(p *Player)
	}{
		{"seek", func(p *Player) { _ = p.Seek(4000) }},
		{"replace", func(p *Player) { _ = p.Replace(&half{ramp{n: 5000}}) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newRig(t, 5000)
			g.play(250)
			c.do(g.p)
			g.play(3) // inside the fade-out
			g.p.Stop()
			got := g.play(200)
			for i, v := range got {
				if i > 12 && v != 0 {
					t.Fatalf("frame %d after Stop = %g: sound after the stop's fade-out", i, v)
				}
			}
			if !g.done() {
				t.Fatal("Done not closed after Stop")
			}
		})
	}
}
