package audio

import (
	"io"
	"math"
	"testing"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

var fuzzNames = []string{"chime", "pip", "tick-up", "tick-down", "inhale", "exhale", "hold", "return", "end", "odd"}

var fuzzKinds = []sequencer.Kind{sequencer.KindVoice, sequencer.KindTone, sequencer.KindPacing,
	sequencer.KindBreath, sequencer.KindMark}

// fuzzTimeline reads a small timeline from data: 5 bytes per event.
func fuzzTimeline(data []byte) (*sequencer.Timeline, fakeClips, Options) {
	const rate = 16000
	clips := fakeClips{
		"v0": speechLike(rate/3, 1, 1), "v1": speechLike(rate, 0.84, 2),
		"v2": speechLike(3, 1, 3), "v3": {}, "v4": speechLike(rate*2, 0.3, 4),
	}
	o := Options{Rate: rate, DuckDB: -9, Tones: testTones()}
	o.Tones["odd"] = Tone{Freq: 3000, FreqEnd: 50}
	if len(data) > 0 {
		o.DuckDB = -float64(data[0] % 40)
		o.Volume.Voice = float64(int(data[0]/40)*3 - 3)
		data = data[1:]
	}
	tl := &sequencer.Timeline{}
	for len(data) >= 5 && len(tl.Events) < 24 {
		k := fuzzKinds[int(data[0])%len(fuzzKinds)]
		e := sequencer.Event{
			Kind:   k,
			Start:  time.Duration(int(data[1])<<4|int(data[2]>>4)) * time.Millisecond,
			Length: time.Duration(int(data[3])*12+int(data[2]&15)) * time.Millisecond,
			GainDB: float64(int(data[4]%64)) - 50,
		}
		if k == sequencer.KindVoice {
			e.Cue = "v" + string(rune('0'+int(data[4])%5))
		} else {
			e.Tone = fuzzNames[int(data[0]/5)%len(fuzzNames)]
		}
		tl.Events = append(tl.Events, e)
		data = data[5:]
	}
	sortEvents(tl.Events)
	for _, e := range tl.Events {
		tl.Length = max(tl.Length, e.End())
	}
	return tl, clips, o
}

// FuzzSession: any small timeline mixes without panicking, never reaches
// full scale (nor -1 dBFS), and streams the same in odd chunks as whole.
func FuzzSession(f *testing.F) {
	f.Add([]byte{9, 0, 0, 16, 100, 10, 2, 3, 17, 50, 60, 1, 0, 0, 40, 63})
	f.Add([]byte{200, 0, 1, 0, 200, 63, 1, 1, 0, 250, 63, 2, 1, 5, 250, 63, 3, 1, 9, 100, 63, 40, 0, 0, 0, 0})
	f.Add([]byte{0, 5, 0, 0, 0, 0, 45, 0, 0, 255, 1, 30, 0, 0, 255, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		tl, clips, o := fuzzTimeline(data)
		s, err := NewSession(tl, clips, o)
		if err != nil {
			return
		}
		if err := Render(io.Discard, s, s.Format(), WAV16); err != nil {
			t.Fatal(err)
		}
		_ = s.Seek(0)
		whole := renderAll(t, s)
		for i, f := range whole {
			if !(math.Abs(f[0]) < float64(kneeC)) || f[0] != f[1] {
				t.Fatalf("sample %d = %v", i, f)
			}
		}
		_ = s.Seek(0)
		buf := make([][2]float64, 479)
		for at := 0; ; {
			n, ok := s.Stream(buf)
			for i := range n {
				if buf[i] != whole[at+i] {
					t.Fatalf("chunked sample %d differs", at+i)
				}
			}
			at += n
			if !ok {
				break
			}
		}
	})
}
