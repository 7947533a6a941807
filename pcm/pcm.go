// Package pcm holds the one rule by which cued turns a mixed sample into a
// 16-bit one. `cued render`, both outputs (the ALSA writer's ring, and
// beep's speaker, which converts the same way) and the checks that compare
// a recording with a render all call it, so that a 16-bit render is the
// samples a device plays: the bit-exact guarantee rests on this function,
// not on copies agreeing. It imports nothing of cued's.
package pcm

// S16 converts v to a 16-bit sample: clamped to [-1, 1], times 32767,
// truncated toward zero (as beep's speaker does). NaN gives 0.
func S16(v float64) int16 {
	if v >= -1 && v <= 1 { // the usual case, one comparison pair
		return int16(v * Max16)
	}
	switch {
	case v > 1:
		return Max16
	case v < -1:
		return -Max16
	}
	return 0 // NaN
}

// Max16 is the scale of S16: full scale 1.0 is 32767 (and -1.0 is -32767;
// -32768 never comes out).
const Max16 = 1<<15 - 1
