// Command soundcheck compares a recording of a played session with the
// session's render and timeline (package internal/soundcheck) and prints a
// line per event and a summary. Exit status 0 when everything arrived as
// rendered and on time, 1 with the problems listed when not, 2 on bad
// input.
//
//	go run ./test/cmd/soundcheck -timeline tl.json -render render.wav -rec rec.wav [-config config.yaml]
//
// With -cmd-at and -rec-t0 (Unix times in seconds, as `date +%s.%N`
// prints them: when the command was started, and when the recording's
// first frame was taken, which test/cmd/rawrec stamps; the sink kept busy
// so that the monitor runs on the wall clock) it also reports the start-up
// delay: the time from the command to the first sample of the first event
// reaching the sink.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/cued-dev/cued/test/internal/soundcheck"
)

func main() {
	var (
		tlPath   = flag.String("timeline", "", "`cued timeline --json` output (required)")
		renPath  = flag.String("render", "", "`cued render` of the same session, WAV (required)")
		recPath  = flag.String("rec", "", "the recording, WAV (required)")
		cfgPath  = flag.String("config", "config.yaml", "cued config whose audio.tones give the pitches")
		tol      = flag.Duration("tolerance", 10*time.Millisecond, "largest onset error, relative to the first event")
		cmdAt    = flag.String("cmd-at", "", "Unix time the play command started (for the start-up delay)")
		recT0    = flag.String("rec-t0", "", "Unix time of the recording's first frame (test/cmd/rawrec writes it)")
		maxStart = flag.Duration("max-startup", 0, "fail when the start-up delay is longer (0: report only)")
		quiet    = flag.Bool("q", false, "print only the summary and the problems")
	)
	flag.Parse()
	if *tlPath == "" || *renPath == "" || *recPath == "" {
		fmt.Fprintln(os.Stderr, "soundcheck: -timeline, -render and -rec are required")
		os.Exit(2)
	}
	tl, err := soundcheck.ReadTimelineFile(*tlPath)
	check(err)
	ren, err := soundcheck.ReadWAVFile(*renPath)
	check(err)
	rec, err := soundcheck.ReadWAVFile(*recPath)
	check(err)
	tones, err := soundcheck.ReadTones(*cfgPath)
	check(err)
	rep, err := soundcheck.Compare(tl, ren, rec, soundcheck.Options{Tones: tones, OnsetTolerance: *tol})
	check(err)
	if *quiet {
		for _, p := range rep.AllProblems() {
			fmt.Println("problem:", p)
		}
		fmt.Println(rep.Summary())
	} else {
		fmt.Print(rep.String())
	}
	fail := !rep.OK()

	if *cmdAt != "" && *recT0 != "" {
		c, zero := unix(*cmdAt), unix(*recT0)
		firstEv := -1
		for _, e := range tl.Events {
			if e.Sounds() {
				firstEv = e.StartMs
				break
			}
		}
		at := zero + float64(rep.Offset)/float64(rep.Rate) + float64(firstEv)/1000
		delay := at - c
		fmt.Printf("start-up: %.0f ms from the command to the first sample of the first event reaching the sink (session sample 0 at %.0f ms; the first event is %d ms into the session)\n",
			delay*1000, (delay-float64(firstEv)/1000)*1000, firstEv)
		if *maxStart > 0 && delay > maxStart.Seconds() {
			fmt.Printf("problem: start-up delay %.0f ms is over %v\n", delay*1000, *maxStart)
			fail = true
		}
	}
	if fail {
		os.Exit(1)
	}
}

func unix(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	check(err)
	return v
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "soundcheck:", err)
		os.Exit(2)
	}
}
