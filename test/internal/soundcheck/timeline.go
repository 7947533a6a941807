package soundcheck

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

// Timeline is the part of `cued timeline --json` (docs/timeline.md) that
// the analysis needs.
type Timeline struct {
	Routine  string  `json:"routine"`
	Level    string  `json:"level"`
	LengthMs int     `json:"length_ms"`
	Events   []Event `json:"events"`
}

// Event is one event of the timeline.
type Event struct {
	StartMs  int     `json:"start_ms"`
	LengthMs int     `json:"length_ms"`
	Kind     string  `json:"kind"`
	Cue      string  `json:"cue,omitempty"`
	Tone     string  `json:"tone,omitempty"`
	GainDB   float64 `json:"gain_db"`
	Ducked   bool    `json:"ducked,omitempty"`
	Step     int     `json:"step"`
	Segment  int     `json:"segment"`
	Rep      int     `json:"rep,omitempty"`
	Label    string  `json:"label,omitempty"`
}

// Name is what the event plays: its cue or tone.
func (e Event) Name() string {
	if e.Cue != "" {
		return e.Cue
	}
	if e.Tone != "" {
		return e.Tone
	}
	return e.Label
}

// Sounds reports whether the event makes a sound for the listener (marks
// and waits do not, nor the wake-up hum, which is checked apart: see Hum).
func (e Event) Sounds() bool {
	return e.Kind != "mark" && e.Kind != "wait" && e.Kind != "wake" && e.LengthMs > 0
}

// Hum reports whether the event is the wake-up hum (audio.wake): a sound
// for the output, below hearing.
func (e Event) Hum() bool { return e.Kind == "wake" && e.LengthMs > 0 }

// ReadTimeline decodes `cued timeline --json` output.
func ReadTimeline(r io.Reader) (*Timeline, error) {
	var t Timeline
	if err := json.NewDecoder(r).Decode(&t); err != nil {
		return nil, fmt.Errorf("timeline JSON: %w", err)
	}
	if len(t.Events) == 0 {
		return nil, fmt.Errorf("timeline JSON: no events")
	}
	return &t, nil
}

// ReadTimelineFile reads a file written by `cued timeline --json`.
func ReadTimelineFile(path string) (*Timeline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ReadTimeline(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Tone is the pitch of a tone name, as config.yaml's audio.tones gives it.
type Tone struct {
	Freq    float64 `yaml:"freq"`
	FreqEnd float64 `yaml:"freq_end"`
}

// ReadTones reads audio.tones from a cued config file (other keys are
// ignored here; cued itself validates the file).
func ReadTones(path string) (map[string]Tone, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c struct {
		Audio struct {
			Tones map[string]Tone `yaml:"tones"`
		} `yaml:"audio"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Audio.Tones) == 0 {
		return nil, fmt.Errorf("%s: no audio.tones", path)
	}
	return c.Audio.Tones, nil
}
