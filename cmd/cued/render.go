package main

import (
	"bufio"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/audio"
)

func init() {
	var f sessionFlags
	var out, format string
	cmd := &cobra.Command{
		Use:   "render ROUTINE -o FILE",
		Short: "Write a whole session to a WAV file (or raw PCM), identical to what plays",
		Long: "Render mixes the session exactly as `cued play` does and writes it to FILE:\n" +
			"WAV 16-bit (s16) or 32-bit float (f32), or raw 16-bit little-endian PCM (raw),\n" +
			"stereo at audio.rate. -o - writes to standard output; a FIFO works too, so\n" +
			"another player (or a Snapcast server) can take the stream. No audio device is needed.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("render needs -o FILE (or -o - for standard output)")
			}
			if format == "" {
				format = cfg.Audio.Format
			}
			enc, err := audio.ParseEncoding(format)
			if err != nil {
				return err
			}
			s, _, err := prepareSession(cmd.Context(), args[0], &f)
			if err != nil {
				return err
			}
			w := os.Stdout
			if out != "-" {
				// O_CREATE|O_WRONLY without O_TRUNC first: a FIFO must not be truncated.
				w, err = os.OpenFile(out, os.O_WRONLY|os.O_CREATE, 0o644)
				if err != nil {
					return err
				}
				if fi, err := w.Stat(); err == nil && fi.Mode().IsRegular() {
					if err := w.Truncate(0); err != nil {
						return err
					}
				}
				defer w.Close()
			}
			bw := bufio.NewWriterSize(w, 1<<16)
			if err := audio.Render(bw, s, s.Format(), enc); err != nil {
				return fmt.Errorf("render %s: %w", out, err)
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("render %s: %w", out, err)
			}
			if out != "-" {
				return w.Close()
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file, FIFO, or - for standard output")
	cmd.Flags().StringVar(&format, "format", "", "s16, f32 or raw (default: audio.format from config)")
	rootCmd.AddCommand(cmd)
}
