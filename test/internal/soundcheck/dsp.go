package soundcheck

import (
	"math"
	"math/bits"
	"math/cmplx"
)

// fft transforms x in place (len a power of two); inverse when inv.
func fft(x []complex128, inv bool) {
	n := len(x)
	if n <= 1 {
		return
	}
	shift := 64 - uint(bits.TrailingZeros(uint(n)))
	for i := 0; i < n; i++ {
		j := int(bits.Reverse64(uint64(i)) >> shift)
		if j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	sign := -1.0
	if inv {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		half := size / 2
		step := cmplx.Rect(1, sign*2*math.Pi/float64(size))
		// Twiddles for this stage, computed once.
		tw := make([]complex128, half)
		w := complex(1, 0)
		for k := range tw {
			if k%64 == 0 {
				w = cmplx.Rect(1, sign*2*math.Pi*float64(k)/float64(size))
			}
			tw[k] = w
			w *= step
		}
		for start := 0; start < n; start += size {
			for k := 0; k < half; k++ {
				a, b := x[start+k], x[start+k+half]*tw[k]
				x[start+k], x[start+k+half] = a+b, a-b
			}
		}
	}
	if inv {
		s := complex(1/float64(n), 0)
		for i := range x {
			x[i] *= s
		}
	}
}

// xcorr returns c[k] = sum_i a[i]*b[i+k] for k in [minLag, maxLag], by FFT.
func xcorr(a, b []float64, minLag, maxLag int) []float64 {
	// Index b from minLag: b'[j] = b[j+minLag].
	span := maxLag - minLag + 1
	n := 1
	for n < len(a)+span {
		n <<= 1
	}
	fa := make([]complex128, n)
	fb := make([]complex128, n)
	for i, v := range a {
		fa[i] = complex(v, 0)
	}
	for j := 0; j < len(a)+span-1 && j < n; j++ {
		if k := j + minLag; k >= 0 && k < len(b) {
			fb[j] = complex(b[k], 0)
		}
	}
	fft(fa, false)
	fft(fb, false)
	for i := range fa {
		fa[i] = cmplx.Conj(fa[i]) * fb[i]
	}
	fft(fa, true)
	out := make([]float64, span)
	for k := range out {
		out[k] = real(fa[k])
	}
	return out
}

// xcorrDirect is xcorr computed directly: for few lags.
func xcorrDirect(a, b []float64, minLag, maxLag int) []float64 {
	out := make([]float64, maxLag-minLag+1)
	for k := range out {
		lag := minLag + k
		lo, hi := max(0, -lag), min(len(a), len(b)-lag)
		s := 0.0
		for i := lo; i < hi; i++ {
			s += a[i] * b[i+lag]
		}
		out[k] = s
	}
	return out
}

// energy is the sum of squares of x[lo:hi] (clipped to x).
func energy(x []float64, lo, hi int) float64 {
	lo, hi = max(lo, 0), min(hi, len(x))
	e := 0.0
	for i := lo; i < hi; i++ {
		e += x[i] * x[i]
	}
	return e
}

// bestLag finds where seg (a stretch of the reference) sits in x, searching
// positions [lo, hi] of seg[0] in x. It returns the position with the
// highest normalised correlation and that correlation (1 for an exact copy
// at any gain).
func bestLag(seg, x []float64, lo, hi int) (int, float64) {
	if hi < lo || len(seg) == 0 {
		return lo, 0
	}
	var c []float64
	if hi-lo < 64 {
		c = xcorrDirect(seg, x, lo, hi)
	} else {
		c = xcorr(seg, x, lo, hi)
	}
	es := energy(seg, 0, len(seg))
	if es == 0 {
		return lo, 0
	}
	// Energy of x under seg at each position, by prefix sums.
	pre := make([]float64, len(x)+1)
	for i, v := range x {
		pre[i+1] = pre[i] + v*v
	}
	ex := func(p int) float64 {
		a, b := min(max(p, 0), len(x)), min(max(p+len(seg), 0), len(x))
		return pre[b] - pre[a]
	}
	best, bv := lo, 0.0
	for k, v := range c {
		e := ex(lo + k)
		if e <= es*1e-9 {
			continue
		}
		if n := v / math.Sqrt(es*e); n > bv {
			best, bv = lo+k, n
		}
	}
	return best, bv
}

// envelope is the RMS of x over a trailing window of w samples.
func envelope(x []float64, w int) []float64 {
	out := make([]float64, len(x))
	s := 0.0
	for i, v := range x {
		s += v * v
		if i >= w {
			s -= x[i-w] * x[i-w]
		}
		if s < 0 {
			s = 0
		}
		out[i] = math.Sqrt(s / float64(w))
	}
	return out
}

// maxIn is the largest value of x[lo:hi] (clipped), 0 when empty.
func maxIn(x []float64, lo, hi int) float64 {
	lo, hi = max(lo, 0), min(hi, len(x))
	m := 0.0
	for i := lo; i < hi; i++ {
		m = max(m, x[i])
	}
	return m
}

// pitch estimates the dominant frequency of x[lo:hi] between fmin and fmax
// Hz: the peak of the Hann-windowed spectrum scanned in 1 Hz steps, refined
// by parabolic interpolation. It returns 0 for an empty or silent window.
func pitch(x []float64, lo, hi, rate int, fmin, fmax float64) float64 {
	lo, hi = max(lo, 0), min(hi, len(x))
	n := hi - lo
	if n < 16 {
		return 0
	}
	w := make([]float64, n)
	for i := range w {
		w[i] = x[lo+i] * (0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1)))
	}
	mag := func(f float64) float64 {
		// Goertzel.
		c := 2 * math.Cos(2*math.Pi*f/float64(rate))
		var s1, s2 float64
		for _, v := range w {
			s := v + c*s1 - s2
			s2, s1 = s1, s
		}
		return s1*s1 + s2*s2 - c*s1*s2
	}
	// A coarse scan, then a fine one around its peak.
	best, bm := fmin, -1.0
	for f := fmin; f <= fmax; f += 4 {
		if m := mag(f); m > bm {
			best, bm = f, m
		}
	}
	const step = 0.5
	var fs, ms []float64
	for f := best - 4; f <= best+4; f += step {
		fs = append(fs, f)
		ms = append(ms, mag(f))
	}
	bi := 0
	for i := range ms {
		if ms[i] > ms[bi] {
			bi = i
		}
	}
	if ms[bi] <= 0 {
		return 0
	}
	if bi > 0 && bi < len(ms)-1 {
		a, b, c := math.Sqrt(ms[bi-1]), math.Sqrt(ms[bi]), math.Sqrt(ms[bi+1])
		if d := a - 2*b + c; d != 0 {
			return fs[bi] + step*0.5*(a-c)/d
		}
	}
	return fs[bi]
}

// earliestMatch is bestLag over a wide range that prefers the earliest of
// several good matches (within 10 % of the best normalised
// correlation), so that a sound that recurs is found where it first
// occurs (and one that arrived damaged is still found).
func earliestMatch(seg, x []float64, lo, hi int) (int, float64) {
	if hi < lo || len(seg) == 0 {
		return lo, 0
	}
	c := xcorr(seg, x, lo, hi)
	es := energy(seg, 0, len(seg))
	if es == 0 {
		return lo, 0
	}
	pre := make([]float64, len(x)+1)
	for i, v := range x {
		pre[i+1] = pre[i] + v*v
	}
	norm := make([]float64, len(c))
	bv := 0.0
	for k, v := range c {
		p := lo + k
		a, b := min(max(p, 0), len(x)), min(max(p+len(seg), 0), len(x))
		// Only where seg overlaps x by at least half.
		if e := pre[b] - pre[a]; 2*(b-a) >= len(seg) && e > es*1e-9 {
			norm[k] = v / math.Sqrt(es*e)
			bv = max(bv, norm[k])
		}
	}
	for k, v := range norm {
		if v >= 0.9*bv {
			// The best match of this occurrence: within half the
			// segment's length from here.
			best := k
			for j := k; j < len(norm) && j < k+len(seg)/2; j++ {
				if norm[j] > norm[best] {
					best = j
				}
			}
			return lo + best, norm[best]
		}
	}
	return lo, 0
}
