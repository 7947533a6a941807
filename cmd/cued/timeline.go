package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/picture"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// sessionFlags are the flags every command that compiles a session takes.
type sessionFlags struct {
	level, pace          string
	work, reps, segments []string
	// req, when set, holds the choices already (a play request the
	// daemon got): the flags are not read.
	req *api.PlayRequest
}

func (f *sessionFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.level, "level", "", "gentle, standard or full (default: session.level from config)")
	cmd.Flags().StringVar(&f.pace, "pace", "", "timed, or wait: hold at every \"get into position\" point until play or next (default: session.pace from config)")
	cmd.Flags().StringArrayVar(&f.work, "work", nil, "length of each timed segment, e.g. 45s, or of one part's, e.g. arm-hug=40s (repeatable; within the routine's range)")
	cmd.Flags().StringArrayVar(&f.reps, "reps", nil, "number of breaths in breath-paced parts, e.g. 12, or in one part's, e.g. extension=12")
	cmd.Flags().StringArrayVar(&f.segments, "segments", nil, "number of segments in repeated parts, e.g. 3, or in one part's, e.g. roll=3")
}

// request turns the flags into the play request they describe (without a
// routine): a plain value for every part, part=value for one.
func (f *sessionFlags) request() (api.PlayRequest, error) {
	if f.req != nil {
		return *f.req, nil
	}
	req := api.PlayRequest{Level: f.level, Pace: f.pace}
	length := func(v string) (int64, bool) {
		d, err := time.ParseDuration(v)
		return d.Milliseconds(), err == nil && d > 0
	}
	count := func(v string) (int64, bool) {
		n, err := strconv.Atoi(v)
		return int64(n), err == nil && n > 0
	}
	for _, fl := range []struct {
		name, what string
		vals       []string
		parse      func(string) (int64, bool)
		all        func(n int64)
		one        func(o *api.StepOverride, n int64)
	}{
		{"work", "a length (e.g. 45s, or arm-hug=40s for one part)", f.work, length,
			func(n int64) { req.WorkMS = n }, func(o *api.StepOverride, n int64) { o.WorkMS = n }},
		{"reps", "a count (e.g. 12, or part=12 for one part)", f.reps, count,
			func(n int64) { req.Reps = int(n) }, func(o *api.StepOverride, n int64) { o.Reps = int(n) }},
		{"segments", "a count (e.g. 3, or part=3 for one part)", f.segments, count,
			func(n int64) { req.Segments = int(n) }, func(o *api.StepOverride, n int64) { o.Segments = int(n) }},
	} {
		for _, v := range fl.vals {
			id, val, per := strings.Cut(v, "=")
			if !per {
				val = id
			}
			n, ok := fl.parse(val)
			if !ok {
				return req, fmt.Errorf("--%s %q is not %s", fl.name, v, fl.what)
			}
			if !per {
				fl.all(n)
				continue
			}
			if req.Steps == nil {
				req.Steps = map[string]api.StepOverride{}
			}
			o := req.Steps[id]
			fl.one(&o, n)
			req.Steps[id] = o
		}
	}
	return req, nil
}

// options turns the flags and config c into sequencer options.
func (f *sessionFlags) options(c *Config) (sequencer.Options, error) {
	req, err := f.request()
	if err != nil {
		return sequencer.Options{}, err
	}
	lv := req.Level
	if lv == "" {
		lv = c.Session.Level
	}
	l, err := routine.ParseLevel(lv)
	if err != nil {
		return sequencer.Options{}, err
	}
	gains := map[string]float64{}
	for name, t := range c.Audio.Tones {
		gains[name] = t.GainDB
	}
	pace := req.Pace
	if pace == "" {
		pace = c.Session.Pace
	}
	p, err := sequencer.ParsePace(pace)
	if err != nil {
		return sequencer.Options{}, err
	}
	o := sequencer.Options{Level: l, Work: req.Work(), Reps: req.Reps, Segments: req.Segments, Gains: gains,
		Pace: p, WaitLength: c.Session.Wait, Wake: c.Audio.Wake.wake(), TimeLeft: c.Session.TimeLeft}
	for id, so := range req.Steps {
		if o.Steps == nil {
			o.Steps = map[string]sequencer.Override{}
		}
		o.Steps[id] = sequencer.Override{Work: time.Duration(so.WorkMS) * time.Millisecond, Reps: so.Reps, Segments: so.Segments}
	}
	return o, nil
}

func newTimelineCmd(a *app) *cobra.Command {
	var f sessionFlags
	var asJSON bool
	var pic picFlags
	cmd := &cobra.Command{
		Use:   "timeline ROUTINE",
		Short: "Print the compiled timeline of a routine (id or file): every cue, tone and mark with its time",
		Long: "Print the compiled timeline of a routine (id or file): every cue, tone and mark with its time.\n\n" +
			"--svg draws it instead: the session in rows of a minute on a time axis, parts and segments as\n" +
			"bands, voice cues as labelled blocks, tones and ticks as marks, the breath as a line (in rises,\n" +
			"out falls, holds flat), waits as breaks; -o FILE.svg writes it to a file. --png -o FILE.png\n" +
			"converts that picture with rsvg-convert (Debian: librsvg2-bin).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if pic.out != "" && !pic.any() {
				return errors.New("-o writes a picture: give --svg or --png with it")
			}
			tl, r, err := a.compileTimeline(cmd, args[0], &f)
			if err != nil {
				return err
			}
			if pic.any() {
				return pic.write(cmd, func(w io.Writer) error {
					return picture.Timeline(w, tl, picture.TimelineOptions{Texts: sequencer.CueTexts(r)})
				})
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(tl)
			}
			if ms := a.cfg.Audio.LatencyMS; ms > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "# audio.latency_ms %d: heard %d ms after these times; status and progress subtract it\n", ms, ms)
			}
			return tl.Format(cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (documented in docs/timeline.md)")
	pic.register(cmd)
	cmd.MarkFlagsMutuallyExclusive("json", "svg", "png")
	return cmd
}

// compileTimeline finds the routine and compiles it with the voice pack's
// clip lengths; it returns the routine too (the picture labels cues with
// its texts).
func (a *app) compileTimeline(cmd *cobra.Command, name string, f *sessionFlags) (*sequencer.Timeline, *routine.Routine, error) {
	r, err := a.findRoutine(name)
	if err != nil {
		return nil, nil, err
	}
	o, err := f.options(&a.cfg)
	if err != nil {
		return nil, nil, err
	}
	clips, err := a.clipLengths(cmd.Context(), r)
	if err != nil {
		return nil, nil, err
	}
	tl, err := sequencer.Compile(r, o, clips)
	return tl, r, err
}
