package daemon_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/sink"
)

// timedOutput is a realtime null output that records when its device last
// got a pause, and its first play once armed (a device is kept open from
// one session to the next).
type timedOutput struct {
	faultyOutput
	paused atomic.Int64 // unix ns
	played atomic.Int64 // unix ns of the first play once armed
	armed  atomic.Bool
}

type timedDevice struct {
	daemon.Device
	o *timedOutput
}

func (o *timedOutput) Open(ctx context.Context, r int) (daemon.Device, error) {
	d, err := o.faultyOutput.Open(ctx, r)
	if err != nil {
		return nil, err
	}
	return &timedDevice{Device: d, o: o}, nil
}

func (d *timedDevice) Pause(id int64) error {
	err := d.Device.Pause(id)
	d.o.paused.Store(time.Now().UnixNano())
	return err
}

func (d *timedDevice) Play(s sink.Start) error {
	if d.o.armed.CompareAndSwap(true, false) {
		d.o.played.Store(time.Now().UnixNano())
	}
	return d.Device.Play(s)
}

// BenchmarkPauseLatency measures, over the real socket, the time from
// sending POST /pause to the device having the pause (what follows is the
// child's fade and the device's own buffer, audio.buffer_ms).
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
		before := out.paused.Load()
		t0 := time.Now()
		if _, err := h.c.Verb(ctx, "pause"); err != nil {
			b.Fatal(err)
		}
		for out.paused.Load() == before {
			time.Sleep(50 * time.Microsecond)
		}
		d := time.Unix(0, out.paused.Load()).Sub(t0)
		total += d
		worst = max(worst, d)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/pause")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// BenchmarkPlayLatency measures the time from sending POST /play to the
// device having the session, with an instant Prepare (the real one adds
// the routine's compile and mix set-up) and a null output (a real child
// adds the mix's set-up, and its start and the device's opening when cold).
func BenchmarkPlayLatency(b *testing.B) {
	out := &timedOutput{faultyOutput: faultyOutput{realtime: true}}
	h := start(b, func(o *daemon.Options) { o.Output = out; o.Prepare = prepare(600) })
	defer h.stop()
	ctx := context.Background()
	var total time.Duration
	for b.Loop() {
		before := out.played.Load()
		out.armed.Store(true)
		t0 := time.Now()
		if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r"}); err != nil {
			b.Fatal(err)
		}
		for out.played.Load() == before {
			time.Sleep(50 * time.Microsecond)
		}
		total += time.Unix(0, out.played.Load()).Sub(t0)
		h.c.Verb(ctx, "stop")
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/play")
}
