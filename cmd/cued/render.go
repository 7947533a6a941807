package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/sequencer"
)

func newRenderCmd(a *app) *cobra.Command {
	var f sessionFlags
	var out, format, overlay string
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
				format = a.cfg.Audio.Format
			}
			enc, err := audio.ParseEncoding(format)
			if err != nil {
				return err
			}
			s, err := a.renderSession(cmd.Context(), args[0], &f, overlay)
			if err != nil {
				return err
			}
			w, closeOut, err := openOutput(cmd, out)
			if err != nil {
				return err
			}
			defer closeOut()
			bw := bufio.NewWriterSize(w, 1<<16)
			if err := audio.Render(bw, s, s.Format(), enc); err != nil {
				return fmt.Errorf("render %s: %w", out, err)
			}
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("render %s: %w", out, err)
			}
			return closeOut()
		},
	}
	f.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "output file, FIFO, or - for standard output")
	cmd.Flags().StringVar(&format, "format", "", "s16, f32 or raw (default: audio.format from config)")
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

// openOutput opens where a render goes: the command's standard output for
// "-", else the file (or FIFO) at path. close closes it (a second call,
// from a defer, fails harmlessly).
func openOutput(cmd *cobra.Command, path string) (w io.Writer, close func() error, err error) {
	if path == "-" {
		return cmd.OutOrStdout(), func() error { return nil }, nil
	}
	// O_CREATE|O_WRONLY without O_TRUNC first: a FIFO must not be truncated.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, nil, err
		}
	}
	return f, f.Close, nil
}
