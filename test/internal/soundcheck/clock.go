package soundcheck

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Clock is when a recording's frames were taken at the monitor, from the
// chunk arrival times rawrec writes (OUT.wav.clock): a chunk that
// arrived at time A with F frames recorded by then bounds frame i < F
// from above by A - (F-i)/rate. Wall takes the tightest bound of the
// chunks that follow a frame within a second. One bound over the whole
// recording (OUT.wav.t0: frame i at t0 + i/rate) holds only while the
// monitor runs without a pause; a monitor that delivered nothing for a
// while after the recording began makes it say every later frame early.
type Clock struct {
	rate    float64
	frames  []int // frames recorded at each arrival, increasing
	arrival []float64
}

// ReadClock reads a clock file of rate-Hz frames.
func ReadClock(path string, rate int) (Clock, error) {
	f, err := os.Open(path)
	if err != nil {
		return Clock{}, err
	}
	defer f.Close()
	c := Clock{rate: float64(rate)}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			return Clock{}, fmt.Errorf("%s:%d: want FRAMES ARRIVAL, got %q", path, n, sc.Text())
		}
		fr, err1 := strconv.Atoi(fields[0])
		at, err2 := strconv.ParseFloat(fields[1], 64)
		if err1 != nil || err2 != nil || len(c.frames) > 0 && fr <= c.frames[len(c.frames)-1] {
			return Clock{}, fmt.Errorf("%s:%d: not an increasing frame count and a time: %q", path, n, sc.Text())
		}
		c.frames, c.arrival = append(c.frames, fr), append(c.arrival, at)
	}
	if err := sc.Err(); err != nil {
		return Clock{}, err
	}
	if len(c.frames) == 0 {
		return Clock{}, fmt.Errorf("%s: no chunk", path)
	}
	return c, nil
}

// Wall is the time frame i was taken: the earliest bound of the chunks
// that arrived with it or within a second of frames after it (NaN past
// the last chunk).
func (c Clock) Wall(i int) float64 {
	k := sort.SearchInts(c.frames, i+1) // the first chunk holding frame i
	best := math.NaN()
	for ; k < len(c.frames) && c.frames[k] <= i+int(c.rate)+1; k++ {
		if b := c.arrival[k] - float64(c.frames[k]-i)/c.rate; !(b >= best) {
			best = b
		}
	}
	return best
}
