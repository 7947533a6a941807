package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/api"
)

// volumeNames are the levels `cued volume` takes, in the order it prints
// them.
var volumeNames = []string{"master", "voice", "pacing", "signals", "breath"}

// newVolumeCmd is `cued volume [NAME=DB]...`.
func newVolumeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "volume [NAME=DB]...",
		Short: "Show or change the daemon's levels (master, voice, pacing, signals, breath), heard at once",
		Long: "volume with no argument prints the daemon's levels in dB. NAME=DB sets one:\n" +
			"master (every sound), voice (the spoken cues), pacing (the rhythm's ticks),\n" +
			"signals (chimes, countdown pips, the end, the reminder) or breath (the breath\n" +
			"tones), from -60 to +12, e.g. `cued volume master=-6 pacing=-3`. The session\n" +
			"playing is mixed anew at once (a short fade), and later sessions keep the\n" +
			"levels until the daemon restarts; audio.volume in config.yaml sets where it\n" +
			"starts. `cued test-sound` plays one of each kind.",
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := parseVolume(args)
			if err != nil {
				return err
			}
			c := a.newClient()
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), clientTimeout)
			defer cancel()
			var st api.Status
			if len(args) == 0 {
				st, err = c.Status(ctx)
			} else {
				st, err = c.Volume(ctx, req)
			}
			if err != nil {
				return clientError(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), volumeLine(st.Volume))
			return nil
		},
	}
}

// parseVolume reads NAME=DB arguments.
func parseVolume(args []string) (api.VolumeRequest, error) {
	var r api.VolumeRequest
	for _, a := range args {
		name, val, ok := strings.Cut(a, "=")
		db, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(val), "dB"), 64)
		if !ok || err != nil {
			return r, fmt.Errorf("%q is not NAME=DB (e.g. master=-6; names: %s)", a, strings.Join(volumeNames, ", "))
		}
		var to **float64
		switch name {
		case "master":
			to = &r.Master
		case "voice":
			to = &r.Voice
		case "pacing":
			to = &r.Pacing
		case "signals":
			to = &r.Signals
		case "breath":
			to = &r.Breath
		default:
			return r, fmt.Errorf("%q: no level %q (names: %s)", a, name, strings.Join(volumeNames, ", "))
		}
		*to = &db
	}
	return r, nil
}

// volumeLine is v as `cued volume` prints it.
func volumeLine(v api.Volume) string {
	return fmt.Sprintf("master %+g dB, voice %+g dB, pacing %+g dB, signals %+g dB, breath %+g dB",
		v.Master, v.Voice, v.Pacing, v.Signals, v.Breath)
}
