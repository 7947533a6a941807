package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// Source is what the device pulls frames from: Stream copies the frames
// queued, up to len(samples), and returns how many, fewer (even none) when
// fewer are queued: the device plays silence until more come (Device.Fed).
// It never ends and never blocks.
type Source interface {
	Stream(samples [][2]float64) (int, bool)
	Err() error
}

// Device is the audio output as the child side needs it. It is implemented in
// cmd/cued with the playback package; tests use a fake.
type Device interface {
	// Start opens the device at rate with a buffer of bufferMS
	// milliseconds and starts pulling from src on its own goroutine. It
	// fails if the device cannot be opened.
	Start(rate, bufferMS int, src Source) error
	// Health returns the device's error, if it has failed since Start.
	Health() error
	// Fed tells the device that src has more frames queued, so that a
	// device that ran dry pulls them at once rather than on its next
	// period.
	Fed()
}

// HealthInterval is how often the child checks the device while it
// plays; IdleHealthInterval while nothing has played for quietChecks
// checks (a child kept open between sessions).
const (
	HealthInterval     = 100 * time.Millisecond
	IdleHealthInterval = time.Second
	quietChecks        = 10
)

// Serve is the child side: it opens dev, answers "ready", plays the PCM
// read from in and reports on out, until in ends (after the queue has
// played out) or the device fails (reported as "error ..."; Serve then
// returns an error wrapping ErrDevice). ctx ends it early.
func Serve(ctx context.Context, in io.Reader, out io.Writer, dev Device, rate, bufferMS int) error {
	w := &lineWriter{w: bufio.NewWriter(out)}
	q := &queue{notify: make(chan struct{}, 1)}
	if err := dev.Start(rate, bufferMS, q); err != nil {
		w.line("error " + oneLine(err))
		return fmt.Errorf("%w: %v", ErrDevice, err)
	}
	if err := dev.Health(); err != nil {
		w.line("error " + oneLine(err))
		return fmt.Errorf("%w: %v", ErrDevice, err)
	}
	w.line("ready")

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inDone := make(chan error, 1)
	go func() { inDone <- readInput(ctx, in, q, dev, w) }()

	var reported int64 = -1
	report := func() {
		if p := q.playedFrames(); p != reported {
			reported = p
			w.line("played " + strconv.FormatInt(p, 10))
		}
	}
	tick := time.NewTicker(HealthInterval)
	defer tick.Stop()
	draining := false
	// quiet counts health checks with nothing played in between: after a
	// second of them the checks slow to one a second, until frames flow.
	quiet := 0
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-q.notify:
			if quiet >= quietChecks {
				tick.Reset(HealthInterval)
			}
			quiet = 0
			report()
		case err := <-inDone:
			if err != nil {
				w.line("error " + oneLine(err))
				return err
			}
			draining = true
		case <-tick.C:
			if err := dev.Health(); err != nil {
				report()
				w.line("error " + oneLine(err))
				return fmt.Errorf("%w: %v", ErrDevice, err)
			}
			report()
			if quiet++; quiet == quietChecks {
				tick.Reset(IdleHealthInterval)
			}
		}
		if draining && q.empty() {
			report()
			return w.err()
		}
		if err := w.err(); err != nil {
			return err // the daemon is gone
		}
	}
}

// readInput applies the daemon's messages to q until in ends.
func readInput(ctx context.Context, in io.Reader, q *queue, dev Device, w *lineWriter) error {
	// Buffered: a message is a header and a payload, and several often
	// wait in the pipe; one read takes them all.
	in = bufio.NewReaderSize(in, 64<<10)
	var buf []byte
	for ctx.Err() == nil {
		typ, p, err := readMsg(in, buf)
		buf = p
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch typ {
		case MsgData:
			q.push(p)
			dev.Fed()
		case MsgFlush:
			n := q.flush()
			w.line("flushed " + strconv.FormatInt(n, 10))
		}
	}
	return nil
}

// queue is the streamer the device pulls from: the frames received and not
// yet pulled.
type queue struct {
	mu     sync.Mutex
	frames [][2]float64
	head   int
	played int64
	notify chan struct{}
	// scratch holds a chunk decoded outside the lock; only push uses it.
	scratch [][2]float64
}

// push queues a chunk. It decodes before taking the lock and drops the
// frames already played while it holds it, so the queue stays about one
// buffer long (no growth over a session) and the device's pull never
// waits on decoding.
func (q *queue) push(pcm []byte) {
	q.scratch = decodeS16(q.scratch[:0], pcm)
	q.mu.Lock()
	if q.head > 0 {
		n := copy(q.frames, q.frames[q.head:])
		q.frames, q.head = q.frames[:n], 0
	}
	q.frames = append(q.frames, q.scratch...)
	q.mu.Unlock()
}

func (q *queue) flush() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.frames, q.head = q.frames[:0], 0
	return q.played
}

func (q *queue) empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.head == len(q.frames)
}

func (q *queue) playedFrames() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.played
}

// Stream gives what is queued, possibly nothing: it never blocks and
// never ends. Silence while the daemon is paused or between chunks is the
// device's: padding it here would delay what the daemon sends after a
// flush behind silence already pulled.
func (q *queue) Stream(samples [][2]float64) (int, bool) {
	q.mu.Lock()
	n := copy(samples, q.frames[q.head:])
	q.head += n
	q.played += int64(n)
	q.mu.Unlock()
	if n > 0 {
		select {
		case q.notify <- struct{}{}:
		default:
		}
	}
	return n, true
}

func (q *queue) Err() error { return nil }

// lineWriter writes whole lines from several goroutines.
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

// oneLine keeps an error on one line of the protocol.
func oneLine(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
