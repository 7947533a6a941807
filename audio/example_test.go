package audio_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
	"github.com/cued-dev/cued/sounds"
	"github.com/cued-dev/cued/voice"
)

// Example is the path every `cued render` and `cued play` takes: a routine
// parsed from YAML, its voice clips loaded from the built-in pack, the
// timeline compiled with their lengths, the session mixed and rendered as
// a 16-bit WAV file.
func Example() {
	src := []byte(`id: demo
name: Demo
intro:
  - cue: basic-intro
    say: Basic thoracic spine roll.
steps:
  - id: roll
    name: Segment roll
    start: {cue: basic-move-roller, say: Move the roller.}
    work: 10s
`)
	r, err := routine.Parse("demo.yaml", src)
	if err != nil {
		fmt.Println(err)
		return
	}
	bank, err := voice.Load(context.Background(), voice.Options{
		Rate:  44100,
		Packs: []voice.Pack{{Name: "built-in", FS: sounds.Default}},
		Texts: sequencer.CueTexts(r),
		Synth: voice.SynthNone,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tl, err := sequencer.Compile(r, sequencer.Options{Level: routine.Gentle}, bank)
	if err != nil {
		fmt.Println(err)
		return
	}
	tones := map[string]audio.Tone{ // config.yaml's audio.tones
		"chime": {Freq: 660, FreqEnd: 990}, "pip": {Freq: 1000, FreqEnd: 1000},
		"zero": {Freq: 1000, FreqEnd: 667}, "end": {Freq: 523, FreqEnd: 784},
		"tick-up": {Freq: 520, FreqEnd: 520}, "tick-down": {Freq: 390, FreqEnd: 390},
	}
	s, err := audio.NewSession(tl, bank, audio.Options{Rate: 44100, DuckDB: -9, Tones: tones})
	if err != nil {
		fmt.Println(err)
		return
	}
	var wav bytes.Buffer
	if err := audio.Render(&wav, s, s.Format(), audio.WAV16); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (level %s): %d parts, %d events, %v\n", tl.Routine, tl.Level, len(tl.Steps), len(tl.Events), tl.Length)
	fmt.Printf("%d samples, %d bytes of WAV\n", s.Len(), wav.Len())
	// Output:
	// demo (level gentle): 1 parts, 13 events, 23.852s
	// 1051873 samples, 4207536 bytes of WAV
}
