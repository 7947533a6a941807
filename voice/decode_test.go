package voice

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// The files are made by testdata/make.sh. Sample counts of the good ones
// are what ffmpeg decodes (it trims the LAME encoder delay and padding as
// Load does), so a match means the gapless trim is exact.
var decodeCases = []struct {
	file    string
	rate    int     // 0: must fail
	samples int     // exact count expected, or 0 to skip the check
	minSec  float64 // plausible length range, seconds
	maxSec  float64
	err     error  // for failures: the sentinel
	errText string // for failures: a phrase the message must hold
	warn    string // for a file that loads damaged: a phrase of the warning
}{
	{file: "mono22k.mp3", rate: 22050, samples: 25920, minSec: 1.0, maxSec: 1.5},
	{file: "stereo48k.mp3", rate: 48000, samples: 24000, minSec: 0.49, maxSec: 0.51},
	{file: "vbr.mp3", rate: 44100, samples: 48731, minSec: 1.0, maxSec: 1.5},
	{file: "id3pic.mp3", rate: 22050, samples: 25920, minSec: 1.0, maxSec: 1.5},
	{file: "truncated.mp3", rate: 32000, minSec: 0.5, maxSec: 0.9, warn: "truncated"},
	{file: "float_ext.wav", rate: 32000, samples: 6400, minSec: 0.2, maxSec: 0.2},
	{file: "pcm24.wav", rate: 44100, samples: 4410, minSec: 0.1, maxSec: 0.1},
	{file: "html.mp3", err: ErrFormat, errText: "text"},
	{file: "empty.mp3", err: ErrFormat, errText: "empty"},
	{file: "mpeg25_8k.mp3", err: ErrFormat, errText: "MPEG-2.5"},
	{file: "layer2.mp3", err: ErrFormat, errText: "Layer II"},
	{file: "hugeheader.wav", err: ErrFormat, errText: "holds no audio"},
}

func TestDecodeFiles(t *testing.T) {
	for _, tc := range decodeCases {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := decode(data, MaxClipLength)
			if tc.rate == 0 {
				if err == nil {
					t.Fatalf("decoded %d samples, want an error", len(p.samples))
				}
				if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.errText) {
					t.Fatalf("error %q, want %v with %q", err, tc.err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.rate != tc.rate {
				t.Errorf("rate %d, want %d", p.rate, tc.rate)
			}
			if tc.samples != 0 && len(p.samples) != tc.samples {
				t.Errorf("%d samples, want %d", len(p.samples), tc.samples)
			}
			sec := float64(len(p.samples)) / float64(p.rate)
			if sec < tc.minSec-1e-9 || sec > tc.maxSec+1e-9 {
				t.Errorf("%.3f s, want %.2f to %.2f s", sec, tc.minSec, tc.maxSec)
			}
			if !strings.Contains(p.warning, tc.warn) || (tc.warn == "") != (p.warning == "") {
				t.Errorf("warning %q, want one with %q", p.warning, tc.warn)
			}
			if l, peak := Level(p.samples, p.rate); l < -40 || peak > 0.1 {
				t.Errorf("level %.1f dBFS, peak %.1f dBFS: not plausible audio", l, peak)
			}
		})
	}
}

// TestLoadErrorNamesFile checks that a broken pack file fails Load with an
// error naming the pack, the file and the accepted formats.
func TestLoadErrorNamesFile(t *testing.T) {
	for _, tc := range decodeCases {
		if tc.rate != 0 {
			continue
		}
		data, err := os.ReadFile(filepath.Join("testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		ext := filepath.Ext(tc.file)
		pack := Pack{Name: "my-pack", FS: fstest.MapFS{"cue" + ext: {Data: data}}}
		_, err = Load(t.Context(), Options{Rate: 44100, Packs: []Pack{pack}, Texts: map[string]string{"cue": "Cue."}, Synth: SynthNone})
		var fe *FileError
		if !errors.As(err, &fe) || !errors.Is(err, tc.err) {
			t.Fatalf("%s: error %v, want a *FileError wrapping %v", tc.file, err, tc.err)
		}
		for _, want := range []string{"my-pack", "cue" + ext, "accepted: MP3"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q does not mention %q", tc.file, err, want)
			}
		}
	}
}

// TestMP3Gapless checks the encoder and decoder delay trim on a click: an
// MP3 made by lame from a 32 kHz WAV with a short burst centred on sample
// 10000 must decode with the burst at sample 10000 and the WAV's length.
func TestMP3Gapless(t *testing.T) {
	for _, tc := range []struct {
		file string
		n    int
	}{{"click32k.mp3", 32000}, {"click22k.mp3", 22050}} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := decode(data, MaxClipLength)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.samples) != tc.n {
				t.Errorf("%s: %d samples, want %d", tc.file, len(p.samples), tc.n)
			}
			best, at := 0.0, -1
			for i, v := range p.samples {
				if a := math.Abs(float64(v)); a > best {
					best, at = a, i
				}
			}
			if at < 9999 || at > 10001 {
				t.Errorf("%s: burst peak at sample %d, want 10000", tc.file, at)
			}
		})
	}
}

func TestDecodeTooLong(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "mono22k.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decode(data, 500*time.Millisecond); !errors.Is(err, ErrTooLong) {
		t.Errorf("mp3: error %v, want ErrTooLong", err)
	}
	data, err = os.ReadFile(filepath.Join("testdata", "pcm24.wav"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decode(data, 50*time.Millisecond); !errors.Is(err, ErrTooLong) {
		t.Errorf("wav: error %v, want ErrTooLong", err)
	}
}

// TestStereoIsAveraged checks that a stereo file becomes the mean of its
// channels: stereo48k.mp3 holds 440 Hz left and 660 Hz right at -6 dBFS,
// so the mono mix holds both at half amplitude.
func TestStereoIsAveraged(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "stereo48k.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := decode(data, MaxClipLength)
	if err != nil {
		t.Fatal(err)
	}
	mid := p.samples[4800:19200]
	for _, f := range []float64{440, 660} {
		a := toneAmplitude(mid, p.rate, f)
		if want := 0.5 * math.Pow(10, -6.0/20); math.Abs(a-want) > 0.02 {
			t.Errorf("%g Hz at amplitude %.3f, want %.3f", f, a, want)
		}
	}
}

// toneAmplitude is the amplitude of the f Hz component of s (a
// single-bin DFT over a Hann window).
func toneAmplitude(s []float32, rate int, f float64) float64 {
	var re, im, wsum float64
	for i, v := range s {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(len(s)-1))
		ph := 2 * math.Pi * f * float64(i) / float64(rate)
		re += float64(v) * w * math.Cos(ph)
		im += float64(v) * w * math.Sin(ph)
		wsum += w
	}
	return 2 * math.Hypot(re, im) / wsum
}

// BenchmarkDecodeMP3 decodes a 44.1 kHz mono VBR clip (decoding only, at
// its own rate): the per-clip cost of a cold load before resampling.
func BenchmarkDecodeMP3(b *testing.B) {
	data := readTestdata(b, "vbr.mp3")
	p, err := decode(data, MaxClipLength)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := decode(data, MaxClipLength); err != nil {
			b.Fatal(err)
		}
	}
	sec := float64(len(p.samples)) / float64(p.rate)
	b.ReportMetric(sec*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
