package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
)

// socketPath is the daemon's control socket: config daemon.socket, else
// $XDG_RUNTIME_DIR/cued/cued.sock (falling back to the state folder when
// XDG_RUNTIME_DIR is unset).
func (a *app) socketPath() string {
	if a.cfg.Daemon.Socket != "" {
		return a.cfg.Daemon.Socket
	}
	return filepath.Join(xdgDir("XDG_RUNTIME_DIR", ".local/state"), "cued", "cued.sock")
}

// historyPath is the history log the daemon appends to.
func historyPath() string { return filepath.Join(stateHome(), "cued", "history.jsonl") }

// newClient returns a client of the configured socket.
func (a *app) newClient() *client.Client { return client.New(a.socketPath()) }

// clientTimeout bounds every control request but play (which waits for the
// session to be prepared) and the event stream.
const clientTimeout = 5 * time.Second

// tryDaemonPlay sends req to a running daemon. handled is false (and err
// nil) when no daemon runs, so that `cued play` plays in-process; otherwise
// err is the daemon's answer (nil once the session plays).
func (a *app) tryDaemonPlay(req api.PlayRequest) (handled bool, err error) {
	// A routine file is found from the daemon's folder, not ours.
	if strings.ContainsRune(req.Routine, filepath.Separator) || strings.HasSuffix(req.Routine, ".yaml") {
		if abs, err := filepath.Abs(req.Routine); err == nil && fileExists(abs) {
			req.Routine = abs
		}
	}
	c := a.newClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.Play(ctx, req)
	if errors.Is(err, client.ErrNoDaemon) {
		return false, nil
	}
	return true, err
}
