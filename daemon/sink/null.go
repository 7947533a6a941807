package sink

import (
	"context"
	"sync"
	"time"
)

// Null is an output that plays nothing. With Realtime it consumes frames
// at the sample rate, as a device would (so sessions last their length);
// without it every frame counts as played at once (for simulations).
type Null struct {
	Realtime bool
	// BufferFrames is how much a realtime Null queues (default 1764).
	BufferFrames int
}

// Open returns a new null stream.
func (n Null) Open(_ context.Context, rate int) (*NullStream, error) {
	buf := n.BufferFrames
	if buf <= 0 {
		buf = 1764
	}
	return &NullStream{realtime: n.Realtime, rate: int64(rate), limit: int64(buf), done: make(chan struct{})}, nil
}

// NullStream is one stream of Null. It is safe for concurrent use.
type NullStream struct {
	realtime  bool
	rate      int64
	limit     int64
	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	written int64
	// played = min(written, p0 + elapsed since t0)
	p0 int64
	t0 time.Time
}

func (s *NullStream) playedLocked(now time.Time) int64 {
	if !s.realtime {
		return s.written
	}
	p := s.p0 + int64(now.Sub(s.t0))*s.rate/int64(time.Second)
	return min(p, s.written)
}

// Write counts pcm as queued, waiting (realtime) while a buffer is queued.
func (s *NullStream) Write(pcm []byte) error {
	n := int64(len(pcm) / FrameBytes)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if p := s.playedLocked(now); p == s.written {
		s.p0, s.t0 = p, now // underrun: the clock restarts with the data
	}
	for s.realtime {
		p := s.playedLocked(now)
		over := s.written + n - p - max(s.limit, n)
		if over <= 0 {
			break
		}
		s.mu.Unlock()
		time.Sleep(time.Duration(over * int64(time.Second) / s.rate))
		s.mu.Lock()
		now = time.Now()
	}
	s.written += n
	return nil
}

// Room returns how many frames Write would take now without waiting.
func (s *NullStream) Room() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.realtime {
		return s.limit
	}
	return s.limit - (s.written - s.playedLocked(time.Now()))
}

// Progress is signalled when a millisecond has passed (a realtime Null
// plays continuously), at once otherwise.
func (s *NullStream) Progress() <-chan struct{} {
	ch := make(chan struct{}, 1)
	if !s.realtime {
		ch <- struct{}{}
		return ch
	}
	time.AfterFunc(time.Millisecond, func() { ch <- struct{}{} })
	return ch
}

// Flush drops what is queued and returns the played total.
func (s *NullStream) Flush() (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.playedLocked(time.Now())
	s.written = p
	return p, nil
}

// Played returns the frames played so far.
func (s *NullStream) Played() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.playedLocked(time.Now())
}

// Done is closed by Close.
func (s *NullStream) Done() <-chan struct{} { return s.done }

// Err is always nil.
func (s *NullStream) Err() error { return nil }

// Close ends the stream.
func (s *NullStream) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}
