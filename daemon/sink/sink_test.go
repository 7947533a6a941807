package sink

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv("SINK_TEST_CHILD"); mode != "" {
		err := Serve(context.Background(), os.Stdin, os.Stdout, &fakeBackend{mode: mode, rate: 8000}, 8000, 40)
		if err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// fakeBackend plays a session whose spec is its length in samples, in real
// time at rate (instantly when rate is 0). Mode "fail" cannot open; "die"
// fails 300 ms after it opened.
type fakeBackend struct {
	mode   string
	rate   int
	opened time.Time
}

// errNoServer is the fake's error that means no output (NoOutput).
var errNoServer = errors.New("fake: no sound server\nsecond line")

func (b *fakeBackend) NoOutput(err error) bool { return errors.Is(err, errNoServer) }

func (b *fakeBackend) Open(rate, bufferMS int) error {
	if b.mode == "fail" {
		return errNoServer
	}
	b.opened = time.Now()
	return nil
}

func (b *fakeBackend) Health() error {
	if b.mode == "die" && time.Since(b.opened) > 300*time.Millisecond {
		return errors.New("fake: device unplugged")
	}
	return nil
}

func (b *fakeBackend) Play(spec []byte, from int, paused bool) (Player, error) {
	n, err := strconv.Atoi(string(spec))
	if err != nil || n < from {
		return nil, errors.New("fake: bad spec " + strconv.Quote(string(spec)))
	}
	return &fakePlayer{b: b, n: n, pos: from, t0: time.Now(), paused: paused, stop: make(chan struct{})}, nil
}

// Remix takes a spec of the same length; "end" (a test's way to see that
// a remix arrived) moves the session to its end.
func (b *fakeBackend) Remix(p Player, spec []byte) error {
	fp := p.(*fakePlayer)
	if string(spec) == "end" {
		return fp.Seek(fp.n)
	}
	if n, err := strconv.Atoi(string(spec)); err != nil || n != fp.n {
		return errors.New("fake: a remix of another length " + strconv.Quote(string(spec)))
	}
	return nil
}

// fakePlayer is a session of n samples playing from pos at t0.
type fakePlayer struct {
	b        *fakeBackend
	mu       sync.Mutex
	n, pos   int
	t0       time.Time
	paused   bool
	stop     chan struct{}
	stopOnce sync.Once
}

func (p *fakePlayer) at() int {
	if p.paused {
		return p.pos
	}
	if p.b.rate == 0 {
		return p.n
	}
	return min(p.n, p.pos+int(time.Since(p.t0).Seconds()*float64(p.b.rate)))
}

func (p *fakePlayer) Position() int { p.mu.Lock(); defer p.mu.Unlock(); return p.at() }
func (p *fakePlayer) Pause()        { p.mu.Lock(); p.pos, p.paused = p.at(), true; p.mu.Unlock() }
func (p *fakePlayer) Resume()       { p.mu.Lock(); p.t0, p.paused = time.Now(), false; p.mu.Unlock() }
func (p *fakePlayer) Stop()         { p.stopOnce.Do(func() { close(p.stop) }) }
func (p *fakePlayer) Seek(pos int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pos, p.t0 = min(pos, p.n), time.Now()
	return nil
}

func (p *fakePlayer) Wait(ctx context.Context, _ func(int)) error {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			p.Stop()
			return ctx.Err()
		case <-p.stop:
			return context.Canceled
		case <-t.C:
		}
		if p.b.Health() != nil {
			return p.b.Health()
		}
		if p.Position() >= p.n {
			return nil
		}
	}
}

func child(mode string) *Exec {
	return &Exec{Command: []string{os.Args[0]}, Env: append(os.Environ(), "SINK_TEST_CHILD="+mode), BufferMS: 40}
}

// next waits for the child's next report of word.
func next(t *testing.T, c *Child, word string, within time.Duration) Report {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case r, ok := <-c.Reports():
			if !ok {
				t.Fatalf("the child exited waiting for %q: %v", word, c.Err())
			}
			if r.Word == word {
				return r
			}
		case <-timeout:
			t.Fatalf("no %q report within %v", word, within)
		}
	}
}

// TestChild plays sessions in a real child process: positions move on in
// real time, a move is reported with its sequence number, a control for
// another session is ignored, the end is reported, and a second session
// plays on the same child.
func TestChild(t *testing.T) {
	c, err := child("ok").Open(context.Background(), 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Play(Start{ID: 1, Length: 8000, Spec: []byte("8000")}); err != nil {
		t.Fatal(err)
	}
	first := next(t, c, "pos", time.Second)
	if first.ID != 1 || first.Pos > 800 {
		t.Fatalf("first report %+v", first)
	}
	time.Sleep(200 * time.Millisecond)
	if r := next(t, c, "pos", time.Second); r.Pos < 800 {
		t.Errorf("200 ms in, at sample %d", r.Pos)
	}
	c.Pause(2) // not the session playing: ignored
	c.Move(1, 1, 6000)
	for {
		r := next(t, c, "pos", time.Second)
		if r.Seq == 1 {
			if r.Pos < 6000 || r.Pos > 7000 {
				t.Errorf("after the move: %+v", r)
			}
			break
		}
	}
	if r := next(t, c, "ended", 2*time.Second); r.ID != 1 {
		t.Errorf("ended %+v", r)
	}
	c.Play(Start{ID: 2, From: 100, Length: 200, Paused: true, Spec: []byte("200")})
	if r := next(t, c, "pos", time.Second); r.ID != 2 || r.Pos != 100 {
		t.Errorf("a paused start: %+v", r)
	}
	c.Resume(2)
	next(t, c, "ended", time.Second)
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	<-c.Done()
}

// TestChildRemix: a remix reaches the session playing (the fake's "end"
// moves it to its end), one of another length is refused without ending
// the child, and one for another session is ignored.
func TestChildRemix(t *testing.T) {
	c, err := child("ok").Open(context.Background(), 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Play(Start{ID: 1, Length: 80000, Spec: []byte("80000")})
	next(t, c, "pos", time.Second)
	c.Remix(1, []byte("5"))   // another length: refused, the child goes on
	c.Remix(2, []byte("end")) // another session: ignored
	time.Sleep(100 * time.Millisecond)
	if r := next(t, c, "pos", time.Second); r.Pos >= 80000 {
		t.Fatalf("a remix for another session ended this one: %+v", r)
	}
	c.Remix(1, []byte("end"))
	if r := next(t, c, "ended", time.Second); r.ID != 1 {
		t.Fatalf("ended %+v", r)
	}
	if err := c.Err(); err != nil {
		t.Fatalf("the child failed: %v", err)
	}
}

func TestChildNoDevice(t *testing.T) {
	_, err := child("fail").Open(context.Background(), 8000)
	if !errors.Is(err, ErrDevice) || !errors.Is(err, ErrNoOutput) || !strings.Contains(err.Error(), "fake: no sound server second line") {
		t.Fatalf("Open: %v (want ErrDevice and ErrNoOutput)", err)
	}
}

func TestChildDies(t *testing.T) {
	c, err := child("die").Open(context.Background(), 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Play(Start{ID: 1, Length: 80000, Spec: []byte("80000")})
	select {
	case <-c.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("the child did not end after its device died")
	}
	for range c.Reports() {
	}
	if err := c.Err(); !errors.Is(err, ErrDevice) || errors.Is(err, ErrNoOutput) || !strings.Contains(err.Error(), "device unplugged") {
		t.Errorf("Err: %v (want ErrDevice, not ErrNoOutput)", err)
	}
	if err := c.Pause(1); err == nil {
		t.Error("a control after the child died succeeded")
	}
}

// TestNullRealtime: a realtime null device plays in real time, holds a
// pause, moves, ends, and fails when told to.
func TestNullRealtime(t *testing.T) {
	d, _ := Null{Realtime: true}.Open(context.Background(), 8000)
	defer d.Close()
	t0 := time.Now()
	d.Play(Start{ID: 7, Length: 2400, Spec: []byte("x")}) // 300 ms
	var last Report
	for r := range d.Reports() {
		if r.Word == "ended" {
			break
		}
		last = r
	}
	if dt := time.Since(t0); dt < 250*time.Millisecond || dt > 700*time.Millisecond || last.Pos != 2400 {
		t.Errorf("300 ms took %v, last report %+v", dt, last)
	}
	d.Play(Start{ID: 8, Length: 8000, Spec: []byte("x")})
	time.Sleep(50 * time.Millisecond)
	d.Pause(8)
	r1 := <-d.Reports()
	time.Sleep(60 * time.Millisecond)
	d.Move(8, 3, 4000)
	var r2 Report
	for r2 = range d.Reports() {
		if r2.Seq == 3 {
			break
		}
	}
	if r2.Pos != 4000 {
		t.Errorf("paused at %d, moved to %+v; want 4000, still paused", r1.Pos, r2)
	}
	d.Fail(errors.New("gone"))
	for range d.Reports() {
	}
	if err := d.Play(Start{ID: 9, Length: 1, Spec: []byte("x")}); err == nil || d.Err() == nil {
		t.Error("a failed null device still plays")
	}
}
