package audio

import "math"

// mixStretch writes the mix of the samples [p, p+len(out)) of stretch sg
// to out; the range lies within sg and len(out) <= chunkFrames.
//
// Every sample is computed the same way whatever the chunking: the same
// sources, in the same order, with float32 products rounded explicitly (the
// float32() conversions forbid fused multiply-adds, which would change the
// last bit on some machines).
func (s *Session) mixStretch(sg *stretch, p int, out [][2]float64) {
	act := s.active[sg.first : sg.first+sg.count]
	if len(act) == 0 {
		clear(out)
		return
	}
	mix := s.mix[:len(out)]
	for k, si := range act {
		src := &s.srcs[si]
		b := src.buf[p-src.start:]
		b = b[:len(mix)]
		g := src.gain
		if !src.voice {
			if r := sg.duck.ramp; r != nil {
				r = r[p-sg.duck.origin:]
				r = r[:len(mix)]
				if k == 0 {
					setRamp(mix, b, g, r)
				} else {
					addRamp(mix, b, g, r)
				}
				continue
			}
			g *= sg.duck.gain
		}
		if k == 0 {
			set(mix, b, g)
		} else {
			add(mix, b, g)
		}
	}
	if sg.limit {
		softKnee(mix)
	}
	out = out[:len(mix)]
	for i, v := range mix {
		f := float64(v)
		out[i] = [2]float64{f, f}
	}
}

// set writes b*g to dst.
func set(dst, b []float32, g float32) {
	b = b[:len(dst)]
	for i := range dst {
		dst[i] = float32(b[i] * g)
	}
}

// add adds b*g to dst.
func add(dst, b []float32, g float32) {
	b = b[:len(dst)]
	for i := range dst {
		dst[i] += float32(b[i] * g)
	}
}

// setRamp writes b*g*r to dst.
func setRamp(dst, b []float32, g float32, r []float32) {
	b, r = b[:len(dst)], r[:len(dst)]
	for i := range dst {
		dst[i] = float32(float32(b[i]*g) * r[i])
	}
}

// addRamp adds b*g*r to dst.
func addRamp(dst, b []float32, g float32, r []float32) {
	b, r = b[:len(dst)], r[:len(dst)]
	for i := range dst {
		dst[i] += float32(float32(b[i]*g) * r[i])
	}
}

// softKnee is the limiter: a static curve, the identity up to kneeT
// (-1.5 dBFS), then a smooth knee (slope 1 at kneeT) that approaches kneeC
// (-1 dBFS) and never reaches it. Being a function of the sample alone, it
// keeps the mix a pure function of position.
func softKnee(mix []float32) {
	for i, v := range mix {
		if v > kneeT || v < -kneeT {
			mix[i] = knee(v)
		}
	}
}

// knee maps |v| > kneeT onto (kneeT, kneeC), keeping the sign.
func knee(v float32) float32 {
	t, k := float64(kneeT), float64(kneeC-kneeT)
	u := (math.Abs(float64(v)) - t) / k
	y := float32(t + k*(u/math.Sqrt(1+u*u)))
	y = min(y, math.Nextafter32(kneeC, 0))
	if v < 0 {
		return -y
	}
	return y
}
