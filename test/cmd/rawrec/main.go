// Command rawrec writes raw 16-bit stereo PCM from stdin (`parec --raw`) to
// a WAV file and stamps it with the wall clock: OUT.wav.t0 holds the Unix
// time (seconds) of the first frame, estimated as the earliest of
// "arrival time of a chunk minus the frames before its end" over all
// chunks, an upper bound that is tight to the smallest delivery latency.
// With the sink kept busy the monitor runs on the wall clock, so frame i
// was taken at t0 + i/rate. OUT.wav.clock holds a line "FRAMES ARRIVAL"
// per chunk (the frames recorded once it arrived, and when): a frame's
// time is then bounded from the chunks that follow it alone, which stays
// right where the monitor paused for a while after the recording began
// (t0 + i/rate then says early; see soundcheck.Clock). OUT.wav.started
// appears when the first frames arrive: a caller waits for it before it
// plays anything.
//
//	parec --raw --format=s16le --rate=44100 --channels=2 | rawrec -rate 44100 OUT.wav
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cued-dev/cued/pcm"
)

func main() {
	rate := flag.Int("rate", 44100, "sample rate of the input")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: rawrec [-rate HZ] OUT.wav < raw-s16le-stereo")
		os.Exit(2)
	}
	// The recorder is stopped by stopping parec; ignore the signals a
	// process group gets so that the file is always finished.
	signal.Ignore(syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	out := flag.Arg(0)
	f, err := os.Create(out)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	_, err = w.Write(pcm.WAVHeader(false, *rate, 2, 0))
	check(err)
	cf, err := os.Create(out + ".clock")
	check(err)
	clock := bufio.NewWriter(cf)
	buf := make([]byte, 1<<14)
	var frames int64
	t0 := math.Inf(1)
	carry := 0
	for {
		n, err := os.Stdin.Read(buf[carry:])
		now := float64(time.Now().UnixNano()) / 1e9
		n += carry
		whole := n / 4 * 4
		if whole > 0 {
			if frames == 0 {
				// Tell whoever waits that the recording runs.
				check(os.WriteFile(out+".started", nil, 0o644))
			}
			_, werr := w.Write(buf[:whole])
			check(werr)
			frames += int64(whole / 4)
			t0 = math.Min(t0, now-float64(frames)/float64(*rate))
			fmt.Fprintf(clock, "%d %.6f\n", frames, now)
		}
		carry = copy(buf, buf[whole:n])
		if err == io.EOF {
			break
		}
		check(err)
	}
	check(clock.Flush())
	check(cf.Close())
	check(w.Flush())
	_, err = f.Seek(0, io.SeekStart)
	check(err)
	_, err = f.Write(pcm.WAVHeader(false, *rate, 2, int(frames)))
	check(err)
	check(f.Close())
	check(os.WriteFile(out+".t0", fmt.Appendf(nil, "%.6f\n", t0), 0o644))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawrec:", err)
		os.Exit(1)
	}
}
