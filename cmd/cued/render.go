package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/encode"
	"github.com/cued-dev/cued/sequencer"
)

func newRenderCmd(a *app) *cobra.Command {
	var f sessionFlags
	var out, format, overlay string
	var all bool
	var bitrate int
	cmd := &cobra.Command{
		Use:   "render ROUTINE -o FILE | render --all -o DIR",
		Short: "Write a whole session to a file (WAV, raw PCM, or MP3 with a chapter per part)",
		Long: "Render mixes the session exactly as `cued play` does and writes it to FILE:\n" +
			"WAV 16-bit (s16) or 32-bit float (f32), raw 16-bit little-endian PCM (raw), or\n" +
			"MP3 (mp3: encoded by LAME, with an ID3 tag holding a chapter per part, which\n" +
			"podcast players list and skip between). The format comes from --format, else\n" +
			"from FILE's extension (.mp3, .wav, .raw), else audio.format. -o - writes to\n" +
			"standard output; a FIFO works too (MP3 reaches it only once it is encoded: LAME\n" +
			"writes its header last). A file is written whole or not at all. No audio\n" +
			"device is needed.\n\n" +
			"--all -o DIR writes every routine at every level (timed pace) into DIR as\n" +
			"ROUTINE-LEVEL.mp3 (or --format's; a level that is the same session as the one\n" +
			"before is written once), with a playlist cued.m3u.",
		Args: func(cmd *cobra.Command, args []string) error {
			if all {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.ExactArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("render needs -o FILE (or -o - for standard output; -o DIR with --all)")
			}
			// Ctrl-C or SIGTERM ends LAME and the render, and the
			// temporary files go.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cmd.SetContext(ctx)
			r := renderJob{app: a, cmd: cmd, flags: &f, format: format, bitrate: bitrate}
			if all {
				if f.level != "" || f.pace != "" || overlay != "" || out == "-" {
					return fmt.Errorf("--all renders every level at the timed pace into a folder: it takes no --level, --pace or --overlay, and -o names a folder")
				}
				return r.all(out)
			}
			return r.one(args[0], out, overlay)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file, FIFO, or - for standard output (a folder with --all)")
	cmd.Flags().StringVar(&format, "format", "", "s16, f32, raw or mp3 (default: from -o's extension, else audio.format)")
	cmd.Flags().BoolVar(&all, "all", false, "every routine at every level into the folder -o, with a playlist")
	cmd.Flags().IntVar(&bitrate, "bitrate", encode.DefaultBitrate, "MP3's constant bit rate in kbit/s")
	// For the real-playback tests: the session as the daemon plays it after
	// `cued where` or `cued repeat` (their answer's said_at_ms and
	// said_cues).
	cmd.Flags().StringVar(&overlay, "overlay", "", "MS=ID,ID...: these cues spoken from MS, as where places them")
	cmd.Flags().MarkHidden("overlay")
	return cmd
}

// renderSession is the session render writes: the routine's, or with
// overlay ("MS=ID,ID...") the one where and repeat leave.
func (a *app) renderSession(ctx context.Context, name string, f *sessionFlags, overlay string) (*audio.Session, error) {
	if overlay == "" {
		s, _, err := a.prepareSession(ctx, name, f)
		return s, err
	}
	ms, list, ok := strings.Cut(overlay, "=")
	at, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || at < 0 || list == "" {
		return nil, fmt.Errorf("--overlay %q is not MS=ID,ID (a time in ms, then cue ids)", overlay)
	}
	r, err := a.findRoutine(name)
	if err != nil {
		return nil, err
	}
	tl, _, err := compileRoutine(ctx, &a.cfg, r, f, a.loader(nil))
	if err != nil {
		return nil, err
	}
	texts, words := sequencer.CueTexts(r), sequencer.Words()
	ids := strings.Split(list, ",")
	for _, id := range ids {
		if _, ok := texts[id]; !ok {
			texts[id] = words[id]
		}
	}
	bank, err := a.loader(nil).texts(ctx, &a.cfg, texts)
	if err != nil {
		return nil, err
	}
	out, _, err := tl.Overlay(time.Duration(at)*time.Millisecond, ids, bank)
	if err != nil {
		return nil, err
	}
	return audio.NewSession(out, bank, mixOptions(&a.cfg))
}

// openOutput opens where a render goes as it is written: the command's
// standard output for "-", else the FIFO or device at path (a regular
// file is written whole instead: renderJob.file). close closes it (a
// second call, from a defer, fails harmlessly).
func openOutput(cmd *cobra.Command, path string) (w io.Writer, close func() error, err error) {
	if path == "-" {
		return cmd.OutOrStdout(), func() error { return nil }, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0) // not truncated: a FIFO
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
