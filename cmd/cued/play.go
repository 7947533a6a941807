package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/playback"
	"github.com/cued-dev/cued/sequencer"
)

// playFlags are play's own flags (and test-sound's).
type playFlags struct {
	quiet, local bool
	output       string
}

func (pf *playFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&pf.quiet, "quiet", "q", false, "no progress display")
	cmd.Flags().BoolVar(&pf.local, "local", false, "play in this process even when a daemon runs")
	cmd.Flags().StringVar(&pf.output, "output", "", "play in this process through this output: pulse, alsa or beep (default audio.output)")
}

func newPlayCmd(a *app) *cobra.Command {
	var f sessionFlags
	var pf playFlags
	cmd := &cobra.Command{
		Use:   "play ROUTINE",
		Short: "Play a session through the speakers or headphones",
		Long: "Play compiles the routine (an id or a file) and plays it through the sound\n" +
			"device, with a progress display. Keys, when the terminal is interactive:\n" +
			"space or p pauses and resumes (and goes on where the session waits for you),\n" +
			"n skips to the next part or segment, b goes back, q or Ctrl-C stops with a\n" +
			"short fade. When a daemon (cued serve) runs,\n" +
			"play asks it to play the session instead, unless --local or --output is given.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runPlay(cmd, args[0], &f, pf) },
	}
	f.register(cmd)
	pf.register(cmd)
	return cmd
}

// runPlay plays routine (an id or a file) through the daemon when one
// runs, else (or with --local or --output) in this process.
func (a *app) runPlay(cmd *cobra.Command, routine string, f *sessionFlags, pf playFlags) error {
	if pf.output != "" {
		if _, err := playback.ParseOutput(pf.output); err != nil {
			return fmt.Errorf("--output %q is not an output (pulse, alsa or beep)", pf.output)
		}
		a.cfg.Audio.Output, pf.local = pf.output, true
	}
	if !pf.local {
		req, err := f.request()
		if err != nil {
			return err
		}
		req.Routine = routine
		if handled, err := a.tryDaemonPlay(req); handled {
			if err == nil && !pf.quiet {
				fmt.Fprintln(cmd.ErrOrStderr(), "cued: playing through the daemon (cued status --follow shows progress; cued stop ends it)")
			}
			return err
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, tl, err := a.prepareSession(ctx, routine, f)
	if err != nil {
		return err
	}
	var out io.Writer = cmd.ErrOrStderr()
	if pf.quiet {
		out = io.Discard
	}
	return a.playLocal(ctx, s, tl, out)
}

// playLocal plays the session in this process, showing progress on out and
// taking keys from a terminal on stdin.
func (a *app) playLocal(ctx context.Context, s *audio.Session, tl *sequencer.Timeline, out io.Writer) error {
	announceRole(&a.cfg)
	p, err := playback.Start(s, s.Format(), playbackOptions(&a.cfg))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if isTerminal(os.Stdin) {
		restore := rawTerminal()
		defer restore()
		go readKeys(ctx, p, s, cancel)
	}
	prog := newProgress(out, tl, s)
	prog.paused = p.Paused
	prog.offset = time.Duration(a.cfg.Audio.LatencyMS) * time.Millisecond
	err = p.Wait(ctx, prog.update)
	prog.done()
	if errors.Is(err, context.Canceled) {
		return nil // stopped by the user
	}
	return err
}

// readKeys turns key presses into player commands until ctx is done.
func readKeys(ctx context.Context, p *playback.Player, s *audio.Session, quit context.CancelFunc) {
	buf := make([]byte, 1)
	for ctx.Err() == nil {
		n, err := os.Stdin.Read(buf)
		if err != nil || n == 0 {
			return
		}
		switch buf[0] {
		case ' ', 'p':
			_, end, waiting := s.WaitAt(p.Position())
			switch {
			case p.Paused():
				p.Resume()
			case waiting: // the listener is ready: go on (as the daemon's toggle does)
				_ = p.Seek(end)
			default:
				p.Pause()
			}
		case 'n':
			if m, ok := s.MarkAfter(p.Position()); ok {
				_ = p.Seek(m)
			}
		case 'b':
			_ = p.Seek(s.Prev(p.Position()))
		case 'q', 3: // q or a Ctrl-C that reached us as a byte
			quit()
			return
		}
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// rawTerminal switches the terminal on stdin to read single keys without
// echo, and returns the function that restores it.
func rawTerminal() func() {
	saved, err := stty("-g")
	if err != nil {
		return func() {}
	}
	if _, err := stty("-icanon", "-echo", "min", "1"); err != nil {
		return func() {}
	}
	return func() { _, _ = stty(strings.TrimSpace(saved)) }
}

func stty(args ...string) (string, error) {
	c := exec.Command("stty", args...)
	c.Stdin = os.Stdin
	b, err := c.Output()
	return string(b), err
}

// progress shows where the session is: one redrawn line on a terminal,
// a plain line per part change otherwise.
type progress struct {
	w    io.Writer
	tl   *sequencer.Timeline
	s    *audio.Session
	tty  bool
	step int
	// paused reports whether the player is paused (nil: never).
	paused func() bool
	// offset is the output's delay beyond what it reports (audio.latency_ms).
	offset time.Duration
}

func newProgress(w io.Writer, tl *sequencer.Timeline, s *audio.Session) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tl: tl, s: s, tty: ok && isTerminal(f), step: -1}
}

func (p *progress) update(pos int) {
	at := max(p.s.Time(pos)-p.offset, 0) // what is heard: the output's own delay later

	step := p.tl.StepAt(at)
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", p.line(at, step))
		return
	}
	if step != p.step && step >= 0 {
		fmt.Fprintf(p.w, "%s  part %d/%d: %s (session %s)\n", shortClock(at), step+1, len(p.tl.Steps),
			p.tl.Steps[step].Name, shortClock(p.tl.Length))
	}
	p.step = step
}

func (p *progress) line(at time.Duration, step int) string {
	name := "finished"
	if step >= 0 {
		name = fmt.Sprintf("part %d/%d %s", step+1, len(p.tl.Steps), p.tl.Steps[step].Name)
	}
	const width = 24
	filled := int(float64(width) * at.Seconds() / p.tl.Length.Seconds())
	filled = min(max(filled, 0), width)
	bar := strings.Repeat("#", filled) + strings.Repeat("-", width-filled)
	state := ""
	if _, _, ok := p.s.WaitAt(p.s.Sample(at)); ok {
		state = "  waiting for you (space or n goes on)"
	}
	if p.paused != nil && p.paused() {
		state = "  paused (space resumes)"
	}
	return fmt.Sprintf("%-38s %s / %s  -%s  [%s]%s", name, shortClock(at), shortClock(p.tl.Length),
		shortClock(max(0, p.tl.Length-at)), bar, state)
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprintln(p.w)
	}
}
