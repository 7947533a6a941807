//go:build linux && cgo

package playback

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/sequencer"
)

type clips map[string][]float32

func (c clips) Clip(id string) ([]float32, bool) { v, ok := c[id]; return v, ok }

// testSession is 3 s that start with a spoken cue right at sample 0 (so
// a lost start would show) and ends with the end chime.
func testSession(t *testing.T) *audio.Session {
	const rate = 44100
	voice := make([]float32, rate/2)
	for i := range voice {
		voice[i] = float32(0.5 * math.Sin(2*math.Pi*300*float64(i)/rate) * math.Sin(math.Pi*float64(i)/float64(len(voice))))
	}
	voice[1] = 0.3 // loud at once
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	tl := &sequencer.Timeline{Length: ms(3000), Events: []sequencer.Event{
		{Start: 0, Length: ms(500), Kind: sequencer.KindVoice, Cue: "go"},
		{Start: ms(600), Length: ms(500), Kind: sequencer.KindTone, Tone: "pip", GainDB: -16},
		{Start: ms(1000), Length: ms(800), Kind: sequencer.KindPacing, Tone: "tick-up", GainDB: -22},
		{Start: ms(1200), Length: ms(1800), Kind: sequencer.KindTone, Tone: "end", GainDB: -12},
	}}
	s, err := audio.NewSession(tl, clips{"go": voice}, audio.Options{Rate: rate, DuckDB: -9,
		Tones: map[string]audio.Tone{"pip": {Freq: 1000, FreqEnd: 1000}, "tick-up": {Freq: 520, FreqEnd: 520}, "end": {Freq: 523, FreqEnd: 784}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDevice plays through the real device: run with
// CUED_PLAYBACK_TEST=device (CUED_PLAYBACK_BUFFER_MS sets the buffer,
// default 40). If PULSE_SERVER is set and parecord exists it records the
// sink's monitor (CUED_PLAYBACK_MONITOR, default cue.monitor) and checks
// that the recording holds the render, every frame of it in order: nothing
// lost at the start or later. Silence the server inserts on an underrun is
// counted and logged, not failed: it delays, it does not lose.
func TestDevice(t *testing.T) {
	if os.Getenv("CUED_PLAYBACK_TEST") != "device" {
		t.Skip("set CUED_PLAYBACK_TEST=device to play through the sound device")
	}
	s := testSession(t)
	var want bytes.Buffer
	if err := audio.Render(&want, s, s.Format(), audio.RawS16LE); err != nil {
		t.Fatal(err)
	}
	_ = s.Seek(0)

	var rec *exec.Cmd
	wav := filepath.Join(t.TempDir(), "rec.wav")
	if _, err := exec.LookPath("parecord"); err == nil && os.Getenv("PULSE_SERVER") != "" {
		mon := os.Getenv("CUED_PLAYBACK_MONITOR")
		if mon == "" {
			mon = "cue.monitor"
		}
		rec = exec.Command("parecord", "--device="+mon, "--file-format=wav", "--format=s16le",
			"--rate=44100", "--channels=2", "--latency-msec="+recLatency(), wav)
		if err := rec.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	opts := Options{BufferMS: 40, Output: Output(os.Getenv("CUED_PLAYBACK_OUTPUT"))}
	if v, err := strconv.Atoi(os.Getenv("CUED_PLAYBACK_BUFFER_MS")); err == nil {
		opts.BufferMS = v
	}
	t0 := time.Now()
	if _, err := open(44100, opts); err != nil {
		t.Fatal(err)
	}
	t.Logf("opening the device took %v", time.Since(t0).Round(time.Millisecond))
	var calls int
	var firstMove time.Duration
	err := Play(context.Background(), s, s.Format(), opts, func(pos int) {
		if calls++; pos > 0 && firstMove == 0 {
			firstMove = time.Since(t0)
		}
	})
	took := time.Since(t0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("played 3 s in %v (opening the device included; position first seen moving after %v), %d progress calls",
		took.Round(time.Millisecond), firstMove.Round(time.Millisecond), calls)
	// Underruns on a busy machine stretch playback (the server plays
	// silence, then the rest); only a gross overrun is an error here.
	if took < 3*time.Second || took > 10*time.Second {
		t.Errorf("Play took %v for a 3 s session", took)
	}
	if rec != nil {
		// The last frames reach the monitor's recorder later than Play
		// returns: 300 ms was enough with PulseAudio, not with
		// pipewire-pulse (184 ms were missing).
		time.Sleep(time.Second)
		_ = rec.Process.Signal(syscall.SIGINT)
		_ = rec.Wait()
		compare(t, recorded(t, wav), want.Bytes())
	}

	// Pause, seek and stop on a second run (not recorded).
	s2 := testSession(t)
	p, err := Start(s2, s2.Format(), opts)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	p.Pause()
	// The fade-out and what the output held before it are still heard
	// (beep's speaker cannot take back its buffer: Held).
	time.Sleep(opts.Held() + 100*time.Millisecond)
	at := p.Position()
	time.Sleep(300 * time.Millisecond)
	if got := p.Position(); got != at {
		t.Errorf("position moved while paused: %d -> %d", at, got)
	}
	if err := p.Seek(44100 * 2); err != nil {
		t.Fatal(err)
	}
	o, alsa := device.e.o.(*out)
	var before uint64
	if alsa {
		before = o.restarts()
	}
	p.Resume()
	if alsa {
		// The device held only silence (the pause): the thread drops it
		// rather than make the resume wait behind it.
		deadline := time.Now().Add(time.Second)
		for o.restarts() == before && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if o.restarts() == before {
			t.Errorf("the resume after a pause did not drop the silence the device held")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Wait(ctx, nil); err != nil {
		t.Fatalf("after seeking to 2 s: %v", err)
	}

}

// recorded returns the interleaved s16 samples of a WAV parecord wrote.
func recorded(t *testing.T, path string) []int16 {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte("data"))
	if i < 0 {
		t.Fatalf("no data in %s (%d bytes)", path, len(b))
	}
	b = b[i+8:]
	out := make([]int16, len(b)/2)
	for j := range out {
		out[j] = int16(binary.LittleEndian.Uint16(b[2*j:]))
	}
	return out
}

// compare finds the render in the recording by its first sound and walks
// both: every rendered frame must come, in order, within 2 LSB. Frames of
// silence the recording has and the render does not are counted as inserted
// (the sound server plays silence when a client underruns: late, not lost);
// anything else is a failure.
func compare(t *testing.T, rec []int16, render []byte) {
	want := make([]int16, len(render)/2)
	for j := range want {
		want[j] = int16(binary.LittleEndian.Uint16(render[2*j:]))
	}
	first := func(x []int16) int {
		for j, v := range x {
			if v > 2 || v < -2 {
				return j / 2
			}
		}
		return -1
	}
	fw, fr := first(want), first(rec)
	if fw < 0 || fr < 0 {
		t.Fatalf("no sound: render from frame %d, recording from %d", fw, fr)
	}
	near := func(a, b int16) bool { return a-b <= 2 && b-a <= 2 }
	i, j := fw, fr // frames
	exact, inserted, gaps, lost := 0, 0, 0, 0
	inGap := false
	for i < len(want)/2 {
		if 2*j+1 >= len(rec) {
			t.Fatalf("the recording ends at rendered frame %d of %d", i, len(want)/2)
		}
		w0, w1, r0, r1 := want[2*i], want[2*i+1], rec[2*j], rec[2*j+1]
		switch {
		case near(w0, r0) && near(w1, r1):
			if w0 == r0 && w1 == r1 {
				exact++
			}
			inGap = false
			i++
			j++
		case r0 == 0 && r1 == 0:
			if !inGap {
				gaps++
			}
			inGap = true
			inserted++
			j++
			continue
		default:
			// Resynchronise: where does this rendered stretch appear
			// later in the recording, or which rendered frame does the
			// recording go on with?
			if k := find(rec, want, i, j, j+5*44100); k >= 0 {
				t.Logf("rendered frame %d: %d recorded frames of sound (not silence) before it, at %d", i, k-j, j)
				inserted += k - j
				gaps++
				j = k
				continue
			}
			if k := findIn(want, rec, j, i, i+5*44100); k >= 0 {
				t.Errorf("recorded frame %d: rendered frames %d to %d are missing (%d lost)", j, i, k, k-i)
				lost += k - i
				i = k
				continue
			}
			t.Fatalf("rendered frame %d (%d) is not in the recording at frame %d (%d), nor nearby", i, w0, j, r0)
		}
	}
	t.Logf("recording: session from frame %d; %d frames rendered, %d lost, %d recorded in order (%d bit-exact); %d frames inserted in %d gaps (underruns)",
		fr-fw, len(want)/2-fw, lost, len(want)/2-fw-lost, exact, inserted, gaps)
}

// find returns the first frame k in [from, to) of rec where the 64 frames
// of want from frame i are recorded (within 2 LSB), or -1.
func find(rec, want []int16, i, from, to int) int {
	const w = 64
	if 2*(i+w) > len(want) {
		return -1
	}
	for k := from; k < to && 2*(k+w) <= len(rec); k++ {
		ok := true
		for f := 0; f < 2*w && ok; f++ {
			d := int(rec[2*k+f]) - int(want[2*i+f])
			ok = d <= 2 && d >= -2
		}
		if ok {
			return k
		}
	}
	return -1
}

// findIn returns the first rendered frame k in [from, to) from which want
// holds the 64 recorded frames at j, or -1.
func findIn(want, rec []int16, j, from, to int) int {
	return find(want, rec, j, from, to)
}

// recLatency is parecord's latency: large by default (1 s), so that the
// recorder itself does not overrun and lose samples on a busy machine (at
// 20 ms and 500 ms it appeared to); CUED_PLAYBACK_REC_LATENCY_MS changes it.
func recLatency() string {
	if v := os.Getenv("CUED_PLAYBACK_REC_LATENCY_MS"); v != "" {
		return v
	}
	return "1000"
}
