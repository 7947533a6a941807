package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Exec starts a sink child process per stream (the daemon side).
type Exec struct {
	// Command is the child's argv; "--rate R --buffer-ms N" is appended.
	// E.g. {"/usr/bin/cued", "sink"}.
	Command []string
	// Env is the child's environment (nil: the daemon's).
	Env []string
	// BufferMS is the child's device buffer in milliseconds (default 40);
	// at most three times that is queued in the child.
	BufferMS int
	// StartTimeout bounds the wait for "ready" (default 5 s).
	StartTimeout time.Duration
	// Stderr receives the child's stderr (nil discards it).
	Stderr io.Writer
}

// Open starts a child and waits until its device is ready. The error wraps
// ErrDevice when the device could not be opened, with the child's message.
func (e *Exec) Open(ctx context.Context, rate int) (*ChildStream, error) {
	if len(e.Command) == 0 {
		return nil, errors.New("sink: no command")
	}
	ms := e.BufferMS
	if ms <= 0 {
		ms = 40
	}
	buf := max(rate*ms/1000, 64)
	args := append(append([]string(nil), e.Command[1:]...), "--rate", strconv.Itoa(rate), "--buffer-ms", strconv.Itoa(ms))
	cmd := exec.Command(e.Command[0], args...)
	cmd.Env = e.Env
	cmd.Stderr = e.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("sink: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("sink: start %s: %w", e.Command[0], err)
	}
	// Three buffers queued: a device that starts (or restarts) takes a
	// whole buffer at once, faster than progress reports come back, and
	// with one buffer queued it ran dry (33 ms of silence at a recovery).
	// What is queued costs no latency: pause, skip and stop flush it.
	s := &ChildStream{cmd: cmd, stdin: stdin, limit: int64(3 * buf), done: make(chan struct{}), progress: make(chan struct{}, 1),
		ready: make(chan struct{}), flushed: make(chan int64, 1), readerDone: make(chan struct{})}
	s.cond = sync.NewCond(&s.mu)
	s.tick = time.AfterFunc(time.Hour, s.cond.Broadcast)
	s.tick.Stop()
	go s.read(stdout)
	timeout := e.StartTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-s.ready:
		return s, nil
	case <-s.done:
		err = s.Err()
	case <-t.C:
		err = fmt.Errorf("%w: the sink did not become ready within %v", ErrDevice, timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	s.Close()
	return nil, err
}

// ChildStream is one running sink child. Write, Flush and Close must be
// called from one goroutine (the daemon's pump); Played, Done and Err from
// any.
type ChildStream struct {
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	limit      int64
	ready      chan struct{}
	flushed    chan int64
	done       chan struct{}
	readerDone chan struct{}
	progress   chan struct{}
	closeOnce  sync.Once

	mu      sync.Mutex
	cond    *sync.Cond
	tick    *time.Timer // wakes waitLocked; one timer for every wait
	played  int64
	written int64
	err     error
}

// StallTimeout is how long Write waits for the child to play anything
// before it declares the device hung.
const StallTimeout = 2 * time.Second

func (s *ChildStream) read(r io.Reader) {
	defer close(s.readerDone)
	sc := bufio.NewScanner(r)
	readyOnce := sync.Once{}
	for sc.Scan() {
		rep, err := parseReport(sc.Text())
		if err != nil {
			s.fail(err)
			continue
		}
		word, n := rep.word, rep.frames
		switch word {
		case "ready":
			readyOnce.Do(func() { close(s.ready) })
		case "played", "flushed":
			s.mu.Lock()
			if n > s.played {
				s.played = n
			}
			s.mu.Unlock()
			s.cond.Broadcast()
			select {
			case s.progress <- struct{}{}:
			default:
			}
			if word == "flushed" {
				select {
				case s.flushed <- n:
				default:
				}
			}
		case "error":
			s.fail(deviceError(rep.message))
		}
	}
	werr := s.cmd.Wait()
	if werr != nil {
		s.fail(fmt.Errorf("%w: %v", ErrExited, werr))
	} else {
		s.fail(ErrExited)
	}
	close(s.done)
	s.cond.Broadcast()
}

// report is one line the child sends: "ready", "played N", "flushed N"
// or "error MESSAGE".
type report struct {
	word    string
	frames  int64  // N of played and flushed
	message string // of error
}

// parseReport reads one line of the child. A played or flushed line whose
// N is not a count of frames is an error wrapping ErrProtocol; a line of
// another word is ignored (word ""), so that a newer child may say more.
func parseReport(line string) (report, error) {
	word, arg, _ := strings.Cut(line, " ")
	switch word {
	case "ready":
		return report{word: word}, nil
	case "played", "flushed":
		n, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || n < 0 {
			return report{}, fmt.Errorf("%w: %q", ErrProtocol, line)
		}
		return report{word: word, frames: n}, nil
	case "error":
		if arg == "" {
			arg = "the audio device failed (the sink said no more)"
		}
		return report{word: word, message: arg}, nil
	}
	return report{}, nil
}

// deviceError is an error the child reported: it matches ErrDevice and
// reads as the child's message.
type deviceError string

func (e deviceError) Error() string        { return string(e) }
func (e deviceError) Is(target error) bool { return target == ErrDevice }

// fail records the first error.
func (s *ChildStream) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.cond.Broadcast()
}

// Write queues pcm (whole frames), first waiting until the child has at
// most one buffer queued including pcm. It fails once the child has died
// or reported an error.
func (s *ChildStream) Write(pcm []byte) error {
	n := int64(len(pcm) / FrameBytes)
	s.mu.Lock()
	deadline := time.Now().Add(StallTimeout)
	for s.err == nil && s.written+n-s.played > max(s.limit, n) {
		if time.Now().After(deadline) {
			s.mu.Unlock()
			s.fail(fmt.Errorf("%w: the device stopped playing", ErrDevice))
			s.kill()
			return s.Err()
		}
		// Progress reports wake the wait; the timeout only bounds how
		// late the stall deadline is seen.
		s.waitLocked(StallTimeout / 8)
	}
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := writeMsg(s.stdin, MsgData, pcm); err != nil {
		s.fail(fmt.Errorf("%w: %v", ErrExited, err))
		return s.Err()
	}
	s.mu.Lock()
	s.written += n
	s.mu.Unlock()
	return nil
}

// waitLocked waits on the condition for at most d (s.mu held). Only Write
// waits, and a stream has one writer (the daemon's pump), so one timer
// serves every wait.
func (s *ChildStream) waitLocked(d time.Duration) {
	s.tick.Reset(d)
	s.cond.Wait()
	s.tick.Stop()
}

// Flush drops what the child has queued and returns the total of frames
// played.
func (s *ChildStream) Flush() (int64, error) {
	if err := s.Err(); err != nil {
		return s.Played(), err
	}
	select {
	case <-s.flushed:
	default:
	}
	if err := writeMsg(s.stdin, MsgFlush, nil); err != nil {
		s.fail(fmt.Errorf("%w: %v", ErrExited, err))
		return s.Played(), s.Err()
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case n := <-s.flushed:
		s.mu.Lock()
		s.written = n
		s.mu.Unlock()
		return n, nil
	case <-s.done:
		return s.Played(), s.Err()
	case <-t.C:
		s.fail(fmt.Errorf("%w: no answer to flush", ErrDevice))
		s.kill()
		return s.Played(), s.Err()
	}
}

// Room returns how many frames Write would take now without waiting.
func (s *ChildStream) Room() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limit - (s.written - s.played)
}

// Progress is signalled (coalesced) whenever the child reports frames
// played, that is when Room may have grown.
func (s *ChildStream) Progress() <-chan struct{} { return s.progress }

// Played returns the total of frames the child has handed to the device.
func (s *ChildStream) Played() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.played
}

// Done is closed when the child has exited.
func (s *ChildStream) Done() <-chan struct{} { return s.done }

// Err returns the first error: a device error or the child's exit.
func (s *ChildStream) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *ChildStream) kill() {
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
}

// Close ends the child: it closes its stdin (the child plays what is
// queued and exits), kills it if it has not exited within a second, and
// waits for it.
func (s *ChildStream) Close() error {
	s.closeOnce.Do(func() {
		s.stdin.Close()
		t := time.NewTimer(time.Second)
		select {
		case <-s.done:
		case <-t.C:
			s.kill()
			<-s.done
		}
		t.Stop()
	})
	<-s.readerDone
	return nil
}
