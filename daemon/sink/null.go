package sink

import (
	"context"
	"sync"
	"time"
)

// Null is an output that plays nothing: a session advances in real time
// (Realtime) or is over at once, and the device never fails unless told to
// (NullDevice.Fail). `cued serve --sink null` and the daemon's tests use it.
type Null struct {
	Realtime bool
}

// nullTick is how often a realtime Null reports a position.
const nullTick = 20 * time.Millisecond

// Open returns a new null device at rate.
func (n Null) Open(_ context.Context, rate int) (*NullDevice, error) {
	d := &NullDevice{rate: rate, realtime: n.Realtime, reports: make(chan Report, queued),
		done: make(chan struct{}), quit: make(chan struct{}), wake: make(chan struct{}, 1)}
	go d.run()
	return d, nil
}

// NullDevice is one device of Null. It is safe for concurrent use.
type NullDevice struct {
	rate     int
	realtime bool
	reports  chan Report
	done     chan struct{}
	quit     chan struct{}
	wake     chan struct{}
	once     sync.Once

	mu     sync.Mutex
	cur    *nullSession
	err    error
	closed bool // reports is closed
	// Started counts the sessions started, From the last start's sample.
	started int
	from    int
}

// nullSession is the session a NullDevice plays: at pos at t0, moving on
// in real time unless paused.
type nullSession struct {
	id       int64
	seq      int64
	pos, len int
	t0       time.Time
	paused   bool
	remixes  int
	spec     []byte // the last start's or remix's
}

func (s *nullSession) at(now time.Time, rate int, realtime bool) int {
	switch {
	case s.paused:
		return s.pos
	case !realtime:
		return s.len
	}
	return min(s.len, s.pos+int(now.Sub(s.t0).Seconds()*float64(rate)))
}

// run reports while a session plays, every nullTick; it sleeps until a
// control otherwise (an idle device costs no wake-ups).
func (d *NullDevice) run() {
	t := time.NewTimer(nullTick)
	defer t.Stop()
	for {
		select {
		case <-d.quit:
			return
		case <-t.C:
		case <-d.wake:
		}
		if d.step() {
			t.Reset(nullTick)
		}
	}
}

// step reports the session's position, and its end once reached; it
// returns whether a session plays on.
func (d *NullDevice) step() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.cur
	if s == nil || d.closed {
		return false
	}
	pos := s.at(time.Now(), d.rate, d.realtime)
	select {
	case d.reports <- Report{Word: "pos", ID: s.id, Seq: s.seq, Pos: pos}:
	default:
	}
	if pos >= s.len && !s.paused {
		select {
		case d.reports <- Report{Word: "ended", ID: s.id}:
			d.cur = nil
			return false
		default: // the reader lags: the next step says it again
		}
	}
	return !s.paused
}

func (d *NullDevice) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// control applies f to session id under the lock, if it plays.
func (d *NullDevice) control(id int64, f func(s *nullSession, now time.Time)) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	if d.cur != nil && d.cur.id == id {
		f(d.cur, time.Now())
	}
	d.poke()
	return nil
}

// Play starts a session, replacing the one playing.
func (d *NullDevice) Play(s Start) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return d.err
	}
	d.cur = &nullSession{id: s.ID, pos: s.From, len: s.Length, t0: time.Now(), paused: s.Paused, spec: s.Spec}
	d.started++
	d.from = s.From
	d.poke()
	return nil
}

// Pause pauses session id where it is.
func (d *NullDevice) Pause(id int64) error {
	return d.control(id, func(s *nullSession, now time.Time) {
		s.pos, s.paused = s.at(now, d.rate, d.realtime), true
	})
}

// Resume resumes session id.
func (d *NullDevice) Resume(id int64) error {
	return d.control(id, func(s *nullSession, now time.Time) { s.paused, s.t0 = false, now })
}

// Remix counts a remix of session id (Remixes); nothing plays to change.
func (d *NullDevice) Remix(id int64, spec []byte) error {
	return d.control(id, func(s *nullSession, now time.Time) { s.remixes, s.spec = s.remixes+1, spec })
}

// Remixes returns how often the session playing was mixed anew, and its
// Spec now (nil with none playing).
func (d *NullDevice) Remixes() (int, []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur == nil {
		return 0, nil
	}
	return d.cur.remixes, d.cur.spec
}

// Move seeks session id to pos.
func (d *NullDevice) Move(id, seq int64, pos int) error {
	return d.control(id, func(s *nullSession, now time.Time) { s.pos, s.t0, s.seq = min(pos, s.len), now, seq })
}

// Stop stops session id.
func (d *NullDevice) Stop(id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil && d.cur.id == id {
		d.cur = nil
	}
	return d.err
}

// Starts returns how many sessions were started on the device and the
// sample the last one started from.
func (d *NullDevice) Starts() (n, from int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.started, d.from
}

// Fail makes the device fail with err, as a dead sound server would:
// Reports closes, Done closes, Err says err.
func (d *NullDevice) Fail(err error) {
	d.mu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.mu.Unlock()
	d.end()
}

func (d *NullDevice) end() {
	d.once.Do(func() {
		close(d.quit)
		d.mu.Lock()
		d.closed = true
		close(d.reports)
		d.mu.Unlock()
		close(d.done)
	})
}

// Reports delivers positions and ends; it is closed when the device is.
func (d *NullDevice) Reports() <-chan Report { return d.reports }

// Done is closed when the device is closed or failed.
func (d *NullDevice) Done() <-chan struct{} { return d.done }

// Err is the error Fail gave, or nil.
func (d *NullDevice) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Close ends the device.
func (d *NullDevice) Close() error {
	d.end()
	return nil
}
