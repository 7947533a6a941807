package main

import (
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// newRoutinesCmd is `cued routines`.
func newRoutinesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "routines",
		Short: "List the built-in routines and those in your routine folders",
		Args:  cobra.NoArgs,
		RunE:  a.runRoutines,
	}
}

// routineDirs are the user's routine folders, in the order they are read.
func (a *app) routineDirs() []string {
	return append([]string{filepath.Join(configHome(), "cued", "routines")}, a.cfg.Routines.Dirs...)
}

// loadRoutines returns the routine set; a broken user file is reported on
// stderr and left out, never fatal.
func (a *app) loadRoutines() (*library.Set, error) {
	set, err := library.Load(a.routineDirs()...)
	if set == nil {
		return nil, err
	}
	if err != nil {
		a.warn(fmt.Sprintf("some routine files were left out:\n%v", err))
	}
	return set, nil
}

func (a *app) runRoutines(cmd *cobra.Command, _ []string) error {
	set, err := a.loadRoutines()
	if err != nil {
		return err
	}
	var rs []*routine.Routine
	for _, src := range set.All() {
		rs = append(rs, src.Routine)
	}
	clips, err := a.clipLengths(cmd.Context(), rs...)
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
