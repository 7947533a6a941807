//go:build linux && cgo

package playback

import (
	"math"
	"sync/atomic"
	"testing"
	"unsafe"
)

// holder is the fake device of rig that holds the last frames it took
// unheard, as a sound server does, and gives them back on recall (the
// pulse output's contract): what the test's "device" took and a recall
// took back was never heard.
type holder struct {
	*out
	held uint64 // frames the device holds unheard
}

func (h *holder) recall(floor uint64) uint64 {
	at := max(floor, h.claimed()-min(h.held, h.claimed()))
	if at >= h.claimed() {
		return h.cut()
	}
	for _, p := range []unsafe.Pointer{unsafe.Pointer(&h.c.r), unsafe.Pointer(&h.c.w), unsafe.Pointer(&h.c.done)} {
		atomic.StoreUint64((*uint64)(p), at)
	}
	return at
}

// newHolderRig is newRig on a device that holds its last 100 frames.
func newHolderRig(t *testing.T, n int) (*rig, *[]float64) {
	g := newRig(t, n)
	h := &holder{out: g.e.o.(*out), held: 100}
	g.e.o = h
	heard := new([]float64)
	return g, heard
}

// take is rig.play for a holder: the frames the device took are appended
// to heard, and those a recall took back are first removed from it.
func (g *rig) take(heard *[]float64, k int) {
	h := g.e.o.(*holder)
	if c := int(h.claimed()); c < len(*heard) {
		*heard = (*heard)[:c]
	}
	buf := make([]int16, 100)
	for n := 0; n < k; {
		g.e.mu.Lock()
		g.e.step()
		g.e.mu.Unlock()
		m := h.take(buf[:2*min(50, k-n)])
		if m == 0 {
			return
		}
		for i := range m {
			*heard = append(*heard, float64(buf[2*i])/32767)
		}
		n += m
	}
}

// control runs f and trims heard to what the device still has.
func (g *rig) control(heard *[]float64, f func()) {
	f()
	if c := int(g.e.o.claimed()); c < len(*heard) {
		*heard = (*heard)[:c]
	}
}

func TestRecalledPauseIsHeardAtOnce(t *testing.T) {
	g, heard := newHolderRig(t, 5000)
	g.take(heard, 300)
	g.control(heard, g.p.Pause)
	if len(*heard) != 200 {
		t.Fatalf("after the pause the device keeps %d frames, want 200 (it held the last 100 unheard)", len(*heard))
	}
	g.take(heard, 100)
	got := (*heard)[200:]
	k := 0
	for ; k < len(got); k++ {
		if want := q(float64(200+k) / 5000 * (1 - float64(k+1)/12)); math.Abs(got[k]-want) > 1e-6 {
			t.Fatalf("fade frame %d = %g, want %g", k, got[k], want)
		}
	}
	if k < 10 || k > 12 || !g.p.Paused() || g.p.Position() != 200+k {
		t.Fatalf("fade of %d frames, paused %v at %d; want about 12, paused at %d", k, g.p.Paused(), g.p.Position(), 200+k)
	}
}

func TestRecallNeverTakesBackPastTheLastControl(t *testing.T) {
	// A resume 5 frames into the pause's fade: the device holds those 5
	// frames unheard, so they go, and the session goes on from sample 200
	// at full gain as if the pause had never been (the fade is not heard);
	// nothing before the pause's own cut is taken back.
	g, heard := newHolderRig(t, 5000)
	g.take(heard, 300)
	g.control(heard, g.p.Pause)
	g.take(heard, 5)
	g.control(heard, g.p.Resume)
	g.take(heard, 200)
	for i, v := range *heard {
		if v != g.at(i) {
			t.Fatalf("frame %d = %g, want %g: the session with no fade", i, v, g.at(i))
		}
	}
	if len(*heard) != 400 {
		t.Fatalf("heard %d frames, want 400", len(*heard))
	}
}

func TestRecalledSeekThenPause(t *testing.T) {
	// A pause inside a seek's fade-out: the seek is made, and held there.
	g, heard := newHolderRig(t, 5000)
	g.take(heard, 300)
	g.control(heard, func() {
		if err := g.p.Seek(3000); err != nil {
			t.Fatal(err)
		}
	})
	g.take(heard, 5)
	g.control(heard, g.p.Pause)
	g.take(heard, 100)
	if !g.p.Paused() || g.p.Position() != 3000 {
		t.Fatalf("paused %v at %d, want paused at the seek's target 3000", g.p.Paused(), g.p.Position())
	}
	for i, v := range (*heard)[:200] {
		if v != g.at(i) {
			t.Fatalf("frame %d = %g, want %g", i, v, g.at(i))
		}
	}
	// A resume while the device still holds the fade-out before the
	// jump: the seek's fade-out is heard again from where the device
	// is, then the target fades in.
	g.control(heard, g.p.Resume)
	n := len(*heard)
	g.take(heard, 100)
	tail := (*heard)[n:]
	fade := 0
	for fade < len(tail) && tail[fade] < g.at(200) && tail[fade] > 0 {
		fade++
	}
	if fade < 10 || fade > 12 {
		t.Fatalf("resumed: %d frames of fade-out before the jump, want about 12 (%v)", fade, tail[:16])
	}
	if got, want := tail[len(tail)-1], g.at(3000+len(tail)-1-fade); got != want {
		t.Fatalf("resumed: the last frame %g, want sample %d (%g)", got, 3000+len(tail)-1-fade, want)
	}
}

func TestRecalledReplace(t *testing.T) {
	// Replace while the device holds its last 100 frames: they are never
	// heard; the fade-out runs from sample 200, then the replacement (at
	// half the level) fades in at the first sample not heard, exactly.
	g, heard := newHolderRig(t, 5000)
	g.take(heard, 300)
	g.control(heard, func() {
		if err := g.p.Replace(&half{ramp{n: 5000}}); err != nil {
			t.Fatal(err)
		}
	})
	g.take(heard, 60)
	got := (*heard)[200:]
	want, _ := replaced(200, len(got))
	for k, v := range got {
		if math.Abs(v-want[k]) > 1.5/32767 {
			t.Fatalf("frame %d after Replace = %g, want %g", k, v, want[k])
		}
	}
}
