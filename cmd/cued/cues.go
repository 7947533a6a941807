package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/sequencer"
)

func newCuesCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "cues",
		Short: "Print every cue id and its spoken text (TSV): the list a voice pack records",
		Long: "Print every cue of the built-in routines and every shared word (numbers,\n" +
			"\"halfway\", ...) as tab-separated id and text, sorted by id. With --all, the\n" +
			"cues of your own routines too. sounds/generate reads this list.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rs, err := library.Builtin()
			if err != nil {
				return err
			}
			if all {
				set, err := a.loadRoutines()
				if err != nil {
					return err
				}
				rs = rs[:0]
				for _, s := range set.All() {
					rs = append(rs, s.Routine)
				}
			}
			texts := sequencer.CueTexts(rs...)
			ids := make([]string, 0, len(texts))
			for id := range texts {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\n", id, strings.ReplaceAll(texts[id], "\t", " "))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "include the cues of your own routines")
	return cmd
}
