// Command cuedmix renders a timeline JSON and a folder of <cue>.wav clips
// with cued's mixer (package audio), as `cued render` does, for the render
// benchmark while the CLI cannot yet take a timeline file. It reports the
// time spent preparing (NewSession) and rendering on stderr.
//
//	go run ./bench/cmd/cuedmix -timeline T.json -clips DIR -out out.wav [-format s16|f32|raw]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/bench/internal/wavio"
	"github.com/cued-dev/cued/sequencer"
)

// tones is config.yaml's tones section.
var tones = map[string]audio.Tone{
	"chime": {Freq: 660, FreqEnd: 990}, "pip": {Freq: 1000, FreqEnd: 1000},
	"tick-up": {Freq: 520, FreqEnd: 520}, "tick-down": {Freq: 390, FreqEnd: 390},
	"inhale": {Freq: 220, FreqEnd: 330}, "exhale": {Freq: 330, FreqEnd: 196},
	"hold": {Freq: 262, FreqEnd: 262}, "return": {Freq: 196, FreqEnd: 220},
	"end": {Freq: 523, FreqEnd: 784},
}

// folder is a voice bank of WAV files loaded up front.
type folder map[string][]float32

func (f folder) Clip(id string) ([]float32, bool) { c, ok := f[id]; return c, ok }

func main() {
	tlPath := flag.String("timeline", "", "timeline JSON (cued timeline --json)")
	clips := flag.String("clips", "", "folder of <cue>.wav clips at -rate")
	out := flag.String("out", "", "output file (- for stdout)")
	format := flag.String("format", "s16", "s16, f32 or raw")
	rate := flag.Int("rate", 44100, "sample rate")
	flag.Parse()
	if err := run(*tlPath, *clips, *out, *format, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "cuedmix:", err)
		os.Exit(1)
	}
}

func run(tlPath, dir, out, format string, rate int) error {
	enc, err := audio.ParseEncoding(format)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(tlPath)
	if err != nil {
		return err
	}
	var tl sequencer.Timeline
	if err := json.Unmarshal(b, &tl); err != nil {
		return err
	}
	bank := folder{}
	for _, e := range tl.Events {
		if e.Kind != sequencer.KindVoice || bank[e.Cue] != nil {
			continue
		}
		c, r, err := wavio.Read(filepath.Join(dir, e.Cue+".wav"))
		if err != nil {
			return err
		}
		if r != rate {
			return fmt.Errorf("clip %s is at %d Hz, not %d", e.Cue, r, rate)
		}
		bank[e.Cue] = c
	}
	t0 := time.Now()
	s, err := audio.NewSession(&tl, bank, audio.Options{Rate: rate, DuckDB: -9, Tones: tones})
	if err != nil {
		return err
	}
	prep := time.Since(t0)
	w := os.Stdout
	if out != "-" {
		if w, err = os.Create(out); err != nil {
			return err
		}
		defer w.Close()
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	t1 := time.Now()
	if err := audio.Render(bw, s, s.Format(), enc); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	took := time.Since(t1)
	secs := float64(s.Len()) / float64(rate)
	fmt.Fprintf(os.Stderr, "cuedmix: %.1f s of session: prepare %v, render %v (%.0fx realtime)\n",
		secs, prep.Round(time.Microsecond), took.Round(time.Microsecond), secs/took.Seconds())
	return nil
}
