package audio

import (
	"math"
	"strings"
	"testing"

	"github.com/cued-dev/cued/sequencer"
)

func TestErrors(t *testing.T) {
	clips := fakeClips{"a": speechLike(100, 0.5, 1)}
	cases := []struct {
		name string
		tl   *sequencer.Timeline
		o    func(*Options)
		want string
	}{
		{"unknown tone", timeline(1000, toneEv(sequencer.KindTone, "gong", 0, 500, -10)), nil, `"gong"`},
		{"missing clip", timeline(1000, sequencer.Event{Kind: sequencer.KindVoice, Cue: "missing"}), nil, `"missing"`},
		{"unknown kind", timeline(1000, sequencer.Event{Kind: "noise"}), nil, `"noise"`},
		{"negative start", timeline(1000, sequencer.Event{Start: -1, Kind: sequencer.KindMark}), nil, "negative"},
		{"NaN level", timeline(1000, toneEv(sequencer.KindTone, "pip", 0, 500, math.NaN())), nil, "level"},
		{"zero rate", timeline(1000), func(o *Options) { o.Rate = 0 }, "rate"},
		{"duck above 0 dB", timeline(1000), func(o *Options) { o.DuckDB = 3 }, "duck"},
		{"tone at 0 Hz", timeline(1000), func(o *Options) { o.Tones = map[string]Tone{"pip": {0, 10}} }, `"pip"`},
		{"nil timeline", nil, nil, "nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := testOptions(44100)
			if c.o != nil {
				c.o(&o)
			}
			_, err := NewSession(c.tl, clips, o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one naming %s", err, c.want)
			}
		})
	}
	nan := fakeClips{"a": []float32{0, float32(math.NaN())}}
	if _, err := NewSession(timeline(10, sequencer.Event{Kind: sequencer.KindVoice, Cue: "a"}), nan, testOptions(44100)); err == nil {
		t.Error("NaN clip accepted")
	}
}

func TestMarksAndTimes(t *testing.T) {
	tl, clips := separated(44100)
	s, err := NewSession(tl, clips, testOptions(44100))
	if err != nil {
		t.Fatal(err)
	}
	br := s.Sample(msd(3511))
	if br != 154835 || s.Time(br) != 3510997732 {
		t.Fatalf("Sample/Time: %d, %v", br, s.Time(br))
	}
	if m, ok := s.MarkAfter(0); !ok || m != br {
		t.Errorf("MarkAfter(0) = %d, %v", m, ok)
	}
	if _, ok := s.MarkAfter(br); ok {
		t.Error("mark after the last")
	}
	if m, ok := s.MarkBefore(br); !ok || m != 0 {
		t.Errorf("MarkBefore = %d, %v", m, ok)
	}
	if len(s.Marks()) != 2 || s.Len() != 9000*441/10 {
		t.Errorf("marks %v, len %d", s.Marks(), s.Len())
	}
	if f := s.Format(); f.SampleRate != 44100 || f.NumChannels != 2 {
		t.Errorf("format %+v", f)
	}
}

func TestEmptyAndClipPastEnd(t *testing.T) {
	s, err := NewSession(&sequencer.Timeline{}, nil, testOptions(44100))
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := s.Stream(make([][2]float64, 10)); n != 0 || ok || s.Len() != 0 {
		t.Fatalf("empty session: %d, %v", n, ok)
	}
	clips := fakeClips{"a": speechLike(44100, 0.5, 1)}
	s, err = NewSession(timeline(500, voiceEv("a", 0, clips, 44100)), clips, testOptions(44100))
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != 44100 {
		t.Fatalf("len %d: a clip running past the timeline must play whole", s.Len())
	}
}
