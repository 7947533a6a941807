// Command playwav plays a 16-bit WAV file (such as `cued render` output)
// through package playback, the stack `cued play` uses (the ALSA writer thread,
// ALSA), so that the real-playback test can check the device path on its
// own. The samples reach the player such that its 16-bit conversion gives
// back exactly the file's values.
//
//	go run ./test/cmd/playwav [-buffer-ms 40] FILE.wav
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/gopxl/beep/v2"

	"github.com/cued-dev/cued/internal/soundcheck"
	"github.com/cued-dev/cued/playback"
)

// pcm is a beep.StreamSeeker over 16-bit samples.
type pcm struct {
	l, r []float64
	pos  int
}

func (p *pcm) Stream(s [][2]float64) (int, bool) {
	if p.pos >= len(p.l) {
		return 0, false
	}
	n := 0
	for n < len(s) && p.pos < len(p.l) {
		s[n] = [2]float64{p.l[p.pos], p.r[p.pos]}
		n++
		p.pos++
	}
	return n, true
}
func (p *pcm) Err() error    { return nil }
func (p *pcm) Len() int      { return len(p.l) }
func (p *pcm) Position() int { return p.pos }
func (p *pcm) Seek(q int) error {
	if q < 0 || q > len(p.l) {
		return errors.New("seek out of range")
	}
	p.pos = q
	return nil
}

// exact maps a 16-bit value v (as v/32768) to a float that the player's
// conversion (clamp, times 32767, truncate) turns back into v.
func exact(c []float64) []float64 {
	out := make([]float64, len(c))
	for i, x := range c {
		v := x * 32768
		switch {
		case v > 0:
			out[i] = (v + 0.5) / 32767
		case v < 0:
			out[i] = (v - 0.5) / 32767
		}
	}
	return out
}

func main() {
	buf := flag.Int("buffer-ms", 40, "device buffer (config audio.buffer_ms)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: playwav [-buffer-ms N] FILE.wav")
		os.Exit(2)
	}
	a, err := soundcheck.ReadWAVFile(flag.Arg(0))
	if err != nil || a.Bits != 16 {
		fmt.Fprintln(os.Stderr, "playwav: want a 16-bit WAV:", err)
		os.Exit(2)
	}
	l := exact(a.Chans[0])
	r := l
	if len(a.Chans) > 1 {
		r = exact(a.Chans[1])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f := beep.Format{SampleRate: beep.SampleRate(a.Rate), NumChannels: 2, Precision: 2}
	if err := playback.Play(ctx, &pcm{l: l, r: r}, f, playback.Options{BufferMS: *buf, Output: playback.Output(os.Getenv("CUED_AUDIO_OUTPUT"))}, nil); err != nil {
		fmt.Fprintln(os.Stderr, "playwav:", err)
		os.Exit(1)
	}
}
