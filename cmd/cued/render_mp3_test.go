package main

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/internal/needs"
	"github.com/cued-dev/cued/internal/probe"
	"github.com/cued-dev/cued/sequencer"
)

// TestRenderMP3 renders tspine-3way to MP3 and checks it as a phone
// would play it: ffprobe lists a chapter per part at the part's start,
// and ffmpeg's decoding holds every voice cue within 2 ms of its place in
// the timeline (by cross-correlation with the WAV render; LAME's delay is
// removed by the decoder from the file's LAME header).
func TestRenderMP3(t *testing.T) {
	needs.Program(t, "lame", "lame")
	ffmpeg := needs.Program(t, "ffmpeg", "ffmpeg")
	home := t.TempDir()
	mp3, wav := filepath.Join(home, "3way.mp3"), filepath.Join(home, "3way.wav")
	t0 := time.Now()
	if _, errOut, code := runCLI(t, home, "render", "tspine-3way", "-o", mp3); code != 0 {
		t.Fatalf("render to mp3: exit %d: %s", code, errOut)
	}
	took := time.Since(t0)
	if _, errOut, code := runCLI(t, home, "render", "tspine-3way", "--format", "s16", "-o", wav); code != 0 {
		t.Fatalf("render to wav: exit %d: %s", code, errOut)
	}
	out, errOut, code := runCLI(t, home, "timeline", "tspine-3way", "--json")
	if code != 0 {
		t.Fatalf("timeline: exit %d: %s", code, errOut)
	}
	var tl sequencer.Timeline
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(mp3)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v of session: %.2f MB (%.2f MB a minute), rendered and encoded in %v",
		tl.Length.Round(time.Millisecond), float64(fi.Size())/1e6, float64(fi.Size())/1e6/tl.Length.Minutes(), took.Round(time.Millisecond))

	t.Run("a chapter per part", func(t *testing.T) {
		checkChapters(t, mp3, &tl)
	})
	t.Run("every voice cue within 2 ms", func(t *testing.T) {
		dec, err := exec.Command(ffmpeg, "-v", "error", "-i", mp3, "-f", "s16le", "-ac", "1", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		ref, err := exec.Command(ffmpeg, "-v", "error", "-i", wav, "-f", "s16le", "-ac", "1", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		checkOnsets(t, samples(ref), samples(dec), &tl)
	})
}

// checkChapters checks ffprobe's chapters of path against tl's parts:
// titles, and times within one MP3 frame (1152 samples).
func checkChapters(t *testing.T, path string, tl *sequencer.Timeline) {
	chapters := probe.File(t, path).Chapters
	if len(chapters) != len(tl.Steps) {
		t.Fatalf("%d chapters, want one per part (%d)", len(chapters), len(tl.Steps))
	}
	frame := 1152.0 / 44100
	for i, c := range chapters {
		st := tl.Steps[i]
		if c.Title != st.Name || math.Abs(c.Start-st.Start.Seconds()) > frame || math.Abs(c.End-st.End.Seconds()) > frame {
			t.Errorf("chapter %d: %q %.3f-%.3f s, want %q %.3f-%.3f", i+1, c.Title, c.Start, c.End, st.Name, st.Start.Seconds(), st.End.Seconds())
		}
	}
}

// samples reads 16-bit little-endian mono PCM.
func samples(b []byte) []float64 {
	s := make([]float64, len(b)/2)
	for i := range s {
		s[i] = float64(int16(binary.LittleEndian.Uint16(b[2*i:])))
	}
	return s
}

// checkOnsets finds each voice cue of tl in dec by cross-correlating a
// window of ref from the cue's start (where the render has it) with dec
// at lags of up to ±10 ms: the best lag must be within 2 ms.
func checkOnsets(t *testing.T, ref, dec []float64, tl *sequencer.Timeline) {
	const rate, win, span = 44100, 4096, 441
	if d := len(dec) - len(ref); d < 0 || d > 1152 {
		t.Errorf("decoded %d samples, the render %d: want the same to one MP3 frame more", len(dec), len(ref))
	}
	worst, n := 0, 0
	for _, e := range tl.Events {
		if e.Kind != sequencer.KindVoice {
			continue
		}
		at := int(e.Start.Seconds() * rate)
		if at-span < 0 || at+win+span > min(len(ref), len(dec)) {
			continue
		}
		lag, corr := bestLag(ref[at:at+win], dec, at, span)
		n++
		if abs(lag) > abs(worst) {
			worst = lag
		}
		if abs(lag) > 2*rate/1000 || corr < 0.9 {
			t.Errorf("voice cue %s at %v: best lag %+d samples (%.2f ms), correlation %.3f; want within 2 ms", e.Cue, e.Start, lag, float64(lag)*1000/rate, corr)
		}
	}
	t.Logf("%d voice cues, worst lag %+d samples (%.2f ms)", n, worst, float64(worst)*1000/rate)
	if n == 0 {
		t.Fatal("no voice cue checked")
	}
}

// bestLag is the lag in [-span, span] at which dec, from at+lag, best
// matches w (normalised cross-correlation), and that correlation.
func bestLag(w, dec []float64, at, span int) (lag int, corr float64) {
	corr = -2
	var ww float64
	for _, v := range w {
		ww += v * v
	}
	for l := -span; l <= span; l++ {
		var xy, yy float64
		for i, v := range w {
			y := dec[at+l+i]
			xy += v * y
			yy += y * y
		}
		if c := xy / math.Sqrt(ww*yy+1e-9); c > corr {
			lag, corr = l, c
		}
	}
	return lag, corr
}

func abs(v int) int { return max(v, -v) }

// TestRenderAll renders every routine at every level as MP3 with a
// playlist that names each file with its length and title.
func TestRenderAll(t *testing.T) {
	needs.Program(t, "lame", "lame")
	home := t.TempDir()
	dir := filepath.Join(home, "out")
	out, errOut, code := runCLI(t, home, "render", "--all", "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m3u, err := os.ReadFile(filepath.Join(dir, "cued.m3u"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(m3u)), "\n")
	// The built-in routines: the two at three levels each, and the sound
	// check once (its levels are one session).
	want := []string{"test-sound-gentle.mp3", "tspine-3way-gentle.mp3", "tspine-3way-standard.mp3", "tspine-3way-full.mp3",
		"tspine-basic-gentle.mp3", "tspine-basic-standard.mp3", "tspine-basic-full.mp3"}
	if lines[0] != "#EXTM3U" || len(lines) != 1+2*len(want) {
		t.Fatalf("playlist:\n%s\nwant #EXTM3U and two lines for each of %v", m3u, want)
	}
	for i, w := range want {
		if got := lines[2+2*i]; got != w {
			t.Errorf("entry %d is %q, want %q", i+1, got, w)
		}
	}
	for i := 1; i < len(lines); i += 2 {
		file := lines[i+1]
		if !strings.HasPrefix(lines[i], "#EXTINF:") || !strings.HasSuffix(file, ".mp3") {
			t.Errorf("entry %q %q: want #EXTINF then an .mp3", lines[i], file)
			continue
		}
		if fi, err := os.Stat(filepath.Join(dir, file)); err != nil {
			t.Error(err)
		} else if fi.Size() < 100_000 {
			t.Errorf("%s: %d bytes", file, fi.Size())
		}
	}
	if !strings.Contains(out, "tspine-3way-full.mp3\t") {
		t.Errorf("render --all printed %q, want a line per file", out)
	}
}

// TestRenderMP3WithoutLAME: without the encoder, render says which
// package to install and leaves no file.
func TestRenderMP3WithoutLAME(t *testing.T) {
	home := t.TempDir()
	t.Setenv("PATH", t.TempDir())
	out := filepath.Join(home, "x.mp3")
	_, errOut, code := runCLI(t, home, "render", "tspine-basic", "-o", out)
	if code == 0 || !strings.Contains(errOut, "apt-get install lame") {
		t.Errorf("exit %d, stderr %q: want a failure naming the package", code, errOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s: %v, want no file", out, err)
	}
}
