// Command synth writes a synthetic session for the render benchmark: a
// timeline in the JSON form of `cued timeline --json` (about 290 s: ~38
// spoken cues of 1-4 s, 150 pacing ticks, countdown pips, breath phases,
// chimes) and a folder of "voice" clips (shaped noise, mono 16-bit WAV,
// peak -1.5 dBFS) named <cue>.wav.
//
//	go run ./bench/cmd/synth -out DIR [-rate 44100]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/cued-dev/cued/bench/internal/wavio"
	"github.com/cued-dev/cued/sequencer"
)

func main() {
	out := flag.String("out", "", "folder to write timeline.json and clips/ into")
	rate := flag.Int("rate", 44100, "sample rate of the clips")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "synth: -out is required")
		os.Exit(2)
	}
	if err := run(*out, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(dir string, rate int) error {
	if err := os.MkdirAll(filepath.Join(dir, "clips"), 0o755); err != nil {
		return err
	}
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	tl := &sequencer.Timeline{Routine: "synthetic", Name: "Synthetic benchmark session", Level: "standard"}
	at, n := 500, 0
	add := func(e sequencer.Event) { tl.Events = append(tl.Events, e) }
	tone := func(kind sequencer.Kind, name string, start, length int, gain float64) {
		add(sequencer.Event{Start: ms(start), Length: ms(length), Kind: kind, Tone: name, GainDB: gain})
	}
	clip := func(id string, secs float64, start int) error {
		path := filepath.Join(dir, "clips", id+".wav")
		samples := int(secs * float64(rate))
		if _, err := os.Stat(path); err != nil {
			if err := wavio.WriteMono16(path, speech(samples, rate, uint64(n)), rate); err != nil {
				return err
			}
		}
		length := (samples*1000 + rate - 1) / rate
		add(sequencer.Event{Start: ms(start), Length: ms(length), Kind: sequencer.KindVoice, Cue: id})
		return nil
	}
	say := func(secs float64) error {
		n++
		if err := clip(fmt.Sprintf("cue-%02d", n), secs, at); err != nil {
			return err
		}
		at += int(secs*1000) + 400
		return nil
	}
	add(sequencer.Event{Kind: sequencer.KindMark, Label: "start"})
	if err := say(3.5); err != nil {
		return err
	}
	for part := range 3 {
		add(sequencer.Event{Start: ms(at), Kind: sequencer.KindMark, Step: part, Label: "part"})
		tone(sequencer.KindTone, "chime", at, 1500, -14)
		at += 1600
		for i := range 7 {
			if err := say(1.5 + float64((i*7+part)%5)*0.6); err != nil {
				return err
			}
		}
		for range 5 {
			tone(sequencer.KindTone, "pip", at, 1000, -16)
			at += 1000
		}
		start := at
		for k := range 50 {
			name := sequencer.ToneTickUp
			if k%2 == 1 {
				name = sequencer.ToneTickDown
			}
			tone(sequencer.KindPacing, name, start+k*800, 800, -22)
		}
		at = start + 12000
		if err := say(2); err != nil {
			return err
		}
		at = start + 30000
		if err := say(1.2); err != nil {
			return err
		}
		at = start + 40000
		for rep := range 2 {
			for _, ph := range []struct {
				name string
				ms   int
			}{{"inhale", 3000}, {"exhale", 4000}, {"hold", 2000}, {"return", 2000}} {
				tone(sequencer.KindBreath, ph.name, at, ph.ms, -20)
				if ph.name == "inhale" {
					if err := clip(sequencer.NumberCue(rep+1), 0.8, at+200); err != nil {
						return err
					}
				}
				at += ph.ms
			}
		}
		if err := say(2.5); err != nil {
			return err
		}
	}
	if err := say(3); err != nil {
		return err
	}
	tone(sequencer.KindTone, "end", at, 2600, -12)
	tl.Length = ms(at + 3000)
	sortEvents(tl.Events)
	b, err := json.MarshalIndent(tl, "", " ")
	if err != nil {
		return err
	}
	fmt.Printf("synth: %s: %d events, %v, %d clips\n", dir, len(tl.Events), tl.Length, n+2)
	return os.WriteFile(filepath.Join(dir, "timeline.json"), b, 0o644)
}

// speech is noise shaped like syllables, faded in and out, peaking at
// -1.5 dBFS.
func speech(n, rate int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 11))
	c := make([]float32, n)
	peak := 0.0
	v := make([]float64, n)
	for i := range v {
		t := float64(i) / float64(rate)
		env := math.Max(0, math.Sin(2*math.Pi*3.5*t)) * math.Min(1, math.Min(float64(i), float64(n-1-i))/441)
		v[i] = env * (r.Float64()*2 - 1)
		peak = math.Max(peak, math.Abs(v[i]))
	}
	for i := range c {
		if peak > 0 {
			c[i] = float32(v[i] / peak * 0.84)
		}
	}
	return c
}

func sortEvents(evs []sequencer.Event) {
	for i := 1; i < len(evs); i++ {
		for j := i; j > 0 && evs[j].Start < evs[j-1].Start; j-- {
			evs[j], evs[j-1] = evs[j-1], evs[j]
		}
	}
}
