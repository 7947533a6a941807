package voice

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// FuzzDecode feeds the clip decoder arbitrary bytes, seeded with the
// awkward files of testdata: it must never panic, must fail only with
// ErrFormat or ErrTooLong, must return finite samples within the length
// cap, and must not allocate far beyond what the input could justify.
//
// Run it with a bound on minimising, or the large seeds stall it, and with
// a count rather than a duration (a duration can end in a spurious
// "context deadline exceeded" from Go 1.26's fuzz coordinator, go.dev/issue/75804):
//
//	go test -run XXX -fuzz FuzzDecode -fuzztime 1000000x -fuzzminimizetime 2s ./voice/
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.*"))
	for _, s := range seeds {
		if filepath.Ext(s) == ".sh" {
			continue
		}
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	const maxLen = 5 * time.Second
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		p, err := decode(data, maxLen)
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20+uint64(200*len(data)) {
			t.Errorf("decoding %d bytes allocated %d MB", len(data), grew>>20)
		}
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTooLong) {
				t.Errorf("error %v wraps neither ErrFormat nor ErrTooLong", err)
			}
			return
		}
		if p.rate < minRate || p.rate > maxRate {
			t.Errorf("rate %d", p.rate)
		}
		if len(p.samples) == 0 || len(p.samples) > maxSamples(maxLen, p.rate) {
			t.Errorf("%d samples at %d Hz: outside 1..%v", len(p.samples), p.rate, maxLen)
		}
		for i, v := range p.samples {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) || math.Abs(float64(v)) > 1 {
				t.Fatalf("sample %d is %v", i, v)
			}
		}
	})
}
