package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/routines"
	"github.com/cued-dev/cued/sequencer"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Validate routine files: every problem as file:line:col, exit status 1 if any",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := false
			for _, f := range args {
				if !checkFile(cmd, f) {
					bad = true
				}
			}
			if bad {
				return exitCode(1)
			}
			return nil
		},
	})
}

// checkFile prints the problems of one routine file, or a one-line summary
// (and any budget warning) when it is valid. It reports whether it was.
func checkFile(cmd *cobra.Command, path string) bool {
	w := cmd.OutOrStdout()
	r, err := routines.ParseFile(path)
	if err != nil {
		for _, e := range routine.SortedErrors(err) {
			fmt.Fprintln(w, e)
		}
		return false
	}
	clips, err := clipLengths(cmd.Context(), r)
	if err != nil {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return false
	}
	var lengths []string
	var longest *sequencer.Timeline
	for _, l := range routine.Levels {
		tl, err := sequencer.Compile(r, sequencer.Options{Level: l}, clips)
		if err != nil {
			fmt.Fprintf(w, "%s:%d:%d: %v\n", path, r.Pos.Line, r.Pos.Col, err)
			return false
		}
		lengths = append(lengths, shortClock(tl.Length))
		longest = tl
	}
	fmt.Fprintf(w, "%s: ok: %s %q, %d parts, %s / %s / %s (gentle / standard / full)\n",
		path, r.ID, r.Name, len(r.Steps), lengths[0], lengths[1], lengths[2])
	if r.Warmup && longest.Length > r.Budget {
		fmt.Fprintf(w, "%s:%d:%d: warning: at level full the session lasts %s, over its warm-up budget of %s (shorten the talk or the ranges, or raise budget)\n",
			path, r.BudgetPos.Line, r.BudgetPos.Col, shortClock(longest.Length), routine.FormatDuration(r.Budget))
	}
	return true
}
