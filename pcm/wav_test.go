package pcm

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

func TestWAVRoundTrip(t *testing.T) {
	samples := [][2]float64{{0, 0}, {0.5, -0.5}, {-1, 1}, {0.25, 0.125}}
	for _, tc := range []struct {
		name  string
		float bool
		bits  int
	}{{"s16", false, 16}, {"f32", true, 32}} {
		t.Run(tc.name, func(t *testing.T) {
			b := WAVHeader(tc.float, 44100, 2, len(samples))
			for _, f := range samples {
				for _, v := range f {
					if tc.float {
						b = binary.LittleEndian.AppendUint32(b, math.Float32bits(float32(v)))
					} else {
						b = binary.LittleEndian.AppendUint16(b, uint16(S16(v)))
					}
				}
			}
			if got := binary.LittleEndian.Uint32(b[4:]); int(got) != len(b)-8 {
				t.Errorf("RIFF size %d, want %d", got, len(b)-8)
			}
			w, err := ParseWAV(b)
			if err != nil {
				t.Fatal(err)
			}
			if w.Rate != 44100 || len(w.Chans) != 2 || w.Len() != len(samples) || w.Bits != tc.bits {
				t.Fatalf("rate %d, %d channels, %d frames, %d bits", w.Rate, len(w.Chans), w.Len(), w.Bits)
			}
			for i, f := range samples {
				for c, v := range f {
					want := v
					if !tc.float {
						want = float64(S16(v)) / 32768
					}
					if w.Chans[c][i] != want {
						t.Errorf("frame %d channel %d = %g, want %g", i, c, w.Chans[c][i], want)
					}
				}
			}
		})
	}
}

func TestWAVHeaderUnknownSize(t *testing.T) {
	h := WAVHeader(false, 48000, 1, -1)
	if len(h) != 44 || binary.LittleEndian.Uint32(h[4:]) != 0xFFFFFFFF || binary.LittleEndian.Uint32(h[40:]) != 0xFFFFFFFF {
		t.Fatalf("header % x", h)
	}
	// A stream's header: the data runs to the end of the file.
	w, err := ParseWAV(append(h, 1, 0, 2, 0))
	if err != nil || w.Len() != 2 {
		t.Fatalf("%v, %d frames", err, w.Len())
	}
}

func FuzzParseWAV(f *testing.F) {
	f.Add(WAVHeader(false, 44100, 2, 0))
	f.Add(append(WAVHeader(true, 44100, 1, 1), 0, 0, 128, 63))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWAV(b)
		if err != nil {
			return
		}
		for _, c := range w.Chans {
			if len(c) != w.Len() {
				t.Fatalf("channels of %d and %d frames", len(c), w.Len())
			}
		}
		if !bytes.HasPrefix(b, []byte("RIFF")) {
			t.Fatal("parsed a file that is not RIFF")
		}
	})
}
