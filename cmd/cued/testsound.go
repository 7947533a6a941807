package main

import "github.com/spf13/cobra"

// testSoundRoutine is the built-in routine that test-sound plays.
const testSoundRoutine = "test-sound"

func newTestSoundCmd(a *app) *cobra.Command {
	var pf playFlags
	cmd := &cobra.Command{
		Use:   "test-sound",
		Short: "Play one of each sound at your levels, each named, to set audio.volume",
		Long: "test-sound plays the built-in routine test-sound (about 50 seconds): a part\n" +
			"chime, the voice, pacing ticks, countdown pips and the sound at zero, the\n" +
			"breath tones and the end chime, each named by the voice, at the levels of\n" +
			"audio.volume. Through the daemon, `cued volume` changes them as it plays.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runPlay(cmd, testSoundRoutine, &sessionFlags{}, pf)
		},
	}
	pf.register(cmd)
	return cmd
}
