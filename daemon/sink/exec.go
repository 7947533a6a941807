package sink

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// Exec starts sink child processes (the daemon side).
type Exec struct {
	// Command is the child's argv; "--rate R --buffer-ms N" is appended.
	// E.g. {"/usr/bin/cued", "sink"}.
	Command []string
	// Env is the child's environment (nil: the daemon's).
	Env []string
	// BufferMS is the child's device buffer in milliseconds (default 40).
	BufferMS int
	// StartTimeout bounds the wait for "ready" (default 5 s).
	StartTimeout time.Duration
	// Stderr receives the child's stderr (nil discards it).
	Stderr io.Writer
}

// queued is how many controls may wait for the child's stdin: more means
// the child stopped reading (it is wedged), and the control fails.
const queued = 64

// Open starts a child and waits until its device is ready. The error wraps
// ErrDevice when the device could not be opened, with the child's message.
func (e *Exec) Open(ctx context.Context, rate int) (*Child, error) {
	if len(e.Command) == 0 {
		return nil, errors.New("sink: no command")
	}
	ms := e.BufferMS
	if ms <= 0 {
		ms = 40
	}
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
	c := &Child{cmd: cmd, stdin: stdin, out: make(chan []byte, queued), reports: make(chan Report, queued),
		ready: make(chan struct{}), done: make(chan struct{}), readerDone: make(chan struct{})}
	go c.read(stdout)
	go c.write()
	timeout := e.StartTimeout
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-c.ready:
		return c, nil
	case <-c.done:
		err = c.Err()
	case <-t.C:
		err = fmt.Errorf("%w: the sink did not become ready within %v", ErrDevice, timeout)
	case <-ctx.Done():
		err = ctx.Err()
	}
	c.Close()
	return nil, err
}

// Child is one running sink child. Its methods are safe from any
// goroutine; the controls never block (a child that stops reading its
// controls is killed).
type Child struct {
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	out        chan []byte
	reports    chan Report
	ready      chan struct{}
	done       chan struct{}
	readerDone chan struct{}
	closeOnce  sync.Once

	mu     sync.Mutex
	err    error
	closed bool // out is closed
}

func (c *Child) read(r io.Reader) {
	defer close(c.readerDone)
	sc := bufio.NewScanner(r)
	readyOnce := sync.Once{}
	for sc.Scan() {
		rep, err := ParseReport(sc.Text())
		if err != nil {
			c.fail(err)
			continue
		}
		switch rep.Word {
		case "ready":
			readyOnce.Do(func() { close(c.ready) })
		case "pos", "ended":
			c.deliver(rep)
		case "error":
			c.fail(deviceError{rep.Message, rep.NoOutput})
		}
	}
	werr := c.cmd.Wait()
	if werr != nil {
		c.fail(fmt.Errorf("%w: %v", ErrExited, werr))
	} else {
		c.fail(ErrExited)
	}
	close(c.reports)
	close(c.done)
}

// deliver passes a report on; a position report is dropped when the
// reader lags (the next one says more), an end never is.
func (c *Child) deliver(r Report) {
	if r.Word == "ended" {
		c.reports <- r
		return
	}
	select {
	case c.reports <- r:
	default:
	}
}

// write copies the queued controls to the child's stdin until the queue
// closes or a write fails.
func (c *Child) write() {
	for b := range c.out {
		if _, err := c.stdin.Write(b); err != nil {
			c.fail(fmt.Errorf("%w: %v", ErrExited, err))
			c.kill()
			for range c.out {
			}
			return
		}
	}
	c.stdin.Close()
}

// send queues a control; it fails once the child failed, and kills a
// child whose queue is full.
func (c *Child) send(m control) error {
	b := m.encode()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err != nil:
		return c.err
	case c.closed:
		return fmt.Errorf("%w: closed", ErrExited)
	}
	select {
	case c.out <- b:
		return nil
	default:
		c.err = fmt.Errorf("%w: the sink stopped reading its controls", ErrDevice)
		c.kill()
		return c.err
	}
}

// Play starts a session, replacing the one playing.
func (c *Child) Play(s Start) error { return c.send(control{typ: MsgStart, start: s}) }

// Remix mixes session id anew from spec (see MsgRemix).
func (c *Child) Remix(id int64, spec []byte) error {
	return c.send(control{typ: MsgRemix, id: id, spec: spec})
}

// Pause pauses session id.
func (c *Child) Pause(id int64) error { return c.send(control{typ: MsgPause, id: id}) }

// Resume resumes session id.
func (c *Child) Resume(id int64) error { return c.send(control{typ: MsgResume, id: id}) }

// Move seeks session id to sample pos; seq numbers the seek, so that the
// positions reported before it can be told from those after.
func (c *Child) Move(id, seq int64, pos int) error {
	return c.send(control{typ: MsgSeek, id: id, seq: seq, pos: pos})
}

// Stop stops session id (with a short fade); the child stays open.
func (c *Child) Stop(id int64) error { return c.send(control{typ: MsgStop, id: id}) }

// Reports delivers the child's positions and ends; it is closed when the
// child has exited.
func (c *Child) Reports() <-chan Report { return c.reports }

// Done is closed when the child has exited.
func (c *Child) Done() <-chan struct{} { return c.done }

// Err returns the first error: a device error or the child's exit.
func (c *Child) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// deviceError is an error the child reported: it matches ErrDevice (and
// ErrNoOutput when the child said so) and reads as the child's message.
type deviceError struct {
	msg      string
	noOutput bool
}

func (e deviceError) Error() string { return e.msg }
func (e deviceError) Is(target error) bool {
	return target == ErrDevice || (e.noOutput && target == ErrNoOutput)
}

func (c *Child) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
}

func (c *Child) kill() {
	if c.cmd.Process != nil {
		c.cmd.Process.Kill()
	}
}

// Close ends the child: it closes its stdin (the child stops and exits),
// kills it if it has not exited within a second, and waits for it.
func (c *Child) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closed = true
		close(c.out)
		c.mu.Unlock()
		t := time.NewTimer(time.Second)
		select {
		case <-c.done:
		case <-t.C:
			c.kill()
			<-c.done
		}
		t.Stop()
	})
	<-c.readerDone
	return nil
}
