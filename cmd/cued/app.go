package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// app is the CLI's state, made once per run by newApp and handed to every
// command's constructor: the configuration, loaded before any subcommand
// runs, and where warnings go. Nothing of it lives in package globals, so
// tests run the CLI in process, each run on an app of its own.
type app struct {
	// cfg is the loaded configuration; cfgFile the file it came from ("":
	// the defaults alone).
	cfg     Config
	cfgFile string
	// warn reports what loading the voice went without (a clip missing
	// from every pack, spoken by a synthesiser or stood in by a tone): one
	// line on stderr, or the daemon's log under `cued serve`.
	warn    func(msg string)
	profile *os.File
}

// newApp is an app whose warnings go to stderr.
func newApp(stderr io.Writer) *app {
	return &app{warn: func(msg string) { fmt.Fprintln(stderr, "cued: "+msg) }}
}

// load loads the configuration that cmd's --config flag names (see
// loadConfig).
func (a *app) load(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString("config")
	c, from, err := loadConfig(path)
	if err != nil {
		return err
	}
	a.cfg, a.cfgFile = c, from
	return nil
}

// startProfile starts a CPU profile when --cpuprofile is given.
func (a *app) startProfile(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString("cpuprofile")
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	a.profile = f
	return pprof.StartCPUProfile(f)
}

func (a *app) stopProfile() {
	if a.profile != nil {
		pprof.StopCPUProfile()
		a.profile.Close()
		a.profile = nil
	}
}
