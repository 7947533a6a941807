package playback

import (
	"errors"
	"fmt"
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
	f := &feed{s: r, done: make(chan struct{})}
	buf := make([][2]float64, 300)
	var got []float64
	pull := func() (int, bool) {
		n, ok := f.Stream(buf)
		for _, s := range buf[:n] {
			got = append(got, s[0])
		}
		return n, ok
	}
	pull()
	f.paused = true
	if n, ok := pull(); n != 300 || !ok || got[len(got)-1] != 0 || r.pos != 300 {
		t.Fatalf("paused: %d %v pos %d", n, ok, r.pos)
	}
	got = got[:300]
	f.paused = false
	pull()
	pull()
	if n, ok := pull(); n != 100 || !ok {
		t.Fatalf("last pull %d %v", n, ok)
	}
	select {
	case <-f.done:
	default:
		t.Fatal("done not closed at the end")
	}
	if n, ok := pull(); n != 0 || ok {
		t.Fatal("streamed after the end")
	}
	for i, v := range got {
		if v != float64(i)/1000 {
			t.Fatalf("sample %d = %g: a pause lost or repeated samples", i, v)
		}
	}
	f2 := &feed{s: &ramp{n: 1000}, done: make(chan struct{})}
	f2.stopped = true
	if n, ok := f2.Stream(buf); n != 0 || ok {
		t.Fatal("streamed after stop")
	}
	<-f2.done
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
