package voice

import (
	"math"
	"math/big"
	"testing"
)

var ratePairs = [][2]int{
	{32000, 44100}, {32000, 48000}, {22050, 44100}, {48000, 44100},
	{44100, 48000}, {16000, 44100}, {8000, 48000}, {96000, 44100}, {44101, 48000},
}

func TestResampleLength(t *testing.T) {
	for _, pr := range ratePairs {
		for _, n := range []int{0, 1, 2, 3, 99, 12345, 32000} {
			want := new(big.Int).Mul(big.NewInt(int64(n)), big.NewInt(int64(pr[1])))
			want.Add(want, big.NewInt(int64(pr[0]-1)))
			want.Quo(want, big.NewInt(int64(pr[0])))
			if got := ResampledLen(n, pr[0], pr[1]); int64(got) != want.Int64() {
				t.Errorf("ResampledLen(%d, %d, %d) = %d, want ceil = %d", n, pr[0], pr[1], got, want)
			}
			if got := len(Resample(make([]float32, n), pr[0], pr[1])); got != ResampledLen(n, pr[0], pr[1]) {
				t.Errorf("%d -> %d Hz, %d samples: len %d, want %d", pr[0], pr[1], n, got, ResampledLen(n, pr[0], pr[1]))
			}
		}
	}
	// One second stays one second, exactly.
	if got := len(Resample(make([]float32, 32000), 32000, 44100)); got != 44100 {
		t.Errorf("1 s at 32 kHz -> %d samples at 44.1 kHz", got)
	}
}

func sine(n, rate int, f, amp float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(amp * math.Sin(2*math.Pi*f*float64(i)/float64(rate)))
	}
	return s
}

// TestResampleSine checks that a 1 kHz tone keeps its frequency, phase and
// amplitude: away from the ends, the output matches the ideal sine sampled
// at the new rate within -90 dB of the tone.
func TestResampleSine(t *testing.T) {
	for _, pr := range ratePairs {
		from, to := pr[0], pr[1]
		in := sine(from, from, 1000, 0.5)
		out := Resample(in, from, to)
		var worst float64
		for j := to / 10; j < len(out)-to/10; j++ {
			ideal := 0.5 * math.Sin(2*math.Pi*1000*float64(j)/float64(to))
			worst = max(worst, math.Abs(float64(out[j])-ideal))
		}
		db := 20 * math.Log10(worst/0.5)
		t.Logf("%d -> %d Hz: 1 kHz tone, worst error %.1f dB below the tone", from, to, -db)
		if db > -90 {
			t.Errorf("%d -> %d Hz: 1 kHz tone error %.1f dB, want below -90 dB", from, to, db)
		}
	}
}

// TestResamplePassband measures the gain at frequencies up to 0.8 of the
// lower Nyquist frequency: flat within 0.05 dB.
func TestResamplePassband(t *testing.T) {
	for _, pr := range [][2]int{{32000, 44100}, {48000, 44100}} {
		from, to := pr[0], pr[1]
		nyq := float64(min(from, to)) / 2
		for _, frac := range []float64{0.05, 0.3, 0.6, 0.8} {
			f := frac * nyq
			out := Resample(sine(from, from, f, 0.5), from, to)
			a := toneAmplitude(out[to/10:len(out)-to/10], to, f)
			db := 20 * math.Log10(a/0.5)
			if math.Abs(db) > 0.05 {
				t.Errorf("%d -> %d Hz: gain at %.0f Hz %.3f dB, want within 0.05 dB", from, to, f, db)
			}
		}
	}
}

// TestResampleAliasing measures what is left of tones that the new rate
// cannot hold (downsampling) and of the images that upsampling would make.
func TestResampleAliasing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		from, to int
		f        float64 // tone in
		image    float64 // where its alias or image would appear
		minDB    float64 // required attenuation
	}{
		{"alias of a tone above 22.05 kHz", 48000, 44100, 23000, 21100, 95},
		{"just above the new Nyquist", 48000, 44100, 22300, 21800, 90},
		{"44.1 -> 32 kHz, alias at 15 kHz", 44100, 32000, 17000, 15000, 90},
		{"upsampling: image at 32-14 kHz", 32000, 44100, 14000, 18000, 90},
		{"upsampling: image at 22.05-10 kHz", 22050, 48000, 10000, 12050, 90},
		{"a tone in the transition band", 32000, 44100, 15500, 16500, 90},
		{"big step down", 96000, 44100, 30000, 14100, 90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := Resample(sine(tc.from, tc.from, tc.f, 0.5), tc.from, tc.to)
			mid := out[tc.to/10 : len(out)-tc.to/10]
			left := 20 * math.Log10(toneAmplitude(mid, tc.to, tc.image)/0.5)
			t.Logf("%d -> %d Hz, %.0f Hz tone: alias/image at %.0f Hz is %.1f dB down", tc.from, tc.to, tc.f, tc.image, -left)
			if -left < tc.minDB {
				t.Errorf("%d -> %d Hz, %.0f Hz tone: alias/image %.1f dB down, want at least %.0f dB", tc.from, tc.to, tc.f, -left, tc.minDB)
			}
		})
	}
}

func TestResampleDeterministic(t *testing.T) {
	in := sine(8000, 32000, 440, 0.3)
	a, b := Resample(in, 32000, 44100), Resample(in, 32000, 44100)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("sample %d differs between runs", i)
		}
	}
	if c := Resample(in, 32000, 32000); &c[0] == &in[0] || len(c) != len(in) {
		t.Error("equal rates must return a copy")
	}
}

func BenchmarkResample32to44(b *testing.B) {
	in := sine(32000*10, 32000, 440, 0.3)
	b.SetBytes(int64(len(in) * 4))
	for b.Loop() {
		Resample(in, 32000, 44100)
	}
	b.ReportMetric(10*float64(b.N)/b.Elapsed().Seconds(), "x-realtime")
}
