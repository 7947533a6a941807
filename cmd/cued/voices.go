package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/internal/userfile"
	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
	"github.com/cued-dev/cued/sounds"
	"github.com/cued-dev/cued/voice"
)

func newVoicesCmd(a *app) *cobra.Command {
	var packDir string
	cmd := &cobra.Command{
		Use:   "voices",
		Short: "List the voice packs and check one against the routines",
		Long: "Voices lists the built-in pack and yours (voice.pack in config) and checks a\n" +
			"pack against every cue the routines speak: missing clips, clips no routine\n" +
			"uses, clips whose text changed since they were made, unreadable files.\n" +
			"The built-in pack is checked against the built-in routines and the exit status\n" +
			"is 1 when one of their cues has no clip. --pack DIR checks a folder of your own.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			builtin, err := library.Builtin()
			if err != nil {
				return err
			}
			fmt.Fprintln(w, "packs:")
			fmt.Fprintln(w, "  built-in  sounds/default (Festival, HTS voice cmu_us_slt_arctic)")
			if a.cfg.Voice.Pack != "" {
				fmt.Fprintf(w, "  user      %s (voice.pack; cues it lacks fall back to built-in)\n", a.cfg.Voice.Pack)
			}
			if packDir == "" && a.cfg.Voice.Pack != "" {
				packDir = a.cfg.Voice.Pack
			}
			if packDir == "" {
				rep := voice.Check(sounds.Default, sequencer.CueTexts(builtin...))
				fmt.Fprintf(w, "built-in pack against the built-in routines:\n%s", indent(rep.String()))
				if !rep.Complete() {
					return exitCode(1)
				}
				return nil
			}
			set, err := a.loadRoutines()
			if err != nil {
				return err
			}
			var rs []*routine.Routine
			for _, s := range set.All() {
				rs = append(rs, s.Routine)
			}
			if fi, err := os.Stat(packDir); err != nil || !fi.IsDir() {
				return fmt.Errorf("voice pack %q is not a folder", packDir)
			}
			rep := voice.Check(userfile.DirFS{Dir: packDir, What: "a voice clip"}, sequencer.CueTexts(rs...))
			fmt.Fprintf(w, "%s against all routines (missing clips fall back to the built-in pack):\n%s", packDir, indent(rep.String()))
			return nil
		},
	}
	cmd.Flags().StringVar(&packDir, "pack", "", "check this folder of recordings instead (default: voice.pack)")
	return cmd
}

func indent(s string) string {
	if s == "" {
		return "  complete: every cue has a readable clip of its current text\n"
	}
	out := ""
	for _, l := range splitLines(s) {
		out += "  " + l + "\n"
	}
	return out
}

func splitLines(s string) []string {
	var ls []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			ls = append(ls, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		ls = append(ls, s[start:])
	}
	return ls
}
