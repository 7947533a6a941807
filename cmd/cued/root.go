package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// rootCmd is the cued command; every subcommand lives in its own file and
// adds itself in an init function.
var rootCmd = &cobra.Command{
	Use:           "cued",
	Short:         "Guided mobility routines by sound alone",
	SilenceUsage:  true,
	SilenceErrors: true,
	PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
		return loadConfig(cmd)
	},
}

func init() {
	rootCmd.PersistentFlags().String("config", "", "config file (default: ./config.yaml, then $XDG_CONFIG_HOME/cued/config.yaml)")
}

// exitCode is an error that only sets the process exit status: the command
// has already printed what the user needs.
type exitCode int

func (e exitCode) Error() string { return "exit status" }

func asExit(err error, ec *exitCode) bool { return errors.As(err, ec) }
