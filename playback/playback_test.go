package playback

import (
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopxl/beep/v2"
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

func TestFeedPauseStopEnd(t *testing.T) {
	r := &ramp{n: 1000}
	f := newFeed(r, 10) // a fade of 10 samples: step 0.1
	buf := make([][2]float64, 300)
	pull := func() []float64 {
		n, _ := f.Stream(buf)
		out := make([]float64, n)
		for i, s := range buf[:n] {
			out[i] = s[0]
		}
		return out
	}
	for i, v := range pull() {
		if v != float64(i)/1000 {
			t.Fatalf("sample %d = %g before any pause", i, v)
		}
	}
	f.pausing = true
	got := pull()
	// The fade: sample 300+i at gain 1-0.1(i+1), until the gain reaches 0.
	k := 0
	for ; k < len(got) && got[k] != 0; k++ {
		want := float64(300+k) / 1000 * (1 - 0.1*float64(k+1))
		if math.Abs(got[k]-want) > 1e-9 {
			t.Fatalf("fade sample %d = %g, want %g", k, got[k], want)
		}
	}
	if k < 8 || k > 10 {
		t.Fatalf("the fade to pause took %d samples, want about 10", k)
	}
	for _, v := range got[k:] {
		if v != 0 {
			t.Fatal("sound after the pause fade")
		}
	}
	if !f.paused || r.pos != 300+k {
		t.Fatalf("paused %v at %d; want the session put back to %d (nothing lost)", f.paused, r.pos, 300+k)
	}
	if got := pull(); got[0] != 0 || r.pos != 300+k {
		t.Fatal("paused feed streamed the session")
	}
	f.paused = false
	got = pull()
	if math.Abs(got[0]-float64(300+k)/1000*0.1) > 1e-9 || got[20] != float64(300+k+20)/1000 {
		t.Fatalf("resume: first sample %g, 20th %g; want a fade in from sample %d", got[0], got[20], 300+k)
	}
	f.stopping = true
	pull()
	select {
	case <-f.done:
	default:
		t.Fatal("done not closed after the stop fade")
	}
	if n, ok := f.Stream(buf); n != 0 || ok {
		t.Fatal("streamed after stop")
	}
	f2 := newFeed(&ramp{n: 1000}, 10)
	for range 4 {
		f2.Stream(buf)
	}
	select {
	case <-f2.done:
	default:
		t.Fatal("done not closed at the end")
	}
}

func TestDescribe(t *testing.T) {
	err := errors.New(`failed to resume the speaker: oto: ALSA error at snd_pcm_open: "default": No such file or directory, "plug:default": No such file or directory, "jack": No such file or directory, "pulse": Connection refused, "oss": No such file or directory`)
	want := `ALSA could not open a playback device ("default": No such file or directory; "pulse": Connection refused; 3 more failed)`
	if got := describe(err); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := describe(errors.New("oto: ALSA error at snd_pcm_hw_params: Invalid argument")); !strings.Contains(got, "hw_params") {
		t.Fatal(got)
	}
}

// TestChild is the child process of TestNoDevice: it opens the device and
// prints what happened.
func TestChild(t *testing.T) {
	if os.Getenv("CUED_PLAYBACK_CHILD") == "" {
		t.Skip("run by TestNoDevice")
	}
	t0 := time.Now()
	_, err := Start(&ramp{n: 44100}, beep.Format{SampleRate: 44100, NumChannels: 2}, 40)
	_, err2 := Start(&ramp{n: 44100}, beep.Format{SampleRate: 44100, NumChannels: 2}, 40)
	fmt.Printf("RESULT nodevice=%v same=%v elapsed=%v\nMESSAGE %v\n",
		errors.Is(err, ErrNoDevice), err == err2, time.Since(t0).Round(time.Microsecond), err)
}

// TestNoDevice opens the speaker in a child process whose ALSA knows no
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
