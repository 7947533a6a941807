package playback

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gopxl/beep/v2"
)

// fadeTime is how long Pause, Stop and Resume ramp the sound down or up:
// long enough that nothing clicks, short enough to stay within one buffer.
const fadeTime = 12 * time.Millisecond

// Player controls one session playing through the device. Its methods are
// safe to call from any goroutine.
type Player struct {
	e *engine
	s beep.StreamSeeker
	// ahead is how far the ring is filled past what the thread claimed.
	ahead uint64
	done  chan struct{}

	// Guarded by e.mu. Ring index base holds session sample basePos, and
	// every frame after it the next sample: the ring is contiguous between
	// cuts. gain is the fade's gain at base, moving by step per frame
	// towards 0 if down, else towards 1.
	base    uint64
	basePos int
	gain    float64
	down    bool
	step    float64
	// cur is the gain at the ring's write index.
	cur                       float64
	pausing, paused, stopping bool
	ended, finished           bool
	endAt                     uint64
	// seekTo is the sample a seek goes to once its fade-out reaches
	// silence (-1: none pending). jumped is set by pull when it made that
	// jump, for fill to rebase the ring there; pre is the ramp before the
	// last jump, while the thread has not reached it (a control cut there
	// puts the seek back to pending).
	seekTo int
	jumped bool
	pre    anchor
	// next is the stream Replace puts in s's place once the fade-out
	// reaches silence, at the sample that follows it (nil: none pending).
	next beep.StreamSeeker
	// loops are the spans the session holds in (see Looper); looped is
	// set by pull when it jumped back to a loop's start, for fill to
	// rebase there at the gain it had.
	loops  [][2]int
	looped bool
}

// Looper is a stream with spans that a live player plays in a loop, each
// until a seek leaves it: where a session waits for its listener (an
// audio.Session's waits). Loops returns them as [start, end) sample
// indexes, in order and not overlapping. A span shorter than the
// lookahead is not looped. A player reaching a span's end from inside it
// goes on at its start, at the same gain; a seek to the end (or anywhere
// else) leaves it.
type Looper interface {
	Loops() [][2]int
}

// anchor is a ring index, the session sample it holds and the fade there.
// loop marks the anchor before a loop's jump (not a seek's).
type anchor struct {
	base  uint64
	pos   int
	gain  float64
	down  bool
	valid bool
	loop  bool
}

// engine owns the ring: it fills it from the current player on its own
// goroutine (loop) and applies the players' controls, all under mu.
type engine struct {
	o       drain
	g       geometry // o's
	mu      sync.Mutex
	p       *Player // the player feeding the ring, or nil
	wake    chan struct{}
	scratch [][2]float64
}

func newEngine(o drain) *engine {
	return &engine{o: o, g: o.shape(), wake: make(chan struct{}, 1), scratch: make([][2]float64, 2048)}
}

// loop fills the ring whenever step asks, or a control pokes it.
func (e *engine) loop() {
	t := time.NewTimer(time.Hour)
	for {
		select {
		case <-e.wake:
		case <-t.C:
		}
		e.mu.Lock()
		d := e.step()
		e.mu.Unlock()
		t.Reset(d)
	}
}

// poke makes loop step now.
func (e *engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// idle is how long loop sleeps when nothing can change but a control.
const idle = time.Hour

// step fills the ring up to the player's lookahead, closes Done once the
// thread has claimed the session's last frame, and returns how long to
// sleep until the next fill: until the ring is half drained. It never
// allocates and does no I/O (the ring is memory).
func (e *engine) step() time.Duration {
	p := e.p
	if p == nil {
		return idle
	}
	o := e.o
	if o.err() != nil {
		// The thread is gone: nothing will be taken again.
		p.abandon()
		return idle
	}
	r := o.claimed()
	if p.ended {
		if r >= p.endAt {
			p.finish()
			e.p = nil
			return idle
		}
		return max(e.g.dur(p.endAt-r), p.nap())
	}
	w := p.fill(o.written(), r)
	if p.ended {
		p.endAt = w
		return max(e.g.dur(w-r), p.nap())
	}
	if p.paused {
		return idle
	}
	if level, half := w-r, p.ahead/2; level > half {
		return max(e.g.dur(level-half), p.nap())
	}
	return p.nap()
}

// fill pulls from the source into the ring from index w up to the
// lookahead past r, publishing as it goes, and returns the new write index.
//
// Each chunk is published at once, the first a short one: after a control
// cut the ring (rewind), the thread may come for its next period while the
// lookahead is mixed, and a ring still empty then is a period of silence
// heard (50 ms at the 100 ms buffer; seen once in test/daemon-playback.sh
// with a 1 s lookahead published at the end).
func (p *Player) fill(w, r uint64) uint64 {
	e, o, g := p.e, p.e.o, p.e.g
	room := g.cap - (w - o.handed())
	target := r + p.ahead
	chunk := uint64(firstChunk)
	for w < target && room > 0 && !p.paused && !p.ended {
		k := min(target-w, room, chunk)
		n := p.pull(e.scratch[:k])
		o.put(w, e.scratch[:n])
		w += uint64(n)
		room -= uint64(n)
		if p.jumped {
			p.rebase(w)
		}
		if p.looped {
			p.reloop(w)
		}
		o.publish(w)
		chunk = uint64(len(e.scratch))
	}
	o.publish(w)
	return w
}

// firstChunk is the length of a fill's first chunk, in frames: what the
// thread can take while the rest is mixed (6 ms at 44.1 kHz).
const firstChunk = 256

// nap is the shortest sleep of the engine's loop: a quarter of an ALSA
// period, since the thread takes frames a period at a time, so that the
// loop never spins while it waits for the thread.
func (p *Player) nap() time.Duration { return max(p.e.g.dur(uint64(p.e.g.period))/4, time.Millisecond) }

// pull streams up to len(out) frames of the session with the fade applied
// and returns how many: fewer when a pause or stop fade reaches silence or
// the session ends (then p.paused or p.ended says which).
func (p *Player) pull(out [][2]float64) int {
	loop, in := p.loopAt(p.s.Position())
	if in {
		out = out[:min(len(out), loop[1]-p.s.Position())]
	}
	seeking := p.seekTo >= 0
	n := p.stream(out)
	if in && !seeking && !p.ended && !p.paused && p.s.Position() == loop[1] {
		// The wait's end, reached from inside: back to its start, a fade
		// under way going on across the jump.
		_ = p.s.Seek(loop[0])
		p.looped = true
	}
	return n
}

// stream is pull without the loops: the session's frames into out with
// the fade applied, and what the fade reaching silence or the session's
// end does.
func (p *Player) stream(out [][2]float64) int {
	n, ok := p.s.Stream(out)
	if p.cur != 1 || p.down {
		m := p.ramp(out[:n])
		if (p.seekTo >= 0 || p.next != nil) && (m < n || n < len(out)) {
			// The seek's fade-out reached silence (or the session's
			// end): jump, and fade in there (or hold it, paused). A
			// replacement goes on from the first sample not heard.
			if p.next != nil {
				if p.seekTo < 0 {
					p.seekTo = p.s.Position() - (n - m)
				}
				p.s, p.next = p.next, nil
			}
			_ = p.s.Seek(p.seekTo)
			p.seekTo, p.jumped, p.cur, p.down = -1, true, 0, true
			if p.pausing {
				p.paused, p.pausing = true, false
			} else {
				p.down = false
			}
			return m
		}
		if m < n {
			if p.stopping {
				p.ended = true
			} else {
				// Put the session back to the first sample not heard in
				// full, so that Resume loses nothing.
				p.paused, p.pausing = true, false
				_ = p.s.Seek(p.s.Position() - (n - m))
			}
			return m
		}
	}
	if !ok || n < len(out) {
		p.ended = true
	}
	return n
}

// ramp applies the fade to out and returns how many frames to keep: all,
// or those before a fade down reached silence.
func (p *Player) ramp(out [][2]float64) int {
	for i := range out {
		if p.down {
			p.cur -= p.step
			if p.cur <= 1e-9 { // not 0: a gain recomputed at a cut may round above it
				p.cur = 0
				return i
			}
		} else {
			p.cur = min(1, p.cur+p.step)
		}
		out[i][0] *= p.cur
		out[i][1] *= p.cur
	}
	return len(out)
}

// loopAt returns the loop sample pos is in, if any.
func (p *Player) loopAt(pos int) ([2]int, bool) {
	for _, l := range p.loops {
		if l[0] <= pos && pos < l[1] {
			return l, true
		}
	}
	return [2]int{}, false
}

// reloop makes ring index at, where pull went back to a loop's start, the
// new base, at the gain the ramp had there; the anchor before it is kept
// in pre (as a loop's: a cut before at goes on inside the loop).
func (p *Player) reloop(at uint64) {
	p.looped = false
	p.pre = anchor{base: p.base, pos: p.basePos, gain: p.gain, down: p.down, valid: true, loop: true}
	p.base, p.basePos, p.gain = at, p.s.Position(), p.cur
}

// rebase makes ring index at, where pull jumped to a seek's target, the
// new base: the session sample there is the target, the fade rises from
// silence. The ramp before it is kept in pre until the thread passes at.
func (p *Player) rebase(at uint64) {
	p.jumped = false
	p.pre = anchor{base: p.base, pos: p.basePos, gain: p.gain, down: true, valid: true}
	p.base, p.basePos, p.gain = at, p.s.Position(), 0
}

// gainAt is the fade's gain at ring index r of the ramp from a.
func (p *Player) gainAt(a anchor, r uint64) float64 {
	if a.down {
		return max(0, a.gain-float64(r-a.base)*p.step)
	}
	return min(1, a.gain+float64(r-a.base)*p.step)
}

// rewind takes back what the thread has not claimed and puts the session
// and the fade where the thread stopped, so that a control is heard after
// the device's own buffer and not after the whole lookahead.
func (p *Player) rewind() {
	if p.e.p != p || p.finished {
		return
	}
	w := p.e.o.written()
	floor := p.base
	if p.pre.valid {
		floor = p.pre.base
	}
	r := p.e.o.recall(floor)
	if p.pre.valid && r < p.base {
		if !p.pre.loop {
			// The cut falls in a seek's fade-out, before its jump: go
			// back to that fade, the seek pending again.
			p.seekTo = p.basePos
			if p.paused {
				p.paused, p.pausing = false, true // the jump was to hold there
			}
		}
		// (Before a loop's jump: inside the loop, which the fill loops
		// again.)
		p.base, p.basePos, p.gain, p.down = p.pre.base, p.pre.pos, p.pre.gain, p.pre.down
	}
	p.pre.valid = false
	pos := p.basePos + int(r-p.base)
	if pos != p.s.Position() {
		_ = p.s.Seek(pos)
	}
	g := 0.0
	if !(p.paused && r == w) { // else the device has the whole fade: stay paused
		g = p.gainAt(anchor{base: p.base, gain: p.gain, down: p.down}, r)
	}
	if p.paused && r < w {
		// The cut fell inside the fade to the pause: the fade goes on
		// from where the device is.
		p.paused, p.pausing = false, true
	}
	p.base, p.basePos, p.gain, p.cur = r, pos, g, g
	// A session mixed to its end (not stopped: no control rewinds then)
	// plays on from r; the fill finds the end again.
	p.ended = false
}

// abandon ends p at once, under e.mu, for a device that failed: Done
// closes and the engine stops feeding it.
func (p *Player) abandon() {
	p.finish()
	if p.e.p == p {
		p.e.p = nil
	}
}

// finish closes Done, once.
func (p *Player) finish() {
	p.ended = true
	if !p.finished {
		p.finished = true
		close(p.done)
	}
}

// lookahead is how far ahead of the device a session is mixed: the ring's
// fill level swings between half of it and all of it, so the engine wakes
// about twice a second and a late wake-up of up to 500 ms is not heard.
// Controls cut the ring, so they are not delayed by it. (At 500 ms the
// daemon's child switched context 139 times a second against 107 at 1 s:
// bench/playcpu.sh DAEMON=1.)
const lookahead = 1000 * time.Millisecond

// Start opens the device if this is the first call in the process (see
// the package comment), with o (only the first call's count), and starts
// playing s from its current position, ending any player started before.
// format.SampleRate must be the same in every call of a process. An error
// wrapping ErrNoDevice comes back within OpenTimeout if there is no
// working device.
func Start(s beep.StreamSeeker, format beep.Format, o Options) (*Player, error) {
	return start(s, format, o, false)
}

// StartPaused is Start for a player that holds s at its position, paused:
// Resume fades it in. The daemon's sink child starts sessions so, for a
// paused session and for one going on after a fault.
func StartPaused(s beep.StreamSeeker, format beep.Format, o Options) (*Player, error) {
	return start(s, format, o, true)
}

func start(s beep.StreamSeeker, format beep.Format, o Options, paused bool) (*Player, error) {
	e, err := open(int(format.SampleRate), o)
	if err != nil {
		return nil, err
	}
	p := newPlayer(e, s)
	e.mu.Lock()
	p.begin()
	if paused {
		p.hold()
	}
	e.step() // fill the ring before the thread starts: the session follows its 20 ms of silence at once
	e.mu.Unlock()
	if err := run(e); err != nil {
		return nil, err
	}
	e.poke()
	return p, nil
}

func newPlayer(e *engine, s beep.StreamSeeker) *Player {
	o := e.g
	p := &Player{e: e, s: s, done: make(chan struct{}), seekTo: -1}
	p.step = 1 / max(1, fadeTime.Seconds()*float64(o.rate))
	p.ahead = uint64(max(lookahead.Seconds()*float64(o.rate), float64(2*o.buffer)))
	p.ahead = min(p.ahead, o.cap-uint64(o.buffer))
	if l, ok := s.(Looper); ok {
		for _, span := range l.Loops() {
			if span[1]-span[0] > int(p.ahead) { // one jump at most in the ring (see pre)
				p.loops = append(p.loops, span)
			}
		}
	}
	return p
}

// hold makes a player that has not played yet paused, at gain 0, so that
// Resume fades it in (under e.mu).
func (p *Player) hold() { p.paused, p.gain, p.cur = true, 0, 0 }

// begin makes p the engine's player, under e.mu.
func (p *Player) begin() {
	e := p.e
	if old := e.p; old != nil {
		old.finish()
	}
	e.p = p
	p.base, p.basePos, p.gain, p.cur = e.o.cut(), p.s.Position(), 1, 1
}

// Pause fades the session out over a few milliseconds and holds it where
// the fade ended, losing nothing: Resume fades in from that sample.
func (p *Player) Pause() {
	p.e.mu.Lock()
	if !p.paused && !p.pausing && !p.stopping && !p.finished {
		p.rewind()
		p.pausing = true
		p.down = true
		p.e.step()
	}
	p.e.mu.Unlock()
	p.e.poke()
}

// Resume ends a pause, fading in.
func (p *Player) Resume() {
	p.e.mu.Lock()
	if (p.paused || p.pausing) && !p.stopping && !p.finished {
		p.rewind()
		// A seek or replacement under way goes on fading out to its jump.
		p.paused, p.pausing, p.down = false, false, p.seekTo >= 0 || p.next != nil
		p.e.step()
	}
	p.e.mu.Unlock()
	p.e.poke()
}

// Paused reports whether the player is paused or fading to a pause.
func (p *Player) Paused() bool {
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	return (p.paused || p.pausing) && !p.stopping && !p.finished
}

// Seek moves playback to sample pos of the session, heard after the
// device's buffer. It returns ErrFinished once Done is closed or after
// Stop, and ErrPosition for a position outside the session.
func (p *Player) Seek(pos int) error {
	p.e.mu.Lock()
	err := p.seek(pos)
	p.e.mu.Unlock()
	p.e.poke()
	return err
}

func (p *Player) seek(pos int) error {
	if p.finished || p.stopping {
		return ErrFinished
	}
	if pos < 0 || pos > p.s.Len() {
		return ErrPosition // before cutting anything: nothing changes
	}
	p.rewind()
	if !p.paused {
		// Playing (or fading to a pause): fade out, then jump (pull).
		p.seekTo, p.down = pos, true
		p.e.step()
		return nil
	}
	err := p.s.Seek(pos)
	if err != nil {
		_ = p.s.Seek(p.basePos) // where rewind left it
	} else {
		p.basePos = pos
	}
	p.e.step()
	return err
}

// Replace puts s in the place of the session: the same session mixed
// anew (at other levels, say), so that its samples follow at the same
// positions. Playing, the session fades out from what the device has not
// taken yet and s fades in at the first sample not heard, as a seek does;
// paused, s takes the session's place at once. s must have the same
// length and loops. It returns ErrFinished once Done is closed or after
// Stop.
func (p *Player) Replace(s beep.StreamSeeker) error {
	p.e.mu.Lock()
	defer p.e.poke()
	defer p.e.mu.Unlock()
	if p.finished || p.stopping {
		return ErrFinished
	}
	if s.Len() != p.s.Len() {
		return fmt.Errorf("%w: a replacement of %d samples for %d", ErrPosition, s.Len(), p.s.Len())
	}
	p.rewind()
	if p.paused {
		if err := s.Seek(p.s.Position()); err != nil {
			return err
		}
		p.s = s
		return nil
	}
	p.next, p.down = s, true
	p.e.step()
	return nil
}

// Position is the next sample of the session the device will take. What
// is heard lags it by up to the device's buffer (Latency). Once Seek has
// returned it is the seek's target, while the fade-out before the jump
// still plays.
func (p *Player) Position() int {
	p.e.mu.Lock()
	defer p.e.mu.Unlock()
	if p.e.p != p {
		return p.s.Position()
	}
	if p.seekTo >= 0 {
		return p.seekTo
	}
	r := p.e.o.claimed()
	if r < p.base && p.pre.valid && p.pre.loop {
		return p.pre.pos + int(r-p.pre.base) // before a loop's jump back
	}
	if r < p.base {
		return p.basePos // the fade-out before a jump to basePos
	}
	return p.basePos + int(r-p.base)
}

// Latency is about how long a sample taken by the device takes to be
// heard: the device's buffer.
func (p *Player) Latency() time.Duration { return p.e.g.dur(uint64(p.e.g.buffer)) }

// Stop ends playback with a fade of a few milliseconds (no click): Done is
// closed once the device has taken the fade, or at once while paused.
func (p *Player) Stop() {
	p.e.mu.Lock()
	if !p.stopping && !p.finished {
		p.rewind()
		// A seek or replacement under way is dropped: its fade-out is
		// the stop's, and nothing fades in after it.
		p.stopping, p.pausing, p.seekTo, p.next = true, false, -1, nil
		if p.paused {
			p.ended, p.endAt = true, p.base
		} else {
			p.down = true
		}
		p.e.step()
	}
	p.e.mu.Unlock()
	p.e.poke()
}

// Done is closed when the writer thread has taken the last sample of the
// session to hand to ALSA, or on Stop, or when the device fails (Wait says
// so). The last samples are heard about Latency later.
func (p *Player) Done() <-chan struct{} { return p.done }

// tail is how long Wait waits after the device took the last sample,
// beyond its buffer, for the sound server to play it.
const tail = 250 * time.Millisecond

// stall is how long the device may take no frame at all (the thread
// writes silence when the ring is empty, so a working device always takes
// some) before Wait reports it failed. The sound server can take over a
// second to start a stream (measured: about 1.5 s with PulseAudio on a busy
// machine).
const stall = 3 * time.Second

// Play plays s from its current position to the end and returns when the
// last sample has been heard (nil), when ctx is done (ctx.Err(), after
// stopping), or when the device fails (an error wrapping ErrNoDevice). It
// calls onProgress, if not nil, about ten times a second and once at the
// end with the position (see Player.Position), from Play's own goroutine.
// Use Start for a session that must be paused or sought while it plays.
func Play(ctx context.Context, s beep.StreamSeeker, format beep.Format, o Options, onProgress func(pos int)) error {
	p, err := Start(s, format, o)
	if err != nil {
		return err
	}
	defer p.Stop()
	return p.Wait(ctx, onProgress)
}

// Wait blocks until the session has been heard to its end, ctx is done or
// the device fails, as Play does, calling onProgress along the way. It
// watches the device's thread for errors and for a device that stops
// taking frames, so that it never hangs on a failed device.
func (p *Player) Wait(ctx context.Context, onProgress func(pos int)) error {
	w := newWatch(p, onProgress)
	defer w.tick.Stop()
	for {
		select {
		case <-ctx.Done():
			p.Stop()
			// Let the fade out be heard before the caller exits.
			select {
			case <-p.Done():
				time.Sleep(p.Latency())
			case <-time.After(time.Second):
			}
			return ctx.Err()
		case <-p.Done():
			if err := p.e.o.err(); err != nil {
				return fail(err)
			}
			if onProgress != nil {
				onProgress(p.Position())
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(p.Latency() + tail):
				return nil
			}
		case now := <-w.tick.C:
			if onProgress != nil {
				onProgress(p.Position())
			}
			if err := w.look(now); err != nil {
				p.e.mu.Lock()
				p.abandon()
				p.e.mu.Unlock()
				return fail(err)
			}
		}
	}
}

// watch is Wait's look at the device: its thread's error, and whether it
// still takes frames (a working device always does, silence included,
// unless it sleeps for want of them).
type watch struct {
	o      drain
	every  time.Duration
	tick   *time.Ticker
	dozing bool
	last   uint64    // frames the device had taken at since
	since  time.Time // when it last took any
}

func newWatch(p *Player, onProgress func(int)) *watch {
	every := watchEvery(onProgress)
	o := p.e.o
	return &watch{o: o, every: every, tick: time.NewTicker(every), last: o.handed() + o.silent(), since: time.Now()}
}

// look returns why the device has failed at now, if it has.
func (w *watch) look(now time.Time) error {
	if err := w.o.err(); err != nil {
		return err
	}
	// A device stopped for want of frames is looked at once a second:
	// nothing changes there until frames come.
	if w.o.asleep() != w.dozing {
		w.dozing = w.o.asleep()
		if w.dozing {
			w.tick.Reset(time.Second)
		} else {
			w.tick.Reset(w.every)
		}
	}
	if taken := w.o.handed() + w.o.silent(); taken != w.last || w.dozing {
		w.last, w.since = taken, now
	} else if now.Sub(w.since) >= stall {
		return fmt.Errorf("the sound device took no sample for %v", stall)
	}
	return nil
}

// watchEvery is how often Wait looks at the device: ten times a second
// for a progress line, once a second for a watchdog alone (the daemon's
// child), since the engine sees a failed thread at its own next fill.
func watchEvery(onProgress func(int)) time.Duration {
	if onProgress == nil {
		return time.Second
	}
	return 100 * time.Millisecond
}
