package main

import (
	"context"
	"math"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/gopxl/beep/v2"
	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/sink"
	"github.com/cued-dev/cued/playback"
)

// The sink child: `cued sink --rate R --buffer-ms N --output O`, started by the daemon
// for each session. It owns the audio device (which may be opened once per
// process and never recovers from its first error), so the daemon can get a
// fresh device by starting a fresh child. The protocol is in package
// daemon/sink.
func init() {
	var rate, bufferMS int
	var output string
	cmd := &cobra.Command{
		Use:    "sink",
		Short:  "Play PCM from stdin through the speaker (started by cued serve)",
		Hidden: true,
		Args:   cobra.NoArgs,
		// The child needs no configuration: the daemon passes everything.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
			defer stop()
			dev := &speakerDevice{ctx: ctx, output: playback.Output(output)}
			err := sink.Serve(ctx, pollable(0, os.Stdin), os.Stdout, dev, rate, bufferMS)
			if err != nil {
				return exitCode(2) // already reported on stdout
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&rate, "rate", 44100, "sample rate in Hz")
	cmd.Flags().IntVar(&bufferMS, "buffer-ms", 40, "speaker buffer in milliseconds")
	cmd.Flags().StringVar(&output, "output", "", "sound output: alsa or beep (default: the platform's)")
	rootCmd.AddCommand(cmd)
}

// speakerDevice plays a sink.Source through the playback package.
type speakerDevice struct {
	ctx    context.Context
	output playback.Output
	p      *playback.Player
	mu     sync.Mutex
	err    error
}

func (d *speakerDevice) Start(rate, bufferMS int, src sink.Source) error {
	format := beep.Format{SampleRate: beep.SampleRate(rate), NumChannels: 2, Precision: 2}
	p, err := playback.StartLive(&endless{src: src}, format, playback.Options{Output: d.output, BufferMS: bufferMS})
	if err != nil {
		return err
	}
	d.p = p
	go func() {
		// The source never ends, so Wait returns only on a device
		// failure (or when the child stops).
		if err := p.Wait(d.ctx, nil); err != nil && d.ctx.Err() == nil {
			d.mu.Lock()
			d.err = err
			d.mu.Unlock()
		}
	}()
	return nil
}

// Fed wakes the player if it ran dry.
func (d *speakerDevice) Fed() { d.p.Fed() }

func (d *speakerDevice) Health() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// endless makes a never-ending Source a beep.StreamSeeker for a live
// player (fewer frames than asked: none queued yet).
type endless struct {
	src sink.Source
	pos int
}

func (e *endless) Stream(s [][2]float64) (int, bool) {
	n, ok := e.src.Stream(s)
	e.pos += n
	return n, ok
}
func (e *endless) Err() error       { return e.src.Err() }
func (e *endless) Len() int         { return math.MaxInt32 }
func (e *endless) Position() int    { return e.pos }
func (e *endless) Seek(p int) error { e.pos = p; return nil }
