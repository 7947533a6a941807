// Command daemoncheck checks a recording of a session that the cued daemon
// played, paused, resumed, skipped or recovered, against the session's
// render, sample for sample (package internal/soundcheck, Splicer), and
// relates the daemon's cuts to the wall-clock times of the requests.
//
//	daemoncheck -render R.wav -render-f32 RF.wav -timeline TL.json \
//	    -rec REC.wav -rec-t0 T0 -ops 'start,pause@T1,resume@T2,next@T3,end'
//
// Ops, in the order they happened in the recording:
//
//	start        the recording holds the session from its first sample
//	recover@T    the recording starts after an audio fault: the session goes
//	             on (with a fade-in) from wherever the daemon held it; T is
//	             when the sound server became reachable again
//	pause@T      a pause requested at wall time T (Unix seconds)
//	resume@T     the resume that follows it
//	wait         the session holds at its next wait: the recording holds
//	             the render to the wait's end, then the wait from its start
//	             again, every pass exactly (at least one), until the
//	             release that follows (next@T, which then goes to the
//	             wait's end)
//	next@T       a skip to the next mark
//	prev@T       a skip back: to the last mark at or before the cut less 2 s
//	stop@T       a stop: silence after the fade-out
//	remix@T      the levels changed (cued volume): the session fades out and
//	             goes on, with a fade-in, at the first sample the fade-out
//	             did not play, as -render2 (and -render2-f32) hold it
//	end          the session plays to its end, then silence
//	cut          the recording just ends (the server was killed): report
//	             the last session sample it holds
//
// One line per finding; exit 1 with "FAIL:" lines when anything is off.
package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/cued-dev/cued/test/internal/soundcheck"
)

var problems int

func fail(format string, a ...any) {
	problems++
	fmt.Printf("FAIL: "+format+"\n", a...)
}

func main() {
	render := flag.String("render", "", "the session rendered as 16-bit WAV")
	renderF := flag.String("render-f32", "", "the same session rendered as float WAV (for the fades)")
	tlPath := flag.String("timeline", "", "cued timeline --json of the session")
	recPath := flag.String("rec", "", "the recording")
	t0 := flag.Float64("rec-t0", 0, "wall time of the recording's first frame (OUT.wav.t0)")
	clockPath := flag.String("rec-clock", "", "the recording's chunk arrival times (OUT.wav.clock): a frame's wall time from those after it, not from rec-t0")
	ops := flag.String("ops", "start,end", "what happened, in order (see the doc)")
	bufferMS := flag.Float64("buffer-ms", 100, "the device buffer (audio.buffer_ms)")
	tolMS := flag.Float64("sink-tol-ms", 80, "allowed pause latency beyond what the output holds (the sink's own latency and the CLI's start)")
	heldMS := flag.Float64("held-ms", -1, "what the output holds that a control waits out, in ms (-1: the device buffer; 0 for an output that takes it back)")
	earlyMS := flag.Float64("early-ms", 0, "how far before its request a control's fade may appear in the recording (see test/README)")
	maxRecover := flag.Float64("max-recover", 6, "largest time in seconds from the server coming back to the session heard again")
	render2 := flag.String("render2", "", "remix: the session rendered at its new levels (16-bit)")
	render2F := flag.String("render2-f32", "", "remix: the same as float WAV")
	near := flag.Int("near-ms", -1, "recover: where the daemon said it holds the session (ms), a hint")
	label := flag.String("label", "daemoncheck", "prefix of the output lines")
	flag.Parse()

	ren, err := soundcheck.ReadWAVFile(*render)
	check(err)
	renF, err := soundcheck.ReadWAVFile(*renderF)
	check(err)
	rec, err := soundcheck.ReadWAVFile(*recPath)
	check(err)
	tl, err := soundcheck.ReadTimelineFile(*tlPath)
	check(err)
	if rec.Rate != ren.Rate || renF.Rate != ren.Rate || renF.Len() != ren.Len() {
		fmt.Printf("FAIL: rates or lengths differ: recording %d Hz, render %d Hz (%d frames), float render %d Hz (%d frames)\n",
			rec.Rate, ren.Rate, ren.Len(), renF.Rate, renF.Len())
		os.Exit(1)
	}
	rate := float64(ren.Rate)
	step := soundcheck.FadeStep(ren.Rate)
	s := &soundcheck.Splicer{Rec: soundcheck.ToPCM16(rec), Render: soundcheck.ToPCM16(ren), RenderF: renF,
		Step: step, FadeLen: soundcheck.FadeFrames(step)}
	var marks []int
	var waits [][2]int
	sample := func(ms int) int { return int(int64(ms) * int64(ren.Rate) / 1000) }
	for _, e := range tl.Events {
		switch e.Kind {
		case "mark":
			marks = append(marks, sample(e.StartMs))
		case "wait":
			waits = append(waits, [2]int{sample(e.StartMs), sample(e.StartMs + e.LengthMs)})
		}
	}
	ms := func(samples int) float64 { return float64(samples) * 1000 / rate }
	wall := func(recFrame int) float64 { return *t0 + float64(recFrame)/rate }
	if *clockPath != "" {
		clock, err := soundcheck.ReadClock(*clockPath, int(rate))
		check(err)
		wall = func(recFrame int) float64 {
			if w := clock.Wall(recFrame); !math.IsNaN(w) {
				return w
			}
			return *t0 + float64(recFrame)/rate
		}
	}
	say := func(format string, a ...any) { fmt.Printf(*label+": "+format+"\n", a...) }
	L := s.FadeLen

	type op struct {
		name string
		at   float64
	}
	var list []op
	for _, f := range strings.Split(*ops, ",") {
		name, at, _ := strings.Cut(strings.TrimSpace(f), "@")
		o := op{name: name}
		if at != "" {
			o.at, err = strconv.ParseFloat(at, 64)
			check(err)
		}
		list = append(list, o)
	}

	r, i := -1, -1 // aligned: recording frame r holds session sample i
	for n := 0; n < len(list) && problems == 0; n++ {
		o := list[n]
		switch o.name {
		case "start":
			r0, err := s.Start()
			if err != nil {
				fail("%v", err)
				break
			}
			r, i = r0, 0
			say("start: session sample 0 at recording frame %d (wall %.3f)", r0, wall(r0))
			continue
		case "recover":
			hint := -1
			if *near >= 0 {
				hint = int(float64(*near) * rate / 1000)
			}
			res, fits, ok := s.FindResume([]int{0}, -1, -1, hint)
			if res.Rec < 0 || res.Session < 0 {
				fail("recovery: the session is not heard again in the recording (%.1f s long)", ms(s.Rec.Len())/1000)
				break
			}
			if !ok {
				fail("recovery: the session is heard again near session sample %d (%.1f ms) but not as the render with a fade-in (fade error %d LSB, %d exact frames after it)",
					res.Session, ms(res.Session), res.FadeErr, res.Exact)
				break
			}
			back := wall(res.Rec) - o.at
			say("recovery: the session goes on at session sample %d (%.1f ms)%s with the 12 ms fade-in (max error %d LSB), heard %.2f s after the sound server came back (limit %.1f s)",
				res.Session, ms(res.Session), ambiguous(fits), res.FadeErr, back, *maxRecover)
			if *near >= 0 {
				// Status times are whole ms, truncated.
				d := ms(res.Session) - float64(*near)
				verdict := "consistent (whole ms, truncated)"
				if d < 0 || d >= 1 {
					verdict = fmt.Sprintf("%+.2f ms away from the sample found", -d)
				}
				say("recovery: the daemon's recovered event said %d ms: %s", *near, verdict)
			}
			if back > *maxRecover {
				fail("recovery took %.2f s after the server came back (limit %.1f s)", back, *maxRecover)
			}
			r, i = res.Rec+L, res.Session+L
			continue
		}
		if r < 0 {
			fail("op %q before start or recover", o.name)
			break
		}
		if o.name == "wait" {
			r, i = holdWait(s, waits, r, i, rate, say)
			if r < 0 {
				break
			}
			continue
		}
		k := s.ExactRun(r, i, math.MaxInt)
		switch o.name {
		case "end":
			if i+k < s.Render.Len() {
				fail("the recording differs from the render at session sample %d (%.1f ms; recording frame %d) before the end %s",
					i+k, ms(i+k), r+k, diff(s, r+k, i+k))
				break
			}
			if r+k < s.Rec.Len() {
				fail("something sounds after the session: recording frame %d (%.1f ms after the end)", r+k, ms(r+k-(r+s.Render.Len()-i)))
				break
			}
			say("end: the session played exactly as rendered to its last sample (%d exact samples since the last cut), then silence", k)
		case "cut":
			say("cut: the recording holds the session exactly up to session sample %d (%.1f ms), its last frame%s",
				i+k, ms(i+k), map[bool]string{true: "", false: fmt.Sprintf(" is %d frames later", s.Rec.Len()-(r+k))}[r+k >= s.Rec.Len()-1])
			if r+k < s.Rec.Len() && s.Zeros(r+k) < s.Rec.Len()-(r+k) {
				// After the kill: fine only if the rest is silence.
				if c, ok := s.FindCut(r, i, k); !ok {
					fail("before the kill the recording differs from the render at session sample %d (%.1f ms) %s", i+k, ms(i+k), diff(s, r+k, i+k))
				} else {
					say("cut: (a fade-out at session sample %d)", c.Session)
				}
			}
			fmt.Printf("LAST %d\n", i+k)
		case "pause", "next", "prev", "stop", "remix":
			c, ok := s.FindCut(r, i, k)
			if !ok {
				fail("%s: the recording differs from the render at session sample %d (%.1f ms; recording frame %d) without the player's fade-out (a dropout, glitch or lost samples) %s",
					o.name, i+k, ms(i+k), r+k, diff(s, r+k, i+k))
				break
			}
			cutLine := func(c soundcheck.Cut) float64 {
				amb := ""
				if c.Ambiguous {
					amb = fmt.Sprintf(" (in near-silence: %d places fit, this one goes with what follows)", len(c.Fits))
				}
				silent := wall(c.Rec+L) - o.at
				say("%s: requested at wall %.3f; the fade-out starts %.1f ms later at the sink, at session sample %d (%.1f ms; recording frame %d)%s; it ends %.1f ms after the request; fade max error %d LSB",
					o.name, o.at, (wall(c.Rec)-o.at)*1000, c.Session, ms(c.Session), c.Rec, amb, silent*1000, c.FadeErr)
				return silent
			}
			silent := 0.0
			if o.name != "next" && o.name != "prev" && o.name != "remix" {
				silent = cutLine(c)
			}
			from := c.Rec + L
			froms := c.Ends(L)
			switch o.name {
			case "pause":
				kept := *bufferMS
				if *heldMS >= 0 {
					kept = *heldMS
				}
				lim := kept + *tolMS
				say("pause latency at the sink: %.1f ms from the request to silence (limit: held by the output %.0f ms + %.0f ms)", silent*1000, kept, *tolMS)
				if silent*1000 > lim {
					fail("pause: silence came %.1f ms after the request (limit %.0f ms)", silent*1000, lim)
				}
				if start := wall(c.Rec) - o.at; start < -*earlyMS/1000 {
					fail("pause: the fade-out at the sink starts %.1f ms before the request (allowed: %.0f ms): the recording's clock (rec-t0) is off", -start*1000, *earlyMS)
				}
				if n+1 >= len(list) || list[n+1].name != "resume" {
					break
				}
				n++
				// A pause holds the session at the first sample it did
				// not play: the one after the fade-out.
				res, held, ok := resumeAfter(s, &c, froms)
				from = c.Rec + L
				if !ok {
					alt, _, _ := s.FindResume(froms, -1, -1, held)
					fail("resume: the session does not go on at session sample %d (after the pause's fade-out) with a fade-in: it goes on at %d (%+d samples: %s) %s",
						held, alt.Session, alt.Session-held, lostOrRepeated(alt.Session-held), fmt.Sprintf("(fade error %d, exact %d)", res.FadeErr, res.Exact))
					break
				}
				gap := res.Rec - from
				say("resume: requested %.3f s after the pause; sound back at the sink %.1f ms after the request; the session goes on at session sample %d, the first after the pause's fade-out: 0 lost, 0 repeated (fade-in max error %d LSB; the silence between the fades %.1f ms)",
					list[n].at-o.at, (wall(res.Rec)-list[n].at)*1000, res.Session, res.FadeErr, ms(gap))
				r, i = res.Rec+L, res.Session+L
			case "next", "prev":
				want, fromWait := -1, false
				if o.name == "next" {
					for _, w := range waits {
						if w[0] <= c.Session && c.Session < w[1] {
							want, fromWait = w[1], true // next goes on from a wait: to its end
						}
					}
					for _, m := range marks {
						if want >= 0 {
							break
						}
						if m > c.Session {
							want = m
							break
						}
					}
				} else {
					// The daemon's prev: the last mark at or before the
					// cut less its 2 s grace (the part's own start when
					// further in), else the session's start.
					want = 0
					for _, m := range marks {
						if m <= max(c.Session-int(2*rate), 0) {
							want = m
						}
					}
				}
				if want < 0 {
					fail("next: no mark after session sample %d", c.Session)
					break
				}
				// The timeline's times are whole ms (floor(ms*rate/1000)
				// is where an event starts); the mark itself may lie up
				// to 1 ms later.
				res, fits, ok := s.FindResume(froms, want, want+int(rate/1000)+1, want)
				if fromWait && !ok {
					// A wait is silent where it is released and often
					// where it ends, so the cut found in its silence
					// may lie after the real one: find the fade-in by
					// the exact run of the render from the wait's end.
					res, ok = resumeAt(s, max(c.Rec-int(2*rate), 0), want, int(4*rate))
					fits = 1
				}
				if !ok {
					res, _, _ = s.FindResume(froms, -1, -1, want)
					fail("%s: cut at session sample %d; want it to go on at the mark at sample %d (%.1f ms), with a fade-in; it went on at %d (%.1f ms) (fade error %d LSB)",
						o.name, c.Session, want, ms(want), res.Session, ms(res.Session), res.FadeErr)
					break
				}
				if c.Ambiguous {
					// The cut that goes with this resume: the latest fade-out
					// that ends before it.
					for _, f := range c.Fits {
						if f+L <= res.Rec && (f > c.Rec || c.Rec+L > res.Rec) {
							c.Session += f - c.Rec
							c.Rec = f
						}
					}
					from = c.Rec + L
				}
				cutLine(c)
				which := map[string]string{"next": "the next mark", "prev": "the mark prev goes back to"}[o.name]
				if fromWait {
					which = "the wait's end"
				}
				say("%s: skipped from session sample %d (%.1f ms) to %d (%.1f ms)%s, %s (timeline %.0f ms), with the 12 ms fade-in (max error %d LSB); %.1f ms of silence between the fades; the new part heard %.1f ms after the request",
					o.name, c.Session, ms(c.Session), res.Session, ms(res.Session), ambiguous(fits), which, ms(want), res.FadeErr, ms(res.Rec-from), (wall(res.Rec)-o.at)*1000)
				r, i = res.Rec+L, res.Session+L
			case "remix":
				cutLine(c)
				ren2, err := soundcheck.ReadWAVFile(*render2)
				check(err)
				ren2F, err := soundcheck.ReadWAVFile(*render2F)
				check(err)
				if ren2.Len() != ren.Len() || ren2F.Len() != ren.Len() {
					fail("remix: the new render has %d/%d frames, the session %d", ren2.Len(), ren2F.Len(), ren.Len())
					break
				}
				s.Render, s.RenderF = soundcheck.ToPCM16(ren2), ren2F
				res, held, ok := resumeAfter(s, &c, froms)
				from = c.Rec + L
				if !ok {
					alt, _, _ := s.FindResume(froms, -1, -1, held)
					fail("remix: the session does not go on at session sample %d at its new levels with a fade-in: it goes on at %d (%+d samples: %s; fade error %d LSB)",
						held, alt.Session, alt.Session-held, lostOrRepeated(alt.Session-held), alt.FadeErr)
					break
				}
				say("remix: the session goes on at session sample %d, the first after the fade-out (0 lost, 0 repeated), as -render2 holds it (mixed anew), with the 12 ms fade-in (max error %d LSB); %.1f ms between the fades; heard %.1f ms after the request",
					res.Session, res.FadeErr, ms(res.Rec-from), (wall(res.Rec)-o.at)*1000)
				r, i = res.Rec+L, res.Session+L
			case "stop":
				if z := s.Zeros(from); from+z < s.Rec.Len() {
					fail("stop: something sounds %.1f ms after the fade-out", ms(z))
				} else {
					say("stop: silence after the fade-out to the end of the recording")
				}
				r = -1
			}
		case "resume":
			fail("resume without a pause before it")
		default:
			fail("unknown op %q", o.name)
		}
	}
	if problems > 0 {
		os.Exit(1)
	}
}

func ambiguous(fits int) string {
	if fits > 1 {
		return fmt.Sprintf(" (one of %d samples that fit: it starts in near-silence)", fits)
	}
	return ""
}

func lostOrRepeated(d int) string {
	switch {
	case d > 0:
		return fmt.Sprintf("%d samples lost", d)
	case d < 0:
		return fmt.Sprintf("%d samples repeated", -d)
	}
	return "none lost"
}

// diff describes the first frames where the recording and the render part,
// and, when the recording falls silent there, what follows the silence: an
// underrun (the session goes on late, nothing lost) or a jump.
func diff(s *soundcheck.Splicer, r, i int) string {
	var b strings.Builder
	if z := s.Zeros(r); z > 0 && r+z < s.Rec.Len() {
		ms := float64(z) * 1000 / float64(s.RenderF.Rate)
		const win = 1024
		if r+z+win <= s.Rec.Len() {
			j := s.Locate(r+z, win, i-s.RenderF.Rate, i+10*s.RenderF.Rate, i)
			switch {
			case j == i:
				fmt.Fprintf(&b, "[%.1f ms of digital silence inserted, then the session goes on late from the same sample: an underrun, the output was not fed in time] ", ms)
			case j >= 0:
				fmt.Fprintf(&b, "[%.1f ms of digital silence, then the session goes on at session sample %d: %s] ", ms, j, lostOrRepeated(j-i))
			default:
				fmt.Fprintf(&b, "[%.1f ms of digital silence, then something that is not the render near there] ", ms)
			}
		}
	}
	b.WriteString("(recording vs render, left:")
	for k := 0; k < 6 && r+k < s.Rec.Len(); k++ {
		rv := 0
		if i+k < s.Render.Len() {
			rv = s.Render.L[i+k]
		}
		fmt.Fprintf(&b, " %d/%d", s.Rec.L[r+k], rv)
	}
	b.WriteString(")")
	return b.String()
}

func check(err error) {
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
}

// holdWait follows the recording through the first wait that ends after
// session sample i (recording frame r): exact to the wait's end, then
// from its start again, pass after pass. It returns the alignment inside
// the last pass (where the release cuts), or r < 0 after a failure.
func holdWait(s *soundcheck.Splicer, waits [][2]int, r, i int, rate float64, say func(string, ...any)) (int, int) {
	var w [2]int
	for _, x := range waits {
		if x[1] > i {
			w = x
			break
		}
	}
	if w[1] == 0 {
		fail("wait: the timeline has no wait after session sample %d", i)
		return -1, -1
	}
	passes := 0
	for {
		k := s.ExactRun(r, i, w[1]-i)
		if k < w[1]-i {
			break // the release comes in this pass
		}
		r, i = r+k, w[0]
		passes++
	}
	if passes == 0 {
		fail("wait: the recording differs from the render at session sample %d before the wait's end (%d)", i, w[1])
		return -1, -1
	}
	say("wait: the session held at the wait from %.1f ms to %.1f ms: %d full pass(es) looped sample for sample (each with its reminder), then the release inside pass %d",
		float64(w[0])*1000/rate, float64(w[1])*1000/rate, passes, passes+1)
	return r, i
}

// resumeAt finds where, within limit frames after recording frame from, the
// recording goes on at session sample want with the player's fade-in: the
// first frame whose fade matches (within 1 LSB) and after which a second
// of the render follows exactly.
func resumeAt(s *soundcheck.Splicer, from, want, limit int) (soundcheck.Resume, bool) {
	L := s.FadeLen
	run := min(limit/2, s.Render.Len()-want-L)
	for r := from; r < from+limit && r+L+run <= s.Rec.Len(); r++ {
		if s.ExactRun(r+L, want+L, run) >= run {
			if e := s.FadeErr(r, want, true, L); e <= 1 {
				return soundcheck.Resume{Rec: r, Session: want, FadeErr: e}, true
			}
		}
	}
	return soundcheck.Resume{Rec: -1, Session: -1}, false
}

// resumeAfter finds the session going on after the cut c (a pause's or a
// remix's fade-out) with a fade-in at held, the first sample the fade-out
// did not play. In near-silence the fade-out fits many places
// (c.Ambiguous): the one that goes with the fade-in found is the cut, and
// c is moved there (seen: a pause in a wake-up hum of 13 LSB fitted 70
// places, and the first one chosen put the resume 594 samples "late").
func resumeAfter(s *soundcheck.Splicer, c *soundcheck.Cut, froms []int) (res soundcheck.Resume, held int, ok bool) {
	L := s.FadeLen
	held = c.Session + L
	res, _, ok = s.FindResume(froms, held, held, held)
	if ok || !c.Ambiguous {
		return res, held, ok
	}
	alt, _, _ := s.FindResume(froms, -1, -1, held)
	for _, f := range c.Fits {
		if at := c.Session + (f - c.Rec) + L; at == alt.Session && f+L <= alt.Rec && alt.FadeErr <= 1 {
			res, ok, held = alt, true, at
			c.Rec, c.Session = f, at-L
		}
	}
	return res, held, ok
}
