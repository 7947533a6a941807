package main

import (
	"encoding/json"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// sessionFlags are the flags every command that compiles a session takes.
type sessionFlags struct {
	level    string
	work     time.Duration
	reps     int
	segments int
}

func (f *sessionFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.level, "level", "", "gentle, standard or full (default: session.level from config)")
	cmd.Flags().DurationVar(&f.work, "work", 0, "length of each timed segment, e.g. 45s (within the routine's range)")
	cmd.Flags().IntVar(&f.reps, "reps", 0, "number of breaths in breath-paced parts (within the routine's range)")
	cmd.Flags().IntVar(&f.segments, "segments", 0, "number of segments in repeated parts (within the routine's range)")
}

// options turns the flags and config c into sequencer options.
func (f *sessionFlags) options(c *Config) (sequencer.Options, error) {
	lv := f.level
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
	return sequencer.Options{Level: l, Work: f.work, Reps: f.reps, Segments: f.segments, Gains: gains}, nil
}

func init() {
	var f sessionFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "timeline ROUTINE",
		Short: "Print the compiled timeline of a routine (id or file): every cue, tone and mark with its time",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			tl, err := compileTimeline(cmd, args[0], &f)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(tl)
			}
			return tl.Format(cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (documented in docs/timeline.md)")
	rootCmd.AddCommand(cmd)
}

// compileTimeline finds the routine and compiles it with the voice pack's
// clip lengths.
func compileTimeline(cmd *cobra.Command, name string, f *sessionFlags) (*sequencer.Timeline, error) {
	set, err := loadRoutines()
	if err != nil {
		return nil, err
	}
	r, err := set.Find(name)
	if err != nil {
		return nil, err
	}
	o, err := f.options(&cfg)
	if err != nil {
		return nil, err
	}
	clips, err := clipLengths(cmd.Context(), r)
	if err != nil {
		return nil, err
	}
	return sequencer.Compile(r, o, clips)
}
