package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
	"github.com/cued-dev/cued/sounds"
	"github.com/cued-dev/cued/voice"
)

// voicePacks are the packs searched for each cue: the user's, then the
// built-in one.
func voicePacks() []voice.Pack {
	var ps []voice.Pack
	if cfg.Voice.Pack != "" {
		ps = append(ps, voice.Pack{Name: cfg.Voice.Pack, FS: os.DirFS(cfg.Voice.Pack)})
	}
	return append(ps, voice.Pack{Name: "built-in", FS: sounds.Default})
}

// voiceWarn reports what loading the voice went without (a clip missing
// from every pack, spoken by a synthesiser or stood in by a tone): one line
// on stderr, or the daemon's log under `cued serve`.
var voiceWarn = func(msg string) { fmt.Fprintln(os.Stderr, "cued: "+msg) }

// loadBank decodes (or reads from the cache) every clip the routines speak.
func loadBank(ctx context.Context, rs ...*routine.Routine) (*voice.Bank, error) {
	cache := cfg.Voice.CacheDir
	if cache == "" {
		cache = filepath.Join(cacheHome(), "cued")
	}
	if cfg.Voice.Pack != "" {
		if fi, err := os.Stat(cfg.Voice.Pack); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("voice.pack %q is not a folder (set it to a folder of <cue-id>.mp3 files, or to \"\")", cfg.Voice.Pack)
		}
	}
	return voice.Load(ctx, voice.Options{
		Rate:     cfg.Audio.Rate,
		Packs:    voicePacks(),
		Texts:    sequencer.CueTexts(rs...),
		CacheDir: filepath.Join(cache, "clips"),
		Synth:    cfg.Voice.Synth,
		Logf: func(format string, args ...any) { voiceWarn(fmt.Sprintf(format, args...)) },
	})
}

// clipLengths returns the exact clip lengths of the routines' cues, so that
// the timeline printed is the one played.
func clipLengths(ctx context.Context, rs ...*routine.Routine) (sequencer.ClipLengths, error) {
	return loadBank(ctx, rs...)
}

// mixOptions maps the audio section of the config onto the mixer's options.
func mixOptions() audio.Options {
	tones := map[string]audio.Tone{}
	for name, t := range cfg.Audio.Tones {
		tones[name] = audio.Tone{Freq: t.Freq, FreqEnd: t.FreqEnd}
	}
	return audio.Options{Rate: cfg.Audio.Rate, DuckDB: cfg.Audio.DuckDB, VoiceDB: cfg.Audio.VoiceDB, Tones: tones}
}

// prepareSession finds the routine by id or path and prepares its session
// (see prepareRoutine).
func prepareSession(ctx context.Context, name string, f *sessionFlags) (*audio.Session, *sequencer.Timeline, error) {
	set, err := loadRoutines()
	if err != nil {
		return nil, nil, err
	}
	r, err := set.Find(name)
	if err != nil {
		return nil, nil, err
	}
	return prepareRoutine(ctx, r, f)
}

// prepareRoutine loads the routine's clips, compiles its timeline and builds
// the mix: everything slow happens here, before any sound. `cued play`,
// `cued render` and the daemon all go through it, so what plays is what
// renders.
func prepareRoutine(ctx context.Context, r *routine.Routine, f *sessionFlags) (*audio.Session, *sequencer.Timeline, error) {
	o, err := f.options()
	if err != nil {
		return nil, nil, err
	}
	bank, err := loadBank(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	tl, err := sequencer.Compile(r, o, bank)
	if err != nil {
		return nil, nil, err
	}
	s, err := audio.NewSession(tl, bank, mixOptions())
	if err != nil {
		return nil, nil, err
	}
	return s, tl, nil
}
