package sink

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pullDevice pulls everything queued at once whenever it is fed, so that a
// fuzzed stream plays out without waiting for real time.
type pullDevice struct {
	src    Source
	buf    [][2]float64
	pulled int64
}

func (d *pullDevice) Start(rate, bufferMS int, src Source) error {
	d.src, d.buf = src, make([][2]float64, 4096)
	return nil
}
func (d *pullDevice) Health() error { return nil }
func (d *pullDevice) Fed() {
	for {
		n, _ := d.src.Stream(d.buf)
		d.pulled += int64(n)
		if n == 0 {
			return
		}
	}
}

// FuzzServe feeds the child side arbitrary bytes as the daemon's stream.
// It must end (the stream ends), never panic, answer only the protocol's
// lines, and, for a stream of well-formed messages, play every frame sent
// and end without error; a malformed one ends with ErrProtocol or a
// truncated-stream error.
func FuzzServe(f *testing.F) {
	var ok bytes.Buffer
	writeMsg(&ok, MsgData, EncodeS16(nil, [][2]float64{{0.5, -0.5}, {1, -1}}))
	writeMsg(&ok, MsgFlush, nil)
	writeMsg(&ok, MsgData, make([]byte, 4*100))
	f.Add(ok.Bytes())
	f.Add([]byte{})
	f.Add([]byte{'D', 3, 0, 0, 0, 1, 2, 3})      // not whole frames
	f.Add([]byte{'X', 0, 0, 0, 0})               // unknown type
	f.Add([]byte{'D', 255, 255, 255, 255})       // over MaxPayload
	f.Add([]byte{'D', 8, 0, 0, 0, 1, 2})         // truncated payload
	f.Add([]byte{'F', 0, 0, 0, 0, 'F', 0, 0, 0}) // truncated header
	f.Fuzz(func(t *testing.T, in []byte) {
		frames, valid := framesIn(in)
		dev := &pullDevice{}
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := Serve(ctx, bytes.NewReader(in), &out, dev, 8000, 40)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("Serve did not end within 10 s of a finite stream")
		}
		switch {
		case valid && err != nil:
			t.Fatalf("well-formed stream: %v", err)
		case !valid && !errors.Is(err, ErrProtocol) && !errors.Is(err, io.ErrUnexpectedEOF):
			t.Fatalf("malformed stream ended with %v", err)
		}
		last := int64(-1)
		for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			rep, perr := parseReport(line)
			switch {
			case perr != nil || rep.word == "":
				t.Fatalf("line %d %q is not the protocol's (%v)", i+1, line, perr)
			case i == 0 && rep.word != "ready":
				t.Fatalf("first line %q, want ready", line)
			case rep.word == "played" && rep.frames < last:
				t.Fatalf("played went back from %d to %d", last, rep.frames)
			case rep.word == "played":
				last = rep.frames
			}
		}
		if valid && (last != frames && frames > 0 || dev.pulled != frames) {
			t.Fatalf("sent %d frames; the device pulled %d, the child reported %d", frames, dev.pulled, last)
		}
	})
}

// framesIn returns the frames of the data messages of a stream, and
// whether the stream is a sequence of well-formed messages, by the
// protocol's rules as the package doc states them.
func framesIn(in []byte) (int64, bool) {
	var frames int64
	for len(in) > 0 {
		if len(in) < 5 {
			return frames, false
		}
		typ := in[0]
		n := int64(in[1]) | int64(in[2])<<8 | int64(in[3])<<16 | int64(in[4])<<24
		if typ != MsgData && typ != MsgFlush || n > MaxPayload || typ == MsgData && n%FrameBytes != 0 || int64(len(in)-5) < n {
			return frames, false
		}
		if typ == MsgData {
			frames += n / FrameBytes
		}
		in = in[5+n:]
	}
	return frames, true
}

// FuzzReport: the daemon side reads any line of the child without
// panicking, and reads back every line the child writes.
func FuzzReport(f *testing.F) {
	for _, s := range []string{"ready", "played 0", "played 9223372036854775807", "flushed 12", "error fake: gone",
		"played", "played -1", "played x", "flushed 1e3", "error", "hello world", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		rep, err := parseReport(line)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("%q: %v does not wrap ErrProtocol", line, err)
			}
			return
		}
		switch rep.word {
		case "played", "flushed":
			if rep.frames < 0 {
				t.Fatalf("%q: negative count %d", line, rep.frames)
			}
			back, err := parseReport(rep.word + " " + strconv.FormatInt(rep.frames, 10))
			if err != nil || back != rep {
				t.Fatalf("%q: round trip %+v %v", line, back, err)
			}
		case "error":
			if rep.message == "" {
				t.Fatalf("%q: an error with no message", line)
			}
		}
	})
}
