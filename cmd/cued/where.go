package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/sequencer"
)

// overlayLead is how far past the sample heard what where and repeat say
// may start, beyond the device buffer: the output plays what it holds,
// then its fade out and in (the session mixed anew), then the words. It
// covers the time to place them and to mix the session anew in the sink
// child (its first where decodes the words' clips: the fade-out came 310
// ms after the request, test/daemon-playback.sh).
const overlayLead = 400 * time.Millisecond

// overlay is the daemon's Overlay: the session spec describes with what
// verb says at sample pos (where: the part, breath or time left; repeat:
// the part's last cue) spoken over it, from the shared words and the
// session's own clips, as soon as it fits.
func (s *server) overlay(spec []byte, pos int, verb api.Verb) (daemon.Said, error) {
	return overlaySpec(spec, pos, verb, s.app.loader(s.memo))
}

func overlaySpec(spec []byte, pos int, verb api.Verb, l clipLoader) (daemon.Said, error) {
	sp, err := decodeSpec(spec)
	if err != nil {
		return daemon.Said{}, err
	}
	if sp.Timeline == nil || sp.Audio.Rate <= 0 {
		return daemon.Said{}, errors.New("session spec: no timeline or rate")
	}
	tl := sp.Timeline
	at := time.Duration(int64(pos) * int64(time.Second) / int64(sp.Audio.Rate))
	var cues []string
	switch verb {
	case api.VerbWhere:
		cues = tl.WhereCues(at)
	case api.VerbRepeat:
		if id := tl.RepeatCue(at); id != "" {
			cues = []string{id}
		}
	default:
		return daemon.Said{}, fmt.Errorf("overlay: verb %q", verb)
	}
	if len(cues) == 0 {
		return daemon.Said{}, &api.Error{Status: http.StatusConflict, Message: fmt.Sprintf("nothing to %s yet: the first part has not said anything", verb)}
	}
	words := sequencer.Words()
	if sp.Texts == nil {
		sp.Texts = map[string]string{}
	}
	var said []string
	for _, id := range cues {
		if _, ok := sp.Texts[id]; !ok {
			sp.Texts[id] = words[id]
		}
		said = append(said, sp.Texts[id])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := Config{Voice: sp.Voice, Audio: sp.Audio}
	bank, err := l.texts(ctx, &c, sp.Texts)
	if err != nil {
		return daemon.Said{}, err
	}
	lead := time.Duration(c.Audio.BufferMS)*time.Millisecond + overlayLead
	out, start, err := tl.Overlay(at+lead, cues, bank)
	if errors.Is(err, sequencer.ErrNoRoom) {
		return daemon.Said{}, &api.Error{Status: http.StatusConflict, Message: err.Error()}
	}
	if err != nil {
		return daemon.Said{}, err
	}
	sp.Timeline = out
	b, err := json.Marshal(sp)
	return daemon.Said{Spec: b, Words: strings.Join(said, " "), Cues: cues, At: start}, err
}
