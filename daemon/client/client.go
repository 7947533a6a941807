// Package client talks to a running cued daemon over its Unix socket: the
// CLI's verbs (status, play, pause, ...) and the event stream.
package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/cued-dev/cued/daemon/api"
)

// ErrNoDaemon means no daemon answers on the socket (none is running).
var ErrNoDaemon = errors.New("no cued daemon is running")

// Client is a connection to one daemon's socket. It is safe for concurrent
// use.
type Client struct {
	socket string
	http   *http.Client
}

// New returns a client of the daemon listening on socket.
func New(socket string) *Client {
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns: 4,
	}
	return &Client{socket: socket, http: &http.Client{Transport: tr}}
}

// Socket returns the socket path.
func (c *Client) Socket() string { return c.socket }

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// do sends a request and decodes a JSON answer into out; a 4xx or 5xx
// answer is returned as *api.Error.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://cued"+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.wrap(err)
	}
	defer resp.Body.Close()
	return decode(resp, out)
}

func decode(resp *http.Response, out any) error {
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		e := &api.Error{Status: resp.StatusCode}
		if json.Unmarshal(b, e) != nil || e.Message == "" {
			e.Message = fmt.Sprintf("%s: %s", resp.Status, strings.TrimSpace(string(b)))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("daemon answer: %w", err)
	}
	return nil
}

// wrap turns "no socket" and "connection refused" into ErrNoDaemon.
func (c *Client) wrap(err error) error {
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return fmt.Errorf("%w (no socket at %s)", ErrNoDaemon, c.socket)
	}
	return err
}

// Status returns the daemon's status.
func (c *Client) Status(ctx context.Context) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodGet, "/status", nil, &s)
	return s, err
}

// Play asks the daemon to play req; it returns once the session plays or
// failed to start.
func (c *Client) Play(ctx context.Context, req api.PlayRequest) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, "/play", req, &s)
	return s, err
}

// Volume changes the daemon's levels (POST /volume) and returns the status.
func (c *Client) Volume(ctx context.Context, req api.VolumeRequest) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, "/volume", req, &s)
	return s, err
}

// Verb sends a control verb (one of api.Verbs) and returns the status
// after it.
func (c *Client) Verb(ctx context.Context, verb string) (api.Status, error) {
	var s api.Status
	err := c.do(ctx, http.MethodPost, "/"+verb, nil, &s)
	return s, err
}

// Reload asks the daemon to re-read its configuration and routines.
func (c *Client) Reload(ctx context.Context) (api.ReloadResult, error) {
	var r api.ReloadResult
	err := c.do(ctx, http.MethodPost, "/reload", nil, &r)
	return r, err
}

// Routines lists the routines the daemon knows.
func (c *Client) Routines(ctx context.Context) ([]api.Routine, error) {
	var r []api.Routine
	err := c.do(ctx, http.MethodGet, "/routines", nil, &r)
	return r, err
}

// Schedule lists the next n scheduled sessions.
func (c *Client) Schedule(ctx context.Context, n int) ([]api.Scheduled, error) {
	var r []api.Scheduled
	err := c.do(ctx, http.MethodGet, fmt.Sprintf("/schedule?n=%d", n), nil, &r)
	return r, err
}

// Events calls fn for every event of the daemon's stream, starting with a
// status event, until ctx ends (nil is returned), fn returns an error (it
// is returned) or the daemon goes away.
func (c *Client) Events(ctx context.Context, fn func(api.Event) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://cued/events", nil)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return c.wrap(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return decode(resp, nil)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var e api.Event
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return fmt.Errorf("event stream: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

// Wait polls until a daemon answers on the socket or timeout passes.
func (c *Client) Wait(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		_, err := c.Status(ctx)
		if err == nil || !errors.Is(err, ErrNoDaemon) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
