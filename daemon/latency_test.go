package daemon_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
)

// timedOutput is a realtime null output that records when the last flush
// happened, and the first write after it was armed (a stream is kept open
// from one session to the next).
type timedOutput struct {
	faultyOutput
	flushed atomic.Int64 // unix ns
	written atomic.Int64 // unix ns of the first write once armed
	armed   atomic.Bool
}

type timedStream struct {
	daemon.Stream
	o *timedOutput
}

func (o *timedOutput) Open(ctx context.Context, r int) (daemon.Stream, error) {
	st, err := o.faultyOutput.Open(ctx, r)
	if err != nil {
		return nil, err
	}
	return &timedStream{Stream: st, o: o}, nil
}

func (s *timedStream) Flush() (int64, error) {
	n, err := s.Stream.Flush()
	s.o.flushed.Store(time.Now().UnixNano())
	return n, err
}

func (s *timedStream) Write(p []byte) error {
	if s.o.armed.CompareAndSwap(true, false) {
		s.o.written.Store(time.Now().UnixNano())
	}
	return s.Stream.Write(p)
}

// BenchmarkPauseLatency measures, over the real socket, the time from
// sending POST /pause to the output having dropped its queue (what follows
// is the device's own buffer, audio.buffer_ms).
func BenchmarkPauseLatency(b *testing.B) {
	out := &timedOutput{faultyOutput: faultyOutput{realtime: true}}
	h := start(b, func(o *daemon.Options) { o.Output = out; o.Prepare = prepare(600) })
	defer h.stop()
	ctx := context.Background()
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r"}); err != nil {
		b.Fatal(err)
	}
	var total, worst time.Duration
	for b.Loop() {
		h.c.Verb(ctx, "resume")
		time.Sleep(30 * time.Millisecond)
		before := out.flushed.Load()
		t0 := time.Now()
		if _, err := h.c.Verb(ctx, "pause"); err != nil {
			b.Fatal(err)
		}
		for out.flushed.Load() == before {
			time.Sleep(50 * time.Microsecond)
		}
		d := time.Unix(0, out.flushed.Load()).Sub(t0)
		total += d
		worst = max(worst, d)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/pause")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// BenchmarkPlayLatency measures the time from sending POST /play to the
// first PCM written to the output, with an instant Prepare (the real one
// adds the routine's compile and mix set-up) and a null output (a real
// child adds its start and the device's opening).
func BenchmarkPlayLatency(b *testing.B) {
	out := &timedOutput{faultyOutput: faultyOutput{realtime: true}}
	h := start(b, func(o *daemon.Options) { o.Output = out; o.Prepare = prepare(600) })
	defer h.stop()
	ctx := context.Background()
	var total time.Duration
	for b.Loop() {
		before := out.written.Load()
		time.Sleep(10 * time.Millisecond) // the last stop's fade-out is written
		out.armed.Store(true)
		t0 := time.Now()
		if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r"}); err != nil {
			b.Fatal(err)
		}
		for out.written.Load() == before {
			time.Sleep(50 * time.Microsecond)
		}
		total += time.Unix(0, out.written.Load()).Sub(t0)
		h.c.Verb(ctx, "stop")
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/play")
}

// Room and Progress pass the null stream's flow control through, so that
// the pump waits for room itself as it does with a real sink.
func (s *timedStream) Room() int64 { return s.Stream.(*faultyStream).Room() }

// Progress passes through the null stream's progress signal.
func (s *timedStream) Progress() <-chan struct{} { return s.Stream.(*faultyStream).Progress() }
