package daemon_test

import (
	"context"
	"errors"
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

// tone is a fake session: sample p is quantised to the 16-bit value
// p mod 10000 on both channels, so a test can tell which sample an output
// received.
type tone struct {
	n, pos int
	marks  []int
}

func (t *tone) Stream(s [][2]float64) (int, bool) {
	if t.pos >= t.n {
		return 0, false
	}
	k := min(len(s), t.n-t.pos)
	for i := range k {
		v := (float64((t.pos+i)%10000) + 0.5) / 32767
		s[i] = [2]float64{v, v}
	}
	t.pos += k
	return k, true
}
func (t *tone) Seek(p int) error {
	if p < 0 || p > t.n {
		return errors.New("seek out of range")
	}
	t.pos = p
	return nil
}
func (t *tone) Position() int { return t.pos }
func (t *tone) Len() int      { return t.n }
func (t *tone) MarkAfter(p int) (int, bool) {
	for _, m := range t.marks {
		if m > p {
			return m, true
		}
	}
	return 0, false
}
func (t *tone) MarkBefore(p int) (int, bool) {
	for i := len(t.marks) - 1; i >= 0; i-- {
		if t.marks[i] < p {
			return t.marks[i], true
		}
	}
	return 0, false
}

// sampleIndex recovers the sample index (mod 10000) from a 16-bit frame.
func sampleIndex(pcm []byte) int {
	return int(int16(uint16(pcm[0]) | uint16(pcm[1])<<8))
}

// prepare makes sessions of secs seconds with three parts and marks at
// each part.
func prepare(secs float64) func(context.Context, api.PlayRequest) (daemon.Session, error) {
	return func(_ context.Context, req api.PlayRequest) (daemon.Session, error) {
		if req.Routine == "nope" {
			return daemon.Session{}, errors.New(`no such routine "nope"`)
		}
		n := int(secs * rate)
		third := time.Duration(secs * float64(time.Second) / 3)
		return daemon.Session{
			Audio: &tone{n: n, marks: []int{0, n / 3, 2 * n / 3}}, Rate: rate,
			Routine: req.Routine, Name: "Test " + req.Routine, Level: "standard",
			Parts: []daemon.Part{{"one", 0, third}, {"two", third, 2 * third}, {"three", 2 * third, 3 * third}},
		}, nil
	}
}

// faultyOutput is a null output that can be made to fail to open, and
// whose streams can be killed.
type faultyOutput struct {
	realtime bool
	down     atomic.Bool
	mu       sync.Mutex
	streams  []*faultyStream
	rates    []int // of every Open, in order
	opens    atomic.Int32
}

type faultyStream struct {
	*sink.NullStream
	mu    sync.Mutex
	first int    // sample index of the first frame written, -1 before any
	last  []byte // the last write
	// resumed is the first frame written after the last Flush.
	resumed    int
	resumedSet int
	flushed    bool
	dead       chan struct{}
	once       sync.Once
}

var errDead = errors.New("fake device died")

func (o *faultyOutput) Open(ctx context.Context, r int) (daemon.Stream, error) {
	o.opens.Add(1)
	o.mu.Lock()
	o.rates = append(o.rates, r)
	o.mu.Unlock()
	if o.down.Load() {
		return nil, errors.New("fake: no sound server")
	}
	ns, _ := sink.Null{Realtime: o.realtime, BufferFrames: r * 40 / 1000}.Open(ctx, r)
	s := &faultyStream{NullStream: ns, first: -1, dead: make(chan struct{})}
	o.mu.Lock()
	o.streams = append(o.streams, s)
	o.mu.Unlock()
	return s, nil
}

func (o *faultyOutput) last() *faultyStream {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.streams) == 0 {
		return nil
	}
	return o.streams[len(o.streams)-1]
}

func (s *faultyStream) kill() { s.once.Do(func() { close(s.dead) }) }

func (s *faultyStream) Write(pcm []byte) error {
	select {
	case <-s.dead:
		return errDead
	default:
	}
	s.mu.Lock()
	// The first frames fade in: read the sample index past the fade
	// (5 ms, 40 frames at the test rate).
	if s.first < 0 && len(pcm) >= 41*4 {
		s.first = sampleIndex(pcm[40*4:]) - 40
	}
	s.last = append(s.last[:0], pcm...)
	if s.flushed && len(pcm) >= 4 && s.resumedSet < 2 {
		// the first write after a flush is the pause's fade-out; the
		// second starts the resume
		s.resumedSet++
		if s.resumedSet == 2 {
			s.resumed = sampleIndex(pcm)
		}
	}
	s.mu.Unlock()
	return s.NullStream.Write(pcm)
}

// Flush notes the flush for firstAfterResume.
func (s *faultyStream) Flush() (int64, error) {
	s.mu.Lock()
	s.flushed, s.resumedSet = true, 0
	s.mu.Unlock()
	return s.NullStream.Flush()
}

// firstAfterResume is the value of the first frame written after the
// fade-out that followed the last flush.
func (s *faultyStream) firstAfterResume() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resumed
}

// lastWrite returns a copy of the last PCM written.
func (s *faultyStream) lastWrite() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.last...)
}

func (s *faultyStream) firstSample() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

func (s *faultyStream) Done() <-chan struct{} { return s.dead }

func (s *faultyStream) Err() error {
	select {
	case <-s.dead:
		return errDead
	default:
		return nil
	}
}

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
