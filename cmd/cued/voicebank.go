package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/internal/userfile"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
	"github.com/cued-dev/cued/sounds"
	"github.com/cued-dev/cued/voice"
)

// voicePacks are the packs searched for each cue: the user's (config c),
// then the built-in one.
func voicePacks(c *Config) []voice.Pack {
	var ps []voice.Pack
	if c.Voice.Pack != "" {
		ps = append(ps, voice.Pack{Name: c.Voice.Pack, FS: userfile.DirFS{Dir: c.Voice.Pack, What: "a voice clip"}})
	}
	return append(ps, voice.Pack{Name: "built-in", FS: sounds.Default})
}

// voiceWarn reports what loading the voice went without (a clip missing
// from every pack, spoken by a synthesiser or stood in by a tone): one line
// on stderr, or the daemon's log under `cued serve`.
var voiceWarn = func(msg string) { fmt.Fprintln(os.Stderr, "cued: "+msg) }

// loadBank decodes (or reads from the cache) every clip the routines speak,
// as config c says.
func loadBank(ctx context.Context, c *Config, memo *voice.Memo, rs ...*routine.Routine) (*voice.Bank, error) {
	return loadBankTexts(ctx, c, sequencer.CueTexts(rs...), memo)
}

// loadBankTexts decodes (or reads from the cache) the clips of texts (cue
// id to text), as config c says; memo (nil: none) keeps them in memory for
// the next load, in the processes that play many sessions.
func loadBankTexts(ctx context.Context, c *Config, texts map[string]string, memo *voice.Memo) (*voice.Bank, error) {
	cache := c.Voice.CacheDir
	if cache == "" {
		cache = filepath.Join(cacheHome(), "cued")
	}
	if c.Voice.Pack != "" {
		if fi, err := os.Stat(c.Voice.Pack); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("voice.pack %q is not a folder (set it to a folder of <cue-id>.mp3 files, or to \"\")", c.Voice.Pack)
		}
	}
	return voice.Load(ctx, voice.Options{
		Rate:     c.Audio.Rate,
		Packs:    voicePacks(c),
		Texts:    texts,
		CacheDir: filepath.Join(cache, "clips"),
		Synth:    c.Voice.Synth,
		Logf:     func(format string, args ...any) { voiceWarn(fmt.Sprintf(format, args...)) },
		Memo:     memo,
	})
}

// clipLengths returns the exact clip lengths of the routines' cues, so that
// the timeline printed is the one played.
func clipLengths(ctx context.Context, rs ...*routine.Routine) (sequencer.ClipLengths, error) {
	return loadBank(ctx, &cfg, nil, rs...)
}

// mixOptions maps the audio section of config c onto the mixer's options.
func mixOptions(c *Config) audio.Options {
	tones := map[string]audio.Tone{}
	for name, t := range c.Audio.Tones {
		tones[name] = audio.Tone{Freq: t.Freq, FreqEnd: t.FreqEnd}
	}
	return audio.Options{Rate: c.Audio.Rate, DuckDB: c.Audio.DuckDB, Volume: c.Audio.Volume.volume(), Tones: tones}
}

// prepareSession finds the routine by id or path and prepares its session
// (see prepareRoutine).
func prepareSession(ctx context.Context, name string, f *sessionFlags) (*audio.Session, *sequencer.Timeline, error) {
	r, err := findRoutine(name)
	if err != nil {
		return nil, nil, err
	}
	return prepareRoutine(ctx, &cfg, r, f)
}

// findRoutine is the routine name names: an id among the built-in
// routines and the user's folders, or a file.
func findRoutine(name string) (*routine.Routine, error) {
	set, err := loadRoutines()
	if err != nil {
		return nil, err
	}
	return set.Find(name)
}

// prepareRoutine loads the routine's clips, compiles its timeline and builds
// the mix: everything slow happens here, before any sound. `cued play`,
// `cued render` and the daemon all go through it, so what plays is what
// renders.
func prepareRoutine(ctx context.Context, c *Config, r *routine.Routine, f *sessionFlags) (*audio.Session, *sequencer.Timeline, error) {
	tl, bank, err := compileRoutine(ctx, c, r, f, nil)
	if err != nil {
		return nil, nil, err
	}
	s, err := audio.NewSession(tl, bank, mixOptions(c))
	if err != nil {
		return nil, nil, err
	}
	return s, tl, nil
}

// compileRoutine loads the routine's clips and compiles its timeline with
// their lengths: all that the daemon does before its sink child mixes
// (memo: see loadBankTexts).
func compileRoutine(ctx context.Context, c *Config, r *routine.Routine, f *sessionFlags, memo *voice.Memo) (*sequencer.Timeline, *voice.Bank, error) {
	o, err := f.options(c)
	if err != nil {
		return nil, nil, err
	}
	bank, err := loadBank(ctx, c, memo, r)
	if err != nil {
		return nil, nil, err
	}
	tl, err := sequencer.Compile(r, o, bank)
	if err != nil {
		return nil, nil, err
	}
	return tl, bank, nil
}
