package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Player is one session playing in the child, as Serve drives it
// (playback.Player implements it).
type Player interface {
	Pause()
	Resume()
	Seek(pos int) error
	Stop()
	// Position is the sample the device takes next.
	Position() int
	// Wait blocks until the session has been heard to its end (nil), ctx
	// is done (ctx.Err(), after stopping) or the device fails (its error).
	Wait(ctx context.Context, onProgress func(pos int)) error
}

// Backend is the audio side of the child. cmd/cued implements it with the
// mixer and package playback; tests use a fake.
type Backend interface {
	// Open opens the device at rate with a buffer of bufferMS
	// milliseconds; it fails when there is no working device.
	Open(rate, bufferMS int) error
	// Play builds the session spec describes and starts it at sample
	// from, held there when paused; playing, it fades in.
	Play(spec []byte, from int, paused bool) (Player, error)
	// Remix puts the session spec describes (the same session as p's,
	// at other levels, say) in the place of the one p plays, fading from
	// one to the other at the first sample not heard.
	Remix(p Player, spec []byte) error
	// Health returns the device's error, if it failed since Open.
	Health() error
	// NoOutput reports whether err, from any of these or a Player, means
	// that there is no working sound output and says so in its message
	// (the daemon then shows it as it is: see ErrNoOutput).
	NoOutput(err error) bool
}

// ReportInterval is how often the child reports the position of the
// session playing (the daemon moves it on in real time in between; each
// report costs both processes wake-ups); IdleHealthInterval how often it
// checks the device while nothing plays (a child kept open between
// sessions).
const (
	ReportInterval     = 500 * time.Millisecond
	IdleHealthInterval = time.Second
)

// Serve is the child side: it opens the device, answers "ready", then plays
// the sessions the daemon starts on in and reports on out, until in ends
// (nil) or the device fails (reported as "error ..."; the error wraps
// ErrDevice). A malformed message ends it with an error wrapping
// ErrProtocol. ctx ends it early.
func Serve(ctx context.Context, in io.Reader, out io.Writer, b Backend, rate, bufferMS int) error {
	w := &lineWriter{w: bufio.NewWriter(out)}
	if err := b.Open(rate, bufferMS); err != nil {
		w.line(errorReport(err, b).String())
		return fmt.Errorf("%w: %v", ErrDevice, err)
	}
	w.line("ready")
	ctx, cancel := context.WithCancel(ctx)
	s := &server{ctx: ctx, w: w, b: b, waited: make(chan waited)}
	defer s.wg.Wait()
	defer cancel()
	defer s.stop()
	msgs := make(chan control)
	inErr := make(chan error, 1)
	// Not waited for: it may be blocked reading in, which only its end
	// (or the process's) undoes.
	go readControls(ctx, bufio.NewReaderSize(in, 64<<10), msgs, inErr)
	s.tick = time.NewTicker(IdleHealthInterval)
	defer s.tick.Stop()
	for {
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case c := <-msgs:
			err = s.handle(c)
		case err = <-inErr:
			if err == io.EOF {
				return nil
			}
			w.line(errorReport(err, s.b).String())
			return err
		case r := <-s.waited:
			err = s.finished(r)
		case <-s.tick.C:
			err = s.check()
		}
		if err == nil {
			err = w.err()
		}
		if err != nil {
			return err
		}
	}
}

// readControls sends the daemon's messages on msgs until in ends or a
// message is malformed (the error on errs).
func readControls(ctx context.Context, in io.Reader, msgs chan<- control, errs chan<- error) {
	for {
		c, err := readControl(in)
		if err != nil {
			errs <- err
			return
		}
		select {
		case msgs <- c:
		case <-ctx.Done():
			return
		}
	}
}

// server is Serve's state: the session playing. Only Serve's goroutine
// touches it.
type server struct {
	ctx    context.Context
	w      *lineWriter
	b      Backend
	cur    *playing
	waited chan waited
	wg     sync.WaitGroup
	// tick paces the reports (ReportInterval) while a session plays, the
	// health checks (IdleHealthInterval) while none does.
	tick *time.Ticker
}

// playing is the session the child plays.
type playing struct {
	id       int64
	p        Player
	seq      int64
	cancel   context.CancelFunc
	reported Report
}

// waited is what a session's Wait returned.
type waited struct {
	id  int64
	err error
}

func (s *server) handle(c control) error {
	if c.typ == MsgStart {
		s.stop()
		p, err := s.b.Play(c.start.Spec, c.start.From, c.start.Paused)
		if err != nil {
			s.w.line(errorReport(err, s.b).String())
			return fmt.Errorf("%w: %v", ErrDevice, err)
		}
		ctx, cancel := context.WithCancel(s.ctx)
		s.cur = &playing{id: c.start.ID, p: p, cancel: cancel}
		s.tick.Reset(ReportInterval)
		s.wg.Add(1)
		go func(id int64) {
			defer s.wg.Done()
			err := p.Wait(ctx, nil)
			select {
			case s.waited <- waited{id, err}:
			case <-s.ctx.Done():
			}
		}(c.start.ID)
		s.report()
		return nil
	}
	cur := s.cur
	if cur == nil || c.id != cur.id {
		return nil // a control for a session that is over
	}
	switch c.typ {
	case MsgPause:
		cur.p.Pause()
	case MsgResume:
		cur.p.Resume()
	case MsgSeek:
		cur.p.Seek(c.pos) // a position past the end is the daemon's mistake: ignored
		cur.seq = c.seq
	case MsgStop:
		s.stop()
		return nil
	case MsgRemix:
		if err := s.b.Remix(cur.p, c.spec); err != nil {
			// Not the device's fault: the session plays on as it was.
			fmt.Fprintf(os.Stderr, "cued sink: remix of session %d: %v\n", cur.id, err)
		}
	}
	s.report()
	return nil
}

// stop stops the session playing, if any; its Wait's answer is dropped.
func (s *server) stop() {
	if s.cur != nil {
		s.cur.p.Stop()
		s.cur.cancel()
		s.cur = nil
		s.tick.Reset(IdleHealthInterval)
	}
}

// report says where the session is, when that changed.
func (s *server) report() {
	c := s.cur
	r := Report{Word: "pos", ID: c.id, Seq: c.seq, Pos: c.p.Position()}
	if r != c.reported {
		c.reported = r
		s.w.line(r.String())
	}
}

func (s *server) check() error {
	if s.cur != nil {
		s.report()
		return nil
	}
	if err := s.b.Health(); err != nil {
		s.w.line(errorReport(err, s.b).String())
		return fmt.Errorf("%w: %v", ErrDevice, err)
	}
	return nil
}

// finished handles the end of a session's Wait: heard to its end, or the
// device failed.
func (s *server) finished(r waited) error {
	if s.cur == nil || r.id != s.cur.id {
		return nil
	}
	if r.err != nil && !errors.Is(r.err, context.Canceled) {
		s.w.line(errorReport(r.err, s.b).String())
		return fmt.Errorf("%w: %v", ErrDevice, r.err)
	}
	s.report()
	s.w.line(Report{Word: "ended", ID: r.id}.String())
	s.cur.cancel()
	s.cur = nil
	s.tick.Reset(IdleHealthInterval)
	return nil
}

// lineWriter writes whole lines.
type lineWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	fail error
}

func (l *lineWriter) line(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return
	}
	l.w.WriteString(s)
	l.w.WriteByte('\n')
	l.fail = l.w.Flush()
}

func (l *lineWriter) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return errors.Join(ErrExited, l.fail)
	}
	return nil
}
