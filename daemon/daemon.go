package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/daemon/schedule"
)

// Daemon is one running daemon. Create it with New and call Run once.
type Daemon struct {
	o      Options
	log    *slog.Logger
	events *broker
	player *player
	sched  *schedule.Scheduler
	mux    map[string]route
	hist   *history.Log

	reloadMu sync.Mutex
	ready    chan struct{}
}

// New checks the options and builds a daemon; nothing is opened yet.
func New(o Options) (*Daemon, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	o.defaults()
	entries, err := schedule.Parse(o.Schedule)
	if err != nil {
		return nil, err
	}
	d := &Daemon{o: o, log: o.Logger, events: newBroker(), ready: make(chan struct{})}
	d.sched = &schedule.Scheduler{Clock: o.Clock, MaxSleep: o.SchedulerMaxSleep}
	d.sched.SetEntries(entries)
	d.mux = d.routes()
	return d, nil
}

// Ready is closed once the daemon listens on its socket.
func (d *Daemon) Ready() <-chan struct{} { return d.ready }

// Run takes the lock, listens on the socket and serves until ctx ends; then
// it stops the session (recording it in the history), closes every
// connection and removes the socket. It returns an error wrapping
// ErrRunning when another daemon holds the lock.
func (d *Daemon) Run(ctx context.Context) error {
	unlock, err := lock(d.o.Socket)
	if err != nil {
		return err
	}
	defer unlock()
	if err := d.openHistory(); err != nil {
		return err
	}
	if d.hist != nil {
		defer d.hist.Close()
	}
	ln, err := d.listen()
	if err != nil {
		return err
	}
	defer os.Remove(d.o.Socket)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	d.player = newPlayer(&d.o, d.events, d.hist, d.sched)
	playerCtx, stopPlayer := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPlayer()
	go d.player.run(playerCtx)

	d.wireSchedule(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); d.sched.Run(ctx) }()

	srv := &http.Server{Handler: d, ReadHeaderTimeout: 5 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	d.log.Info("cued daemon listening", "socket", d.o.Socket, "pid", os.Getpid())
	close(d.ready)

	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	cancel()
	wg.Wait()
	// The player stops the session and records it before anything closes.
	stopPlayer()
	<-d.player.done
	d.events.close()
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer scancel()
	if serr := srv.Shutdown(sctx); serr != nil {
		srv.Close()
	}
	d.log.Info("cued daemon stopped")
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// openHistory opens the history file, if one is set, and reads it once
// so that a damaged record is logged at the start.
func (d *Daemon) openHistory() error {
	if d.o.HistoryPath == "" {
		return nil
	}
	h, err := history.Open(d.o.HistoryPath)
	if err != nil {
		return err
	}
	d.hist = h
	if _, err := history.Read(d.o.HistoryPath, func(w string) { d.log.Warn("history: " + w) }); err != nil {
		d.log.Warn("cannot read the history", "err", err)
	}
	return nil
}

// listen opens the control socket, readable by its owner only. The
// caller holds the socket's lock, so a socket file there is stale.
func (d *Daemon) listen() (net.Listener, error) {
	os.Remove(d.o.Socket)
	ln, err := net.Listen("unix", d.o.Socket)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", d.o.Socket, err)
	}
	if err := os.Chmod(d.o.Socket, 0o600); err != nil {
		ln.Close()
		os.Remove(d.o.Socket)
		return nil, fmt.Errorf("socket %s: %w", d.o.Socket, err)
	}
	return ln, nil
}

// wireSchedule has the schedule start its sessions through the player
// and report the ones it missed as events.
func (d *Daemon) wireSchedule(ctx context.Context) {
	d.sched.Fire = func(o schedule.Occurrence) {
		d.player.do(ctx, command{op: cmdFire, occ: o})
	}
	d.sched.Missed = func(o schedule.Occurrence) {
		msg := fmt.Sprintf("scheduled %s at %s was missed (the machine was asleep?)", o.Routine, o.Time.Format("2006-01-02 15:04"))
		d.log.Info(msg)
		d.events.publish(api.Event{Type: api.EventSkipped, Time: d.o.Clock.Now(), Message: msg})
	}
}

// Reload re-reads the configuration and routines through Options.Reload
// and applies what changed; a playing session is never cut. It is what
// POST /reload and SIGHUP do.
func (d *Daemon) Reload(ctx context.Context) api.ReloadResult {
	d.reloadMu.Lock()
	defer d.reloadMu.Unlock()
	if d.o.Reload == nil {
		return api.ReloadResult{OK: true}
	}
	cfg, err := d.o.Reload(ctx)
	if err != nil {
		res := api.ReloadResult{Problems: strings.Split(strings.TrimSpace(err.Error()), "\n")}
		d.log.Warn("reload failed; the previous configuration stays in use", "err", err)
		d.events.publish(api.Event{Type: api.EventReload, Time: d.o.Clock.Now(), Message: "reload failed: " + oneLine(err.Error())})
		return res
	}
	res := api.ReloadResult{OK: len(cfg.Problems) == 0, Problems: cfg.Problems}
	entries, err := schedule.Parse(cfg.Schedule)
	if err != nil {
		res.OK = false
		res.Problems = append(res.Problems, strings.Split(err.Error(), "\n")...)
		res.Problems = append(res.Problems, "the previous schedule stays in use")
	} else {
		d.sched.SetEntries(entries)
	}
	msg := "configuration and routines reloaded"
	if !res.OK {
		msg = "reloaded with problems: " + strings.Join(res.Problems, "; ")
		d.log.Warn(msg)
	} else {
		d.log.Info(msg)
	}
	d.events.publish(api.Event{Type: api.EventReload, Time: d.o.Clock.Now(), Message: msg})
	return res
}

// lock takes an exclusive lock on socket + ".lock" (creating the socket's
// folder, mode 0700, if needed) and writes our pid into it.
func lock(socket string) (func(), error) {
	dir := filepath.Dir(socket)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("socket folder: %w", err)
	}
	path := socket + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if busy, err := tryLock(f); err != nil || busy {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		pid := strings.TrimSpace(string(b[:n]))
		if busy {
			if _, perr := strconv.Atoi(pid); perr == nil {
				return nil, fmt.Errorf("%w (pid %s, socket %s)", ErrRunning, pid, socket)
			}
			return nil, fmt.Errorf("%w (socket %s)", ErrRunning, socket)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	// The lock file stays: removing it would let two daemons lock two
	// different files of the same name.
	return func() {
		unlockFile(f)
		f.Close()
	}, nil
}
