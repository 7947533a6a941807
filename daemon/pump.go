package daemon

import (
	"context"
	"math"
	"sync/atomic"
	"time"

	"github.com/cued-dev/cued/daemon/sink"
)

// chunkDuration is how much audio the pump mixes and writes at a time. The
// pump looks at its controls between chunks, so a pause reaches the output
// within one chunk plus what the output has queued (one buffer at most).
const chunkDuration = 10 * time.Millisecond

// fadeDuration is the length of the fade that ends a sound cut by a pause,
// skip or stop, and of the fade-in where playing goes on.
const fadeDuration = 5 * time.Millisecond

// prevGrace is how far into a part "prev" goes back to the part's start
// rather than to the part before it.
const prevGrace = 2 * time.Second

// pump control operations.
const (
	opPause = iota + 1
	opResume
	opNext
	opPrev
	opStop
)

// pump notes to the player.
type (
	noteEnded struct{ p *pump }
	noteFault struct {
		p   *pump
		err error
	}
	noteRecovered struct{ p *pump }
	// noteSpare hands back a working stream with nothing queued, at the
	// end or stop of a session, so that the next session starts warm.
	noteSpare struct {
		st   Stream
		rate int
	}
	noteSeeked struct{ p *pump }
)

// pump streams one session to the output. It owns the session's Audio and
// the Stream; the player talks to it only through ctl (never waiting) and
// hears from it through notes. Its position, the sample the listener is
// hearing, is published in pos for status at any time.
type pump struct {
	sess   Session
	out    Output
	ctl    chan int
	notes  chan<- any
	retry  time.Duration
	rewind int // frames to step back after a fault (Options.FaultRewind)
	pos    atomic.Int64
	done   chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
}

func newPump(ctx context.Context, sess Session, out Output, st Stream, notes chan<- any, retry, rewind time.Duration, paused bool) *pump {
	ctx, cancel := context.WithCancel(ctx)
	p := &pump{sess: sess, out: out, ctl: make(chan int, 16), notes: notes, retry: retry,
		rewind: int(int64(sess.Rate) * int64(rewind) / int64(time.Second)),
		done:   make(chan struct{}), ctx: ctx, cancel: cancel}
	p.pos.Store(int64(sess.Audio.Position()))
	go p.run(st, paused)
	return p
}

// send queues a control without blocking; it reports false if the pump is
// overwhelmed (16 controls queued) or gone.
func (p *pump) send(op int) bool {
	select {
	case <-p.done:
		return false
	default:
	}
	select {
	case p.ctl <- op:
		return true
	default:
		return false
	}
}

// stop asks the pump to stop and does not wait.
func (p *pump) stop() {
	if !p.send(opStop) {
		p.cancel()
	}
}

func (p *pump) note(n any) {
	select {
	case p.notes <- n:
	case <-p.ctx.Done():
	}
}

func (p *pump) run(st Stream, paused bool) {
	defer close(p.done)
	defer p.cancel()
	a := p.sess.Audio
	chunk := max(1, int(int64(p.sess.Rate)*int64(chunkDuration)/int64(time.Second)))
	buf := make([][2]float64, chunk)
	pcm := make([]byte, 0, chunk*sink.FrameBytes)

	// The listener hears sample anchorPos + (played - anchorPlayed).
	var anchorPos int
	var anchorPlayed int64
	setAnchor := func(pos int) {
		anchorPos = pos
		anchorPlayed = 0
		if st != nil {
			anchorPlayed = st.Played()
		}
		p.pos.Store(int64(pos))
	}
	heard := func() int {
		if st == nil {
			return int(p.pos.Load())
		}
		h := anchorPos + max(0, int(st.Played()-anchorPlayed))
		return min(h, a.Position())
	}
	setAnchor(a.Position())

	var opening chan openResult
	backoff := p.retry
	var retryC <-chan time.Time
	fault := func(err error) {
		pos := max(0, heard()-p.rewind)
		if st != nil {
			st.Close()
			st = nil
		}
		a.Seek(pos)
		setAnchor(pos)
		p.note(noteFault{p, err})
		retryC = time.After(backoff / 4)
	}
	// halt drops what the output has queued and rewinds the session to
	// what was heard.
	halt := func() int {
		if st != nil {
			played, err := st.Flush()
			h := anchorPos + int(played-anchorPlayed)
			h = min(max(h, 0), a.Position())
			if err != nil {
				fault(err)
				return h
			}
			a.Seek(h)
			anchorPos, anchorPlayed = h, played
			p.pos.Store(int64(h))
			return h
		}
		return int(p.pos.Load())
	}
	// Cutting a sound mid-wave clicks: a pause, skip or stop ends with a
	// short fade of the samples that would have followed, and playing
	// goes on (resume, skip, recovery) with a short fade-in.
	fadeLen := min(chunk, max(1, int(int64(p.sess.Rate)*int64(fadeDuration)/int64(time.Second))))
	fadeIn := 0
	fadeOut := func() {
		if st == nil || a.Position() >= a.Len() {
			return
		}
		h := a.Position()
		n, _ := a.Stream(buf[:fadeLen])
		for i := range n {
			g := 0.5 * (1 + math.Cos(math.Pi*float64(i+1)/float64(n+1)))
			buf[i][0] *= g
			buf[i][1] *= g
		}
		pcm = sink.EncodeS16(pcm[:0], buf[:n])
		a.Seek(h)
		if err := st.Write(pcm); err != nil {
			fault(err)
			return
		}
		// These frames will count as played without moving the session.
		anchorPlayed += int64(n)
	}
	closeStream := func() {
		if st != nil {
			if st.Err() == nil && p.ctx.Err() == nil {
				p.note(noteSpare{st, p.sess.Rate})
			} else {
				st.Close()
			}
			st = nil
		}
		if opening != nil {
			if r := <-opening; r.st != nil {
				r.st.Close()
			}
		}
	}
	defer closeStream()
	idle := time.NewTimer(time.Hour)
	defer idle.Stop()
	forceWrite := false

	control := func(op int) (stop bool) {
		switch op {
		case opPause:
			halt()
			fadeOut()
			paused = true
		case opResume:
			paused = false
			fadeIn = fadeLen
		case opNext, opPrev:
			h := halt()
			fadeOut()
			var to int
			var ok bool
			if op == opNext {
				to, ok = a.MarkAfter(h)
				if !ok {
					to = a.Len()
				}
			} else {
				g := int(int64(p.sess.Rate) * int64(prevGrace) / int64(time.Second))
				to, ok = a.MarkBefore(max(h-g, 0) + 1)
				if !ok {
					to = 0
				}
			}
			a.Seek(to)
			if st == nil {
				setAnchor(to)
			} else {
				anchorPos = to // anchorPlayed stays past the fade
				p.pos.Store(int64(to))
			}
			fadeIn = fadeLen
			p.note(noteSeeked{p})
		case opStop:
			halt()
			fadeOut()
			return true
		}
		return false
	}

	// await waits for a control, the end of the pump, the stream's death,
	// tick or progress (either may be nil: it never fires). quit says the
	// pump must return; timedOut that tick fired. Progress refreshes the
	// published position.
	await := func(tick <-chan time.Time, progress <-chan struct{}) (quit, timedOut bool) {
		select {
		case op := <-p.ctl:
			return control(op), false
		case <-p.ctx.Done():
			return true, false
		case <-st.Done():
			fault(st.Err())
		case <-tick:
			return false, true
		case <-progress:
			p.pos.Store(int64(heard()))
		}
		return false, false
	}
	for {
		// Controls first, without blocking.
		select {
		case op := <-p.ctl:
			if control(op) {
				return
			}
			continue
		case <-p.ctx.Done():
			return
		default:
		}
		if st == nil {
			// No output: wait for a retry, a control or an open.
			select {
			case op := <-p.ctl:
				if control(op) {
					return
				}
			case <-p.ctx.Done():
				return
			case <-retryC:
				retryC = nil
				opening = make(chan openResult, 1)
				go func(ch chan openResult) {
					s, err := p.out.Open(p.ctx, p.sess.Rate)
					ch <- openResult{s, err}
				}(opening)
			case r := <-opening:
				opening = nil
				if r.err != nil {
					backoff = min(backoff*2, 8*p.retry)
					retryC = time.After(backoff / 2)
					continue
				}
				backoff = p.retry
				st = r.st
				setAnchor(int(p.pos.Load()))
				fadeIn = fadeLen
				p.note(noteRecovered{p})
			}
			continue
		}
		if paused {
			if quit, _ := await(nil, nil); quit {
				return
			}
			continue
		}
		if a.Position() >= a.Len() {
			// Everything is written: wait until it is heard.
			h := heard()
			p.pos.Store(int64(h))
			if h >= a.Len() {
				p.note(noteEnded{p})
				return
			}
			idle.Reset(chunkDuration / 2)
			if quit, _ := await(idle.C, nil); quit {
				return
			}
			continue
		}
		if w, ok := st.(waiter); ok && w.Room() < int64(chunk) && !forceWrite {
			// Wait for room while still hearing controls, so that a
			// pause never waits behind a blocked Write. If no progress
			// comes, Write's own stall detection takes over.
			idle.Reset(100 * time.Millisecond)
			quit, timedOut := await(idle.C, w.Progress())
			if quit {
				return
			}
			forceWrite = timedOut
			continue
		}
		forceWrite = false
		n, _ := a.Stream(buf)
		if n == 0 {
			continue
		}
		for i := 0; i < n && fadeIn > 0; i++ {
			k := fadeLen - fadeIn
			g := 0.5 * (1 - math.Cos(math.Pi*float64(k+1)/float64(fadeLen+1)))
			buf[i][0] *= g
			buf[i][1] *= g
			fadeIn--
		}
		pcm = sink.EncodeS16(pcm[:0], buf[:n])
		if err := st.Write(pcm); err != nil {
			fault(err)
			continue
		}
		p.pos.Store(int64(heard()))
	}
}

// waiter is implemented by streams that can tell when Write would not
// block (sink.ChildStream and sink.NullStream do); the pump then waits for
// room itself and stays responsive to controls. Other streams simply block
// in Write.
type waiter interface {
	// Room is how many frames Write would take now without waiting.
	Room() int64
	// Progress is signalled when Room may have grown.
	Progress() <-chan struct{}
}

type openResult struct {
	st  Stream
	err error
}
