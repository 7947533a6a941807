package sink

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The test binary doubles as a sink child when SINK_TEST_CHILD is set: it
// serves stdin/stdout with a fake device that pulls in real time.
func TestMain(m *testing.M) {
	if mode := os.Getenv("SINK_TEST_CHILD"); mode != "" {
		err := Serve(context.Background(), os.Stdin, os.Stdout, &fakeDevice{mode: mode}, 8000, 40)
		if err != nil {
			os.Exit(2)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// fakeDevice pulls 10 ms every 10 ms. Mode "fail" cannot open; "die" fails
// 300 ms after it starts.
type fakeDevice struct {
	mode  string
	mu    sync.Mutex
	start time.Time
}

func (d *fakeDevice) Start(rate, bufferMS int, src Source) error {
	if d.mode == "fail" {
		return errors.New("fake: no sound server\nsecond line")
	}
	d.start = time.Now()
	go func() {
		buf := make([][2]float64, rate/100)
		for range time.Tick(10 * time.Millisecond) {
			src.Stream(buf)
		}
	}()
	return nil
}

func (d *fakeDevice) Fed() {}

func (d *fakeDevice) Health() error {
	if d.mode == "die" && time.Since(d.start) > 300*time.Millisecond {
		return errors.New("fake: device unplugged")
	}
	return nil
}

func TestS16RoundTrip(t *testing.T) {
	frames := make([][2]float64, 5000)
	for i := range frames {
		frames[i] = [2]float64{rand.Float64()*2.4 - 1.2, rand.Float64()*2 - 1}
	}
	frames[0] = [2]float64{1, -1}
	pcm := EncodeS16(nil, frames)
	again := EncodeS16(nil, decodeS16(nil, pcm))
	if string(pcm) != string(again) {
		t.Fatal("decode then encode changed the PCM")
	}
}

func child(mode string) *Exec {
	return &Exec{Command: []string{os.Args[0]}, Env: append(os.Environ(), "SINK_TEST_CHILD="+mode), BufferMS: 40}
}

func TestChild(t *testing.T) {
	s, err := child("ok").Open(context.Background(), 8000)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 80*FrameBytes) // 10 ms
	t0 := time.Now()
	for range 50 { // 500 ms
		if err := s.Write(chunk); err != nil {
			t.Fatal(err)
		}
		if q := s.written - s.Played(); q > 3*320 {
			t.Fatalf("%d frames queued, more than three buffers (3 × 320)", q)
		}
	}
	if d := time.Since(t0); d < 200*time.Millisecond {
		t.Errorf("500 ms of audio accepted in %v: no flow control", d)
	}
	n, err := s.Flush()
	if err != nil || n < 2800 || n > 4000 {
		t.Errorf("Flush: %d %v", n, err)
	}
	time.Sleep(50 * time.Millisecond)
	if p := s.Played(); p != n {
		t.Errorf("played %d after a flush at %d", p, n)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	<-s.Done()
}

func TestChildNoDevice(t *testing.T) {
	_, err := child("fail").Open(context.Background(), 8000)
	if !errors.Is(err, ErrDevice) || !strings.Contains(err.Error(), "fake: no sound server second line") {
		t.Fatalf("Open: %v", err)
	}
}

func TestChildDies(t *testing.T) {
	s, err := child("die").Open(context.Background(), 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chunk := make([]byte, 80*FrameBytes)
	deadline := time.Now().Add(3 * time.Second)
	for {
		if err = s.Write(chunk); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("writes never failed")
		}
	}
	if !errors.Is(err, ErrDevice) || !strings.Contains(err.Error(), "device unplugged") {
		t.Errorf("Write: %v", err)
	}
	select {
	case <-s.Done():
	case <-time.After(2 * time.Second):
		t.Error("Done not closed after the child's error")
	}
}

func TestNullRealtime(t *testing.T) {
	s, _ := Null{Realtime: true, BufferFrames: 320}.Open(context.Background(), 8000)
	chunk := make([]byte, 80*FrameBytes)
	t0 := time.Now()
	for range 40 { // 400 ms
		s.Write(chunk)
	}
	if d := time.Since(t0); d < 300*time.Millisecond || d > 600*time.Millisecond {
		t.Errorf("400 ms of audio took %v", d)
	}
	p, _ := s.Flush()
	time.Sleep(30 * time.Millisecond)
	if s.Played() != p {
		t.Error("played moved after a flush")
	}
	s.Close()
}

// TestQueueStaysSmall plays a minute through the child's queue while the
// daemon keeps it about ten chunks ahead, as in a session: the queue must
// not keep the frames it has played.
func TestQueueStaysSmall(t *testing.T) {
	q := &queue{notify: make(chan struct{}, 1)}
	chunk := EncodeS16(nil, make([][2]float64, 441))
	out := make([][2]float64, 441)
	for range 10 {
		q.push(chunk)
	}
	maxCap := 0
	for range 6000 { // 60 s of 10 ms chunks
		q.push(chunk)
		q.Stream(out)
		maxCap = max(maxCap, cap(q.frames))
	}
	if queued := len(q.frames) - q.head; queued != 10*441 {
		t.Fatalf("%d frames queued, want %d", queued, 10*441)
	}
	if maxCap > 64*441 {
		t.Fatalf("the queue grew to %d frames for 11 chunks of 441: it keeps played frames", maxCap)
	}
}
