package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/schedule"
	"github.com/cued-dev/cued/daemon/sink"
	"github.com/cued-dev/cued/desktop"
	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
	"github.com/cued-dev/cued/voice"
)

func newServeCmd(a *app) *cobra.Command {
	var sinkKind string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon in the foreground: scheduled sessions, and control over a local socket",
		Long: "Run the daemon in the foreground. It listens on $XDG_RUNTIME_DIR/cued/cued.sock\n" +
			"(config daemon.socket), starts the scheduled sessions, and records every session in\n" +
			"$XDG_STATE_HOME/cued/history.jsonl. SIGHUP or `cued reload` re-reads the configuration\n" +
			"and routines; SIGTERM stops it cleanly. See docs/protocol.md.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runServe(cmd, sinkKind) },
	}
	cmd.Flags().StringVar(&sinkKind, "sink", "child", "audio output: child (a `cued sink` process per session) or null (plays nothing, in real time; for tests)")
	cmd.Flags().MarkHidden("sink")
	return cmd
}

// server holds what the daemon's callbacks share. mu serialises Prepare
// and Reload, which read and replace the app's configuration.
type server struct {
	mu  sync.Mutex
	app *app
	// path is the --config flag's value, for reload.
	path   string
	set    *library.Set
	level  *slog.LevelVar
	logger *slog.Logger
	// memo keeps the voice clips between sessions (see voice.Memo).
	memo *voice.Memo
}

func (a *app) runServe(cmd *cobra.Command, sinkKind string) error {
	path, _ := cmd.Flags().GetString("config")
	s := &server{app: a, path: path, level: new(slog.LevelVar), memo: &voice.Memo{}}
	announceRole(&a.cfg) // before any sink child starts: they inherit it
	if err := s.level.UnmarshalText([]byte(a.cfg.Daemon.LogLevel)); err != nil {
		return fmt.Errorf("daemon.log_level %q is not a level (debug, info, warn or error)", a.cfg.Daemon.LogLevel)
	}
	s.logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: s.level}))
	a.warn = func(msg string) { s.logger.Warn(msg) }
	set, err := library.Load(a.routineDirs()...)
	if set == nil {
		return err
	}
	if err != nil {
		s.logger.Warn("some routine files were left out", "problems", err.Error())
	}
	s.set = set

	out, err := a.sinkOutput(sinkKind)
	if err != nil {
		return err
	}

	d, err := daemon.New(s.options(out, sinkKind == "child"))
	if err != nil {
		return fmt.Errorf("config %s: %w", a.cfgFile, err)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go reloadOnHangup(ctx, d, hup)
	desk := make(chan struct{})
	go func() {
		defer close(desk)
		runDesktop(ctx, d, desktopOptions(&a.cfg, s.logger))
	}()
	err = d.Run(ctx)
	stop() // Run may return before ctx ends (the socket is taken)
	<-desk
	if errors.Is(err, daemon.ErrRunning) {
		return fmt.Errorf("%w; stop it first (cued stop only stops a session: use systemctl --user stop cued or kill it)", err)
	}
	return err
}

// options are the daemon's options: its callbacks are s's, the rest
// from the configuration; probe opens the output at start.
func (s *server) options(out daemon.Output, probe bool) daemon.Options {
	a := s.app
	return daemon.Options{
		Socket:      a.socketPath(),
		Logger:      s.logger,
		HistoryPath: historyPath(),
		Schedule:    scheduleEntries(a.cfg.Schedule),
		Prepare:     s.prepare,
		Invite:      s.invite,
		Output:      out,
		Routines:    s.routines,
		Reload:      s.reload,
		// A dead sound server takes with it what the output had taken
		// past what was heard (playback.Options.Lost). Step back that
		// much, so nothing is lost.
		FaultRewind:   playbackOptions(&a.cfg).Lost(),
		LatencyOffset: time.Duration(a.cfg.Audio.LatencyMS) * time.Millisecond,
		ProbeAtStart:  probe,
		ProbeRate:     a.cfg.Audio.Rate,
		Snooze:        a.cfg.Desktop.Snooze,
		Volume:        api.Volume(a.cfg.Audio.Volume),
		Revolume:      revolume,
		Overlay:       s.overlay,
	}
}

// sinkOutput is the daemon's output: a `cued sink` child per device
// ("child"), or a null device ("null").
func (a *app) sinkOutput(kind string) (daemon.Output, error) {
	switch kind {
	case "null":
		return daemon.OutputFunc(func(ctx context.Context, rate int) (daemon.Device, error) {
			return sink.Null{Realtime: true}.Open(ctx, rate)
		}), nil
	case "child":
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("cannot find the cued binary for the sink: %w", err)
		}
		args := []string{exe, "sink", "--output", a.cfg.Audio.Output} // a change needs a restart
		ex := &sink.Exec{Command: args, BufferMS: a.cfg.Audio.BufferMS, Stderr: os.Stderr}
		return daemon.OutputFunc(func(ctx context.Context, rate int) (daemon.Device, error) {
			ch, err := ex.Open(ctx, rate)
			if err != nil {
				return nil, err // not a nil *sink.Child in the interface
			}
			return ch, nil
		}), nil
	}
	return nil, fmt.Errorf("--sink %q is not a sink (child or null)", kind)
}

// reloadOnHangup reloads d at each SIGHUP until ctx ends.
func reloadOnHangup(ctx context.Context, d *daemon.Daemon, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			d.Reload(ctx)
		}
	}
}

// runDesktop serves the desktop pieces once d listens, until ctx ends.
func runDesktop(ctx context.Context, d *daemon.Daemon, o desktop.Options) {
	select {
	case <-d.Ready():
	case <-ctx.Done():
		return
	}
	_ = desktop.Run(ctx, d, o)
}

// desktopOptions maps the desktop section of config c.
func desktopOptions(c *Config, log *slog.Logger) desktop.Options {
	d := c.Desktop
	return desktop.Options{MPRIS: d.MPRIS, Notify: d.Notify, Inhibit: d.Inhibit, Routine: d.Routine,
		Snooze: d.Snooze, VolumeFloor: audio.MinVolume, Logger: log}
}

// scheduleEntries converts the config's schedule.
func scheduleEntries(cs []ScheduleEntry) []schedule.Entry {
	out := make([]schedule.Entry, 0, len(cs))
	for _, c := range cs {
		out = append(out, schedule.Entry{At: c.At, Routine: c.Routine, Mode: c.Mode, Level: c.Level})
	}
	return out
}

// prepare compiles a play request into a session, from the routines and
// the config read at start or at the last good reload. It holds the lock
// only to take those: a cold voice load (half a second) does not hold up
// reloads or the routine list.
func (s *server) prepare(ctx context.Context, req api.PlayRequest) (daemon.Session, error) {
	r, c, err := s.find(req.Routine)
	if err != nil {
		return daemon.Session{}, err
	}
	if req.Volume != nil {
		if err := audio.Volume(*req.Volume).Check(); err != nil {
			return daemon.Session{}, err
		}
		c.Audio.Volume = VolumeConfig(*req.Volume)
	}
	f := &sessionFlags{req: &req}
	tl, bank, err := compileRoutine(ctx, &c, r, f, s.app.loader(s.memo))
	if err != nil {
		return daemon.Session{}, err
	}
	// What the child would refuse to mix is refused here, as the user's.
	if err := audio.Check(tl, bank, mixOptions(&c)); err != nil {
		return daemon.Session{}, err
	}
	return sessionOf(&c, tl, sequencer.CueTexts(r))
}

// revolume is the daemon's Revolume: spec at the levels v (nil for a nil
// spec), or why v is out of range.
func revolume(spec []byte, v api.Volume) ([]byte, error) {
	if err := audio.Volume(v).Check(); err != nil {
		return nil, err
	}
	if spec == nil {
		return nil, nil
	}
	sp, err := decodeSpec(spec)
	if err != nil {
		return nil, err
	}
	sp.Audio.Volume = VolumeConfig(v)
	return json.Marshal(sp)
}

// sessionOf describes a session for the daemon: its index (the daemon does
// not mix: its sink child does) and the spec the child mixes it from
// (texts: of the cues it speaks).
func sessionOf(c *Config, tl *sequencer.Timeline, texts map[string]string) (daemon.Session, error) {
	spec, err := specOf(c, tl, texts)
	if err != nil {
		return daemon.Session{}, err
	}
	ds := daemon.Session{Audio: audio.NewIndex(tl, c.Audio.Rate), Rate: c.Audio.Rate, Spec: spec, Routine: tl.Routine, Name: tl.Name, Level: tl.Level}
	for _, st := range tl.Steps {
		ds.Parts = append(ds.Parts, daemon.Part{Name: st.Name, Start: st.Start, End: st.End})
	}
	return ds, nil
}

// invite is the sound of a scheduled prompt: the part chime, then the
// routine's first intro cue (its title when it has none), as an invitation.
func (s *server) invite(ctx context.Context, occ schedule.Occurrence) (daemon.Session, error) {
	r, c, err := s.find(occ.Routine)
	if err != nil {
		return daemon.Session{}, err
	}
	bank, err := s.app.loader(s.memo).routines(ctx, &c, r)
	if err != nil {
		return daemon.Session{}, err
	}
	tl := inviteTimeline(&c, r, bank)
	if err := audio.Check(tl, bank, mixOptions(&c)); err != nil {
		return daemon.Session{}, err
	}
	return sessionOf(&c, tl, sequencer.CueTexts(r))
}

// find returns the routine named id and a copy of the config, as of the
// last good reload. A reload replaces the config (loadConfig builds a new
// one), so the copy stays valid without the lock.
func (s *server) find(id string) (*routine.Routine, Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.set.Find(id)
	return r, s.app.cfg, err
}

// inviteTimeline is a chime followed by the routine's first intro cue.
func inviteTimeline(c *Config, r *routine.Routine, clips sequencer.ClipLengths) *sequencer.Timeline {
	chime := 1200 * time.Millisecond
	gain := sequencer.DefaultGains[sequencer.ToneChime]
	if t, ok := c.Audio.Tones[sequencer.ToneChime]; ok {
		gain = t.GainDB
	}
	tl := &sequencer.Timeline{Routine: r.ID, Name: r.Name, Level: "prompt", Length: chime,
		Events: []sequencer.Event{
			{Start: 0, Kind: sequencer.KindMark, Label: "prompt"},
			{Start: 0, Length: chime, Kind: sequencer.KindTone, Tone: sequencer.ToneChime, GainDB: gain},
		}}
	if len(r.Intro) > 0 {
		id := r.Intro[0].ID
		if d, ok := clips.ClipLength(id); ok {
			d = d.Round(time.Millisecond) + time.Millisecond
			start := chime + 300*time.Millisecond
			tl.Events = append(tl.Events, sequencer.Event{Start: start, Length: d, Kind: sequencer.KindVoice, Cue: id})
			tl.Length = start + d
		}
	}
	return tl
}

func (s *server) routines() ([]api.Routine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []api.Routine
	for _, src := range s.set.All() {
		rt := api.Routine{ID: src.Routine.ID, Name: src.Routine.Name, Parts: len(src.Routine.Steps), Builtin: src.Builtin}
		if !src.Builtin {
			rt.File = src.Routine.File
		}
		out = append(out, rt)
	}
	return out, nil
}

// reload re-reads the config file and the routine folders. A config that
// does not load changes nothing; a routine file that does not parse is
// reported with file:line:col and its previous version stays in use, while
// every other file is taken as it is now.
func (s *server) reload(context.Context) (daemon.Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.app
	c, from, err := loadConfig(s.path)
	if err != nil {
		return daemon.Config{}, err
	}
	if err := s.level.UnmarshalText([]byte(c.Daemon.LogLevel)); err != nil {
		return daemon.Config{}, fmt.Errorf("daemon.log_level %q is not a level (debug, info, warn or error)", c.Daemon.LogLevel)
	}
	old := a.cfg
	a.cfg, a.cfgFile = c, from
	dc := daemon.Config{Schedule: scheduleEntries(a.cfg.Schedule)}
	if a.cfg.Daemon.Socket != old.Daemon.Socket {
		dc.Problems = append(dc.Problems, "daemon.socket changed: restart the daemon to use it")
	}
	set, err := library.LoadOver(s.set, a.routineDirs()...)
	if err != nil {
		dc.Problems = append(dc.Problems, strings.Split(strings.TrimSpace(err.Error()), "\n")...)
	}
	if set != nil {
		s.set = set
	}
	return dc, nil
}
