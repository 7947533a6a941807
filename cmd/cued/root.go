package main

import (
	"errors"
	"os"
	"runtime/pprof"

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
		if err := startProfile(cmd); err != nil {
			return err
		}
		return loadConfig(cmd)
	},
	PersistentPostRun: func(cmd *cobra.Command, args []string) { stopProfile() },
}

func init() {
	rootCmd.PersistentFlags().String("cpuprofile", "", "write a CPU profile to this file (for benchmarks)")
	_ = rootCmd.PersistentFlags().MarkHidden("cpuprofile")
	rootCmd.PersistentFlags().String("config", "", "config file (default: ./config.yaml, then $XDG_CONFIG_HOME/cued/config.yaml)")
}

// exitCode is an error that only sets the process exit status: the command
// has already printed what the user needs.
type exitCode int

func (e exitCode) Error() string { return "exit status" }

func asExit(err error, ec *exitCode) bool { return errors.As(err, ec) }

var profileFile *os.File

// startProfile starts a CPU profile when --cpuprofile is given.
func startProfile(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString("cpuprofile")
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	profileFile = f
	return pprof.StartCPUProfile(f)
}

func stopProfile() {
	if profileFile != nil {
		pprof.StopCPUProfile()
		profileFile.Close()
	}
}
