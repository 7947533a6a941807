package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/sequencer"
)

// sessionSpec is a session as the daemon's sink child mixes it itself: the
// compiled timeline, the texts of the cues it speaks, and what of the
// config the voice bank and the mix use. The daemon compiles and checks
// the session; the child rebuilds the identical mix from this, reading the
// voice clips from the cache the daemon filled.
type sessionSpec struct {
	Timeline *sequencer.Timeline `json:"timeline"`
	Texts    map[string]string   `json:"texts"`
	Voice    VoiceConfig         `json:"voice"`
	Audio    AudioConfig         `json:"audio"`
}

// specOf describes the session of timeline tl under config c; texts gives
// the text of (at least) every cue tl speaks.
func specOf(c *Config, tl *sequencer.Timeline, texts map[string]string) ([]byte, error) {
	sp := sessionSpec{Timeline: tl, Texts: map[string]string{}, Voice: c.Voice, Audio: c.Audio}
	for _, e := range tl.Events {
		if e.Kind == sequencer.KindVoice {
			sp.Texts[e.Cue] = texts[e.Cue]
		}
	}
	return json.Marshal(sp)
}

// session rebuilds the mix a spec describes, its clips loaded by l.
func (sp *sessionSpec) session(ctx context.Context, l clipLoader) (*audio.Session, error) {
	if sp.Timeline == nil {
		return nil, fmt.Errorf("session spec: no timeline")
	}
	c := Config{Voice: sp.Voice, Audio: sp.Audio}
	bank, err := l.texts(ctx, &c, sp.Texts)
	if err != nil {
		return nil, err
	}
	return audio.NewSession(sp.Timeline, bank, mixOptions(&c))
}

// decodeSpec reads a spec.
func decodeSpec(b []byte) (*sessionSpec, error) {
	var sp sessionSpec
	if err := json.Unmarshal(b, &sp); err != nil {
		return nil, fmt.Errorf("session spec: %w", err)
	}
	return &sp, nil
}
