package audio

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

// Clips is what the mixer needs from the voice bank (voice.Bank implements
// it): the samples of a spoken cue clip, mono float32 at the output rate.
// The mixer only reads them, keeps references to them for the life of the
// Session and never modifies them; the bank must not modify them either
// while a Session uses them.
type Clips interface {
	// Clip returns the samples of the clip id, and false if the bank has
	// no such clip.
	Clip(id string) ([]float32, bool)
}

// Tone is the pitch of one tone name. Freq and FreqEnd are in Hz; a tone
// whose two values differ moves from Freq to FreqEnd: a linear sweep over the
// event for breath tones, two successive notes for the chimes (and a third,
// both together, for the end chime), a sweep over the short sound for ticks
// and pips. Equal values give a constant pitch.
type Tone struct {
	Freq, FreqEnd float64
}

// Options are the mixer's settings; config.yaml's audio section maps onto
// them.
type Options struct {
	// Rate is the output sample rate in Hz (44100 or 48000); clips must be
	// at this rate already.
	Rate int
	// DuckDB (zero or negative) is how far every non-voice sound drops while
	// a voice clip plays, e.g. -9.
	DuckDB float64
	// Volume is the listener's levels, on top of each event's own GainDB.
	Volume Volume
	// Tones gives the pitch of each tone name. A tone name the timeline
	// uses and this map lacks is an error from NewSession that names it.
	Tones map[string]Tone
}

// Volume is the listener's levels in dB (0: as the routine and the
// voice pack made them): Master on every sound, and one per kind of sound
// on top of it. The wake-up hum (sequencer.KindWake) takes none: it must
// stay what keeps an output awake, and it is below hearing at any level.
type Volume struct {
	Master  float64 `json:"master"`
	Voice   float64 `json:"voice"`   // the spoken cues
	Pacing  float64 `json:"pacing"`  // the rhythm's ticks
	Signals float64 `json:"signals"` // chimes, countdown pips, the end, the reminder
	Breath  float64 `json:"breath"`  // the breath tones
}

// Volume limits, in dB: from inaudible under anything else to loud.
const (
	MinVolume = -60
	MaxVolume = 12
)

// ErrVolume is wrapped by Volume.Check's errors.
var ErrVolume = errors.New("volume out of range")

// Check returns an error wrapping ErrVolume that names the first level
// outside MinVolume to MaxVolume.
func (v Volume) Check() error {
	for _, l := range []struct {
		name string
		db   float64
	}{{"master", v.Master}, {"voice", v.Voice}, {"pacing", v.Pacing}, {"signals", v.Signals}, {"breath", v.Breath}} {
		if !(l.db >= MinVolume && l.db <= MaxVolume) {
			return fmt.Errorf("audio: %w: %s %g dB (use %d to %+d)", ErrVolume, l.name, l.db, MinVolume, MaxVolume)
		}
	}
	return nil
}

// DB is the level in dB that v gives a sound of kind k.
func (v Volume) DB(k sequencer.Kind) float64 {
	switch k {
	case sequencer.KindVoice:
		return v.Master + v.Voice
	case sequencer.KindPacing:
		return v.Master + v.Pacing
	case sequencer.KindTone:
		return v.Master + v.Signals
	case sequencer.KindBreath:
		return v.Master + v.Breath
	}
	return 0
}

// Mixer constants. They are part of the sound: changing one changes every
// render (and the golden test).
const (
	// duckRamp is the length of the raised-cosine ramps into and out of
	// ducking.
	duckRamp = 30 * time.Millisecond
	// voiceFade is the fade applied at each end of a voice clip, so that a
	// clip that does not start or end at zero cannot click.
	voiceFade = 2 * time.Millisecond
	// chunkFrames is the size of the internal mono mix buffer.
	chunkFrames = 1024
)

// Limiter knee: samples below kneeT pass unchanged; above it a soft curve
// approaches kneeC (-1 dBFS) and never reaches it.
var (
	kneeT = float32(dbToGain(-1.5))
	kneeC = float32(dbToGain(-1.0))
)

func (o *Options) validate() error {
	if o.Rate < 8000 || o.Rate > 192000 {
		return fmt.Errorf("audio: sample rate %d Hz is out of range (use 44100 or 48000)", o.Rate)
	}
	if math.IsNaN(o.DuckDB) || o.DuckDB > 0 || o.DuckDB < -120 {
		return fmt.Errorf("audio: duck level %g dB must be between -120 and 0", o.DuckDB)
	}
	if err := o.Volume.Check(); err != nil {
		return err
	}
	for name, t := range o.Tones {
		nyq := float64(o.Rate) / 2
		if !(t.Freq > 0 && t.Freq < nyq && t.FreqEnd > 0 && t.FreqEnd < nyq) {
			return fmt.Errorf("audio: tone %q: frequencies %g-%g Hz must be above 0 and below %g Hz",
				name, t.Freq, t.FreqEnd, nyq)
		}
	}
	return nil
}

// samples converts a timeline time to a sample index at rate: the floor of
// d*rate/1s, as the sequencer documents.
func samples(d time.Duration, rate int) int {
	s, r := int64(d), int64(rate)
	// Split to avoid overflow for very long times.
	sec, rem := s/int64(time.Second), s%int64(time.Second)
	return int(sec*r + rem*r/int64(time.Second))
}

// dbToGain converts decibels to an amplitude factor.
func dbToGain(db float64) float64 {
	return expDet(db * (math.Ln10 / 20))
}

// expDet returns e**x using only basic float64 arithmetic. math.Exp uses
// FMA instructions on CPUs that have them, which can change the last bit of
// a result from one machine to the next; sounds made with expDet are the
// same everywhere, which keeps renders (and the golden test) reproducible.
func expDet(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 709:
		return math.Inf(1)
	case x < -745:
		return 0
	}
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
	)
	k := math.Floor(x*math.Log2E + 0.5)
	r := (x - k*ln2Hi) - k*ln2Lo // |r| <= ln2/2
	p, term := 1.0, 1.0
	for i := 1; i <= 16; i++ {
		term = term * r / float64(i)
		p += term
	}
	return math.Ldexp(p, int(k))
}
