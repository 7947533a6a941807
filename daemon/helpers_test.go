package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
	"github.com/cued-dev/cued/daemon/sink"
)

const rate = 8000

// marks is a fake session's mix: its length and its marks.
type marks struct {
	n     int
	marks []int
	wait  [2]int // a wait's start and end; none if equal
}

func (m *marks) Len() int { return m.n }
func (m *marks) WaitAt(p int) (int, int, bool) {
	return m.wait[0], m.wait[1], m.wait[0] <= p && p < m.wait[1]
}
func (m *marks) MarkAfter(p int) (int, bool) {
	if _, end, ok := m.WaitAt(p); ok {
		return end, true
	}
	for _, k := range m.marks {
		if k > p {
			return k, true
		}
	}
	return 0, false
}
func (m *marks) MarkBefore(p int) (int, bool) {
	for i := len(m.marks) - 1; i >= 0; i-- {
		if m.marks[i] < p {
			return m.marks[i], true
		}
	}
	return 0, false
}

// Prev is audio.Session's rule with a grace of 0.2 s.
func (m *marks) Prev(p int) int {
	k, _ := m.MarkBefore(max(p-rate/5, 0) + 1)
	return k
}

// prepare makes sessions of secs seconds with three parts and marks at
// each part; the spec is the routine's name.
func prepare(secs float64) func(context.Context, api.PlayRequest) (daemon.Session, error) {
	return func(_ context.Context, req api.PlayRequest) (daemon.Session, error) {
		if req.Routine == "nope" {
			return daemon.Session{}, errors.New(`no such routine "nope"`)
		}
		n := int(secs * rate)
		third := time.Duration(secs * float64(time.Second) / 3)
		m := &marks{n: n, marks: []int{0, n / 3, 2 * n / 3}}
		if req.Routine == "wait" {
			m.wait = [2]int{n / 10, n * 9 / 10} // most of the session
		}
		return daemon.Session{
			Audio: m, Rate: rate, Spec: []byte(req.Routine),
			Routine: req.Routine, Name: "Test " + req.Routine, Level: "standard",
			Parts: []daemon.Part{{"one", 0, third}, {"two", third, 2 * third}, {"three", 2 * third, 3 * third}},
		}, nil
	}
}

// faultyOutput is a null output that can be made to fail to open, and
// whose devices record their controls and can be killed.
type faultyOutput struct {
	realtime bool
	down     atomic.Bool
	mu       sync.Mutex
	devs     []*recDevice
	rates    []int // of every Open, in order
	opens    atomic.Int32
}

// recDevice is a null device that records the controls it gets.
type recDevice struct {
	*sink.NullDevice
	mu    sync.Mutex
	calls []string
}

var errDead = errors.New("fake device died")

func (o *faultyOutput) Open(ctx context.Context, r int) (daemon.Device, error) {
	o.opens.Add(1)
	o.mu.Lock()
	o.rates = append(o.rates, r)
	o.mu.Unlock()
	if o.down.Load() {
		return nil, errors.New("fake: no sound server")
	}
	nd, _ := sink.Null{Realtime: o.realtime}.Open(ctx, r)
	d := &recDevice{NullDevice: nd}
	o.mu.Lock()
	o.devs = append(o.devs, d)
	o.mu.Unlock()
	return d, nil
}

func (o *faultyOutput) last() *recDevice {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.devs) == 0 {
		return nil
	}
	return o.devs[len(o.devs)-1]
}

func (d *recDevice) rec(format string, a ...any) {
	d.mu.Lock()
	d.calls = append(d.calls, fmt.Sprintf(format, a...))
	d.mu.Unlock()
}

func (d *recDevice) Play(s sink.Start) error {
	d.rec("play %s from %d paused %v", s.Spec, s.From, s.Paused)
	return d.NullDevice.Play(s)
}
func (d *recDevice) Pause(id int64) error  { d.rec("pause"); return d.NullDevice.Pause(id) }
func (d *recDevice) Resume(id int64) error { d.rec("resume"); return d.NullDevice.Resume(id) }
func (d *recDevice) Stop(id int64) error   { d.rec("stop"); return d.NullDevice.Stop(id) }
func (d *recDevice) Move(id, seq int64, pos int) error {
	d.rec("move %d", pos)
	return d.NullDevice.Move(id, seq, pos)
}

// log returns the controls so far.
func (d *recDevice) log() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.calls...)
}

// kill makes the device die, as a dead sound server would.
func (d *recDevice) kill() { d.Fail(errDead) }

// harness is a daemon running in-process on a socket in a temp dir.
type harness struct {
	t      testing.TB
	d      *daemon.Daemon
	c      *client.Client
	out    *faultyOutput
	socket string
	hist   string
	cancel context.CancelFunc
	done   chan error
}

func quietLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func start(t testing.TB, mod func(*daemon.Options)) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, out: &faultyOutput{realtime: true},
		socket: filepath.Join(dir, "run", "cued", "cued.sock"), hist: filepath.Join(dir, "state", "history.jsonl")}
	o := daemon.Options{Socket: h.socket, Logger: quietLogger(t), HistoryPath: h.hist,
		Prepare: prepare(3), Output: h.out, DeviceRetry: 50 * time.Millisecond, ProgressInterval: 200 * time.Millisecond,
		Routines: func() ([]api.Routine, error) {
			return []api.Routine{{ID: "r1", Name: "R1", Parts: 3, Builtin: true}}, nil
		}}
	if mod != nil {
		mod(&o)
	}
	d, err := daemon.New(o)
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- d.Run(ctx) }()
	select {
	case <-d.Ready():
	case err := <-h.done:
		t.Fatalf("daemon did not start: %v", err)
	}
	h.c = client.New(h.socket)
	t.Cleanup(func() { h.stop() })
	return h
}

// stop cancels the daemon and waits for Run to return.
func (h *harness) stop() error {
	h.t.Helper()
	if h.cancel == nil {
		return nil
	}
	h.c.Close()
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		return err
	case <-time.After(5 * time.Second):
		h.t.Fatal("daemon did not stop within 5 s")
		return nil
	}
}

func (h *harness) status() api.Status {
	h.t.Helper()
	s, err := h.c.Status(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// waitFor polls the status until cond holds or 3 s pass.
func (h *harness) waitFor(what string, cond func(api.Status) bool) api.Status {
	h.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		s := h.status()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; status %+v", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// raw sends a request over the socket and returns the code and body.
func (h *harness) raw(method, path string, body io.Reader) (int, []byte) {
	h.t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", h.socket)
	}}}
	defer hc.CloseIdleConnections()
	req, _ := http.NewRequest(method, "http://cued"+path, body)
	resp, err := hc.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
