package encode

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/cued-dev/cued/internal/needs"
	"github.com/cued-dev/cued/internal/probe"
)

// bursts is rate*secs frames of stereo 16-bit PCM, silent but for a
// 50 ms burst of 1 kHz at each of at.
func bursts(rate int, secs float64, at []time.Duration) []byte {
	n := int(float64(rate) * secs)
	b := make([]byte, 4*n)
	for _, a := range at {
		i0 := int(a.Seconds() * float64(rate))
		for i := i0; i < i0+rate/20 && i < n; i++ {
			v := int16(12000 * math.Sin(2*math.Pi*1000*float64(i-i0)/float64(rate)))
			binary.LittleEndian.PutUint16(b[4*i:], uint16(v))
			binary.LittleEndian.PutUint16(b[4*i+2:], uint16(v))
		}
	}
	return b
}

func TestMP3ThroughLAME(t *testing.T) {
	needs.Program(t, "lame", "lame")
	ffmpeg := needs.Program(t, "ffmpeg", "ffmpeg")
	const rate = 44100
	at := []time.Duration{500 * time.Millisecond, 1500 * time.Millisecond, 2500 * time.Millisecond, 3500 * time.Millisecond}
	tags := Tags{Title: "Bursts (standard)", Album: "cued", Length: 4 * time.Second, Chapters: []Chapter{
		{Title: "One", Start: 500 * time.Millisecond, End: 2 * time.Second},
		{Title: "Two – zwei", Start: 2 * time.Second, End: 4 * time.Second},
	}}
	var mp3 bytes.Buffer
	if err := MP3(context.Background(), &mp3, bytes.NewReader(bursts(rate, 4, at)), tags, Options{Rate: rate, Channels: 2, TempDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "b.mp3")
	if err := os.WriteFile(path, mp3.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("4 s at %d kbit/s: %d bytes", DefaultBitrate, mp3.Len())

	t.Run("ffprobe lists the title and the chapters", func(t *testing.T) {
		info := probe.File(t, path)
		if info.Tags["title"] != tags.Title || info.Tags["album"] != "cued" {
			t.Errorf("tags %v, want title %q and album cued", info.Tags, tags.Title)
		}
		if len(info.Chapters) != len(tags.Chapters) {
			t.Fatalf("chapters %+v, want %d", info.Chapters, len(tags.Chapters))
		}
		for i, c := range info.Chapters {
			w := tags.Chapters[i]
			if c.Title != w.Title || math.Abs(c.Start-w.Start.Seconds()) > 0.001 || math.Abs(c.End-w.End.Seconds()) > 0.001 {
				t.Errorf("chapter %d: %q %.3f-%.3f s, want %q %v-%v", i+1, c.Title, c.Start, c.End, w.Title, w.Start, w.End)
			}
		}
	})
	t.Run("decoded, every burst within 2 ms of its place", func(t *testing.T) {
		pcm, err := exec.Command(ffmpeg, "-v", "error", "-i", path, "-f", "s16le", "-ac", "1", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		frames := len(pcm) / 2
		if d := frames - 4*rate; d < 0 || d > 1152 {
			t.Errorf("decoded %d frames, want %d (the encoder's delay and padding removed) to one MP3 frame more", frames, 4*rate)
		}
		for _, a := range at {
			want := int(a.Seconds() * rate)
			got := -1
			for i := max(want-rate/10, 0); i < min(want+rate/10, frames); i++ {
				if v := int16(binary.LittleEndian.Uint16(pcm[2*i:])); v > 3000 || v < -3000 {
					got = i
					break
				}
			}
			// The burst's first sample above 3000 is its 3rd or 4th
			// (sin rises to 1/4 in 1/24 of a period): allow 2 ms.
			if got < 0 || math.Abs(float64(got-want)) > 0.002*rate {
				t.Errorf("the burst at %v decoded at frame %d, want %d ± 88", a, got, want)
			}
		}
	})
}

func TestMP3WithoutLAME(t *testing.T) {
	err := MP3(context.Background(), &bytes.Buffer{}, bytes.NewReader(nil), Tags{}, Options{Rate: 44100, Channels: 2, Lame: filepath.Join(t.TempDir(), "lame")})
	if !errors.Is(err, ErrNoEncoder) {
		t.Fatalf("got %v, want ErrNoEncoder", err)
	}
}
