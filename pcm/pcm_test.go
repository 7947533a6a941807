package pcm

import (
	"fmt"
	"math"
	"testing"
)

func TestS16(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want int16
	}{
		{0, 0},
		{1, 32767},
		{-1, -32767},
		{0.5, 16383},   // 16383.5 truncated
		{-0.5, -16383}, // toward zero
		{1.5, 32767},
		{-7, -32767},
		{math.Inf(1), 32767},
		{math.Inf(-1), -32767},
		{math.NaN(), 0},
		{1.0 / 32767, 1},
		{0.99999 / 32767, 0},
	} {
		t.Run(fmt.Sprint(tt.in), func(t *testing.T) {
			if got := S16(tt.in); got != tt.want {
				t.Errorf("S16(%v) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzS16: any value comes out in [-32767, 32767], and a value inside
// [-1, 1] within one step below its exact scaled value (truncation).
func FuzzS16(f *testing.F) {
	for _, v := range []float64{0, 1, -1, 0.5, 2, math.NaN()} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		s := S16(v)
		if s < -Max16 {
			t.Fatalf("S16(%v) = %d, below -32767", v, s)
		}
		if v >= -1 && v <= 1 {
			if d := math.Abs(v*Max16) - math.Abs(float64(s)); d < 0 || d >= 1 {
				t.Fatalf("S16(%v) = %d, not %v truncated", v, s, v*Max16)
			}
		}
	})
}

func ExampleS16() {
	fmt.Println(S16(0.5), S16(-1.2), S16(1))
	// Output: 16383 -32767 32767
}
