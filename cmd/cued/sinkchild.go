package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/sink"
	"github.com/cued-dev/cued/playback"
	"github.com/cued-dev/cued/voice"
)

// The sink child: `cued sink --rate R --buffer-ms N --output O`, started
// by the daemon. It owns the audio device (which may be opened once per
// process and never recovers from its first error), so the daemon can get
// a fresh device by starting a fresh child, and plays the sessions the
// daemon sends it, mixing each itself with the player `cued play` uses.
// The protocol is in package daemon/sink.
func newSinkCmd(a *app) *cobra.Command {
	var rate, bufferMS int
	var output string
	cmd := &cobra.Command{
		Use:    "sink",
		Short:  "Play the daemon's sessions through the speaker (started by cued serve)",
		Hidden: true,
		Args:   cobra.NoArgs,
		// The child needs no configuration: the daemon passes everything.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			b := &sinkBackend{ctx: ctx, output: playback.Output(output), warn: a.warn}
			err := sink.Serve(ctx, pollable(0, os.Stdin), os.Stdout, b, rate, bufferMS)
			if err != nil {
				return exitCode(2) // already reported on stdout
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&rate, "rate", 44100, "sample rate in Hz")
	cmd.Flags().IntVar(&bufferMS, "buffer-ms", 40, "speaker buffer in milliseconds")
	cmd.Flags().StringVar(&output, "output", "", "sound output: pulse, alsa or beep (default: the platform's)")
	return cmd
}

// sinkBackend is the child's audio: the device of package playback, and
// each session mixed from its spec.
type sinkBackend struct {
	ctx    context.Context
	output playback.Output
	o      playback.Options
	memo   voice.Memo // the clips, kept between sessions
	warn   func(msg string)
}

// Open opens the device.
func (b *sinkBackend) Open(rate, bufferMS int) error {
	b.o = playback.Options{Output: b.output, BufferMS: bufferMS}
	return playback.Open(rate, b.o)
}

// Play mixes the session spec describes and starts it at sample from, with
// a fade-in unless paused.
func (b *sinkBackend) Play(spec []byte, from int, paused bool) (sink.Player, error) {
	sp, err := decodeSpec(spec)
	if err != nil {
		return nil, err
	}
	s, err := sp.session(b.ctx, clipLoader{memo: &b.memo, warn: b.warn})
	if err != nil {
		return nil, err
	}
	if err := s.Seek(from); err != nil {
		return nil, err
	}
	p, err := playback.StartPaused(s, s.Format(), b.o)
	if err != nil {
		return nil, err
	}
	if !paused {
		p.Resume()
	}
	return p, nil
}

// Remix mixes the session spec describes and puts it in the place of the
// one p plays (playback.Player.Replace).
func (b *sinkBackend) Remix(p sink.Player, spec []byte) error {
	pp, ok := p.(*playback.Player)
	if !ok {
		return fmt.Errorf("remix: a %T is not a playback.Player", p)
	}
	sp, err := decodeSpec(spec)
	if err != nil {
		return err
	}
	s, err := sp.session(b.ctx, clipLoader{memo: &b.memo, warn: b.warn})
	if err != nil {
		return err
	}
	return pp.Replace(s)
}

// Health returns the device's error.
func (b *sinkBackend) Health() error { return playback.DeviceErr() }

// NoOutput reports whether err is playback's "no audio output" error.
func (b *sinkBackend) NoOutput(err error) bool { return errors.Is(err, playback.ErrNoDevice) }
