package main

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/routines"
	"github.com/cued-dev/cued/sequencer"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "routines",
		Short: "List the built-in routines and those in your routine folders",
		Args:  cobra.NoArgs,
		RunE:  runRoutines,
	})
}

// routineDirs are the user's routine folders, in the order they are read.
func routineDirs() []string {
	return append([]string{filepath.Join(configHome(), "cued", "routines")}, cfg.Routines.Dirs...)
}

// loadRoutines returns the routine set; a broken user file is reported on
// stderr and left out, never fatal.
func loadRoutines() (*routines.Set, error) {
	set, err := routines.Load(routineDirs()...)
	if set == nil {
		return nil, err
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cued: some routine files were left out:\n%v\n", err)
	}
	return set, nil
}

func runRoutines(cmd *cobra.Command, _ []string) error {
	set, err := loadRoutines()
	if err != nil {
		return err
	}
	var rs []*routine.Routine
	for _, src := range set.All() {
		rs = append(rs, src.Routine)
	}
	clips, err := clipLengths(cmd.Context(), rs...)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tPARTS\tGENTLE\tSTANDARD\tFULL\tFROM")
	for _, src := range set.All() {
		r := src.Routine
		from := "built-in"
		if !src.Builtin {
			from = r.File
		}
		fmt.Fprintf(w, "%s\t%s\t%d", r.ID, r.Name, len(r.Steps))
		for _, l := range routine.Levels {
			tl, err := sequencer.Compile(r, sequencer.Options{Level: l}, clips)
			if err != nil {
				fmt.Fprintf(w, "\t%s", "error")
				continue
			}
			fmt.Fprintf(w, "\t%s", shortClock(tl.Timed())) // waits are the listener's time
		}
		fmt.Fprintf(w, "\t%s\n", from)
	}
	return w.Flush()
}

// shortClock is m:ss, rounded to the second.
func shortClock(d interface{ Seconds() float64 }) string {
	s := int(d.Seconds() + 0.5)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
