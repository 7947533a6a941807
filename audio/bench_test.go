package audio

import (
	"io"
	"testing"
)

func benchSession(b *testing.B) *Session {
	tl, clips := realistic(44100)
	s, err := NewSession(tl, clips, testOptions(44100))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// reportRealtime reports how many seconds of session one second of CPU
// renders, for frames rendered per op.
func reportRealtime(b *testing.B, frames, rate int) {
	secs := float64(frames) / float64(rate) * float64(b.N)
	b.ReportMetric(secs/b.Elapsed().Seconds(), "x-realtime")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(float64(frames)*float64(b.N)), "ns/frame")
}

// BenchmarkRender is `cued render`'s work: a realistic ~290 s session
// mixed and encoded as 16-bit WAV (to io.Discard).
func BenchmarkRender(b *testing.B) {
	s := benchSession(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Seek(0)
		if err := Render(io.Discard, s, s.Format(), WAV16); err != nil {
			b.Fatal(err)
		}
	}
	reportRealtime(b, s.Len(), 44100)
}

// BenchmarkMix is the mix alone: the same session streamed in 4096-frame
// reads, no encoding.
func BenchmarkMix(b *testing.B) {
	s := benchSession(b)
	buf := make([][2]float64, 4096)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Seek(0)
		for {
			if _, ok := s.Stream(buf); !ok {
				break
			}
		}
	}
	reportRealtime(b, s.Len(), 44100)
}

// BenchmarkStream512 is the speaker's steady state: one 512-frame buffer
// per op, which must not allocate.
func BenchmarkStream512(b *testing.B) {
	s := benchSession(b)
	buf := make([][2]float64, 512)
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.Stream(buf); !ok {
			_ = s.Seek(0)
		}
	}
	reportRealtime(b, 512, 44100)
}

// BenchmarkNewSession is the up-front cost: synthesising the tones,
// splitting clips and planning segments.
func BenchmarkNewSession(b *testing.B) {
	tl, clips := realistic(44100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewSession(tl, clips, testOptions(44100)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheck is what the daemon does instead of NewSession: every
// check, no tone synthesised.
func BenchmarkCheck(b *testing.B) {
	tl, clips := realistic(44100)
	o := testOptions(44100)
	b.ReportAllocs()
	for b.Loop() {
		if err := Check(tl, clips, o); err != nil {
			b.Fatal(err)
		}
	}
}
