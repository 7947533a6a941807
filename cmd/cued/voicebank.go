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

// clipLoader loads voice clips: memo (nil: none) keeps them in memory for
// the next load, in the processes that play many sessions; warn reports
// what a load went without (a clip missing from every pack, spoken by a
// synthesiser or stood in by a tone).
type clipLoader struct {
	memo *voice.Memo
	warn func(msg string)
}

// loader is a clipLoader that warns as a does.
func (a *app) loader(memo *voice.Memo) clipLoader { return clipLoader{memo: memo, warn: a.warn} }

// routines decodes (or reads from the cache) every clip the routines
// speak, as config c says.
func (l clipLoader) routines(ctx context.Context, c *Config, rs ...*routine.Routine) (*voice.Bank, error) {
	return l.texts(ctx, c, sequencer.CueTexts(rs...))
}

// texts decodes (or reads from the cache) the clips of texts (cue id to
// text), as config c says.
func (l clipLoader) texts(ctx context.Context, c *Config, texts map[string]string) (*voice.Bank, error) {
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
		Logf:     func(format string, args ...any) { l.warn(fmt.Sprintf(format, args...)) },
		Memo:     l.memo,
	})
}

// clipLengths returns the exact clip lengths of the routines' cues, so that
// the timeline printed is the one played.
func (a *app) clipLengths(ctx context.Context, rs ...*routine.Routine) (sequencer.ClipLengths, error) {
	return a.loader(nil).routines(ctx, &a.cfg, rs...)
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
func (a *app) prepareSession(ctx context.Context, name string, f *sessionFlags) (*audio.Session, *sequencer.Timeline, error) {
	r, err := a.findRoutine(name)
	if err != nil {
		return nil, nil, err
	}
	return prepareRoutine(ctx, &a.cfg, r, f, a.loader(nil))
}

// findRoutine is the routine name names: an id among the built-in
// routines and the user's folders, or a file.
func (a *app) findRoutine(name string) (*routine.Routine, error) {
	set, err := a.loadRoutines()
	if err != nil {
		return nil, err
	}
	return set.Find(name)
}

// prepareRoutine loads the routine's clips, compiles its timeline and builds
// the mix: everything slow happens here, before any sound. `cued play`,
// `cued render` and the daemon all go through it, so what plays is what
// renders.
func prepareRoutine(ctx context.Context, c *Config, r *routine.Routine, f *sessionFlags, l clipLoader) (*audio.Session, *sequencer.Timeline, error) {
	tl, bank, err := compileRoutine(ctx, c, r, f, l)
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
// their lengths: all that the daemon does before its sink child mixes.
func compileRoutine(ctx context.Context, c *Config, r *routine.Routine, f *sessionFlags, l clipLoader) (*sequencer.Timeline, *voice.Bank, error) {
	o, err := f.options(c)
	if err != nil {
		return nil, nil, err
	}
	bank, err := l.routines(ctx, c, r)
	if err != nil {
		return nil, nil, err
	}
	tl, err := sequencer.Compile(r, o, bank)
	if err != nil {
		return nil, nil, err
	}
	return tl, bank, nil
}
