package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// newRootCmd is the cued command for app a, with every subcommand; each
// lives in its own file with its constructor.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "cued",
		Short:         "Guided mobility routines by sound alone",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if err := a.startProfile(cmd); err != nil {
				return err
			}
			return a.load(cmd)
		},
		PersistentPostRun: func(cmd *cobra.Command, args []string) { a.stopProfile() },
	}
	root.PersistentFlags().String("cpuprofile", "", "write a CPU profile to this file (for benchmarks)")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	root.PersistentFlags().String("config", "", "config file (default: ./config.yaml, then $XDG_CONFIG_HOME/cued/config.yaml)")
	root.AddCommand(
		newPlayCmd(a), newTestSoundCmd(a), newRenderCmd(a), newTimelineCmd(a),
		newCheckCmd(a), newRoutinesCmd(a), newCuesCmd(a), newVoicesCmd(a),
		newServeCmd(a), newSinkCmd(a), newScheduleCmd(a), newHistoryCmd(a),
		newVolumeCmd(a), newStatusCmd(a), newReloadCmd(a),
	)
	root.AddCommand(newVerbCmds(a)...)
	return root
}

// exitCode is an error that only sets the process exit status: the command
// has already printed what the user needs.
type exitCode int

func (e exitCode) Error() string { return "exit status" }

func asExit(err error, ec *exitCode) bool { return errors.As(err, ec) }
