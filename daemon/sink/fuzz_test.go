package sink

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// FuzzServe feeds the child side arbitrary bytes as the daemon's stream,
// with a backend whose sessions play instantly. It must end (the stream
// ends), never panic and answer only the protocol's lines, ready first;
// a stream of well-formed messages ends without error, a malformed one
// with ErrProtocol, a truncated-stream error, or (a start whose spec the
// backend refuses) ErrDevice.
func FuzzServe(f *testing.F) {
	var ok bytes.Buffer
	for _, c := range []control{
		{typ: MsgStart, start: Start{ID: 1, From: 0, Length: 100, Spec: []byte("100")}},
		{typ: MsgPause, id: 1}, {typ: MsgSeek, id: 1, seq: 1, pos: 50}, {typ: MsgResume, id: 1}, {typ: MsgRemix, id: 1, spec: []byte("spec")}, {typ: MsgStop, id: 1},
		{typ: MsgStart, start: Start{ID: 2, From: 10, Length: 20, Paused: true, Spec: []byte("20")}},
	} {
		ok.Write(c.encode())
	}
	f.Add(ok.Bytes())
	f.Add([]byte{})
	f.Add([]byte{'P', 3, 0, 0, 0, 1, 2, 3})                     // wrong size
	f.Add([]byte{'Z', 0, 0, 0, 0})                              // unknown type
	f.Add([]byte{'S', 255, 255, 255, 255})                      // over MaxPayload
	f.Add([]byte{'K', 24, 0, 0, 0, 1, 2})                       // truncated payload
	f.Add([]byte{'X', 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 'R'}) // truncated header
	f.Add(control{typ: MsgStart, start: Start{ID: 3, Length: 5, Spec: []byte("nope")}}.encode())
	f.Fuzz(func(t *testing.T, in []byte) {
		valid := wellFormed(in)
		var out bytes.Buffer
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := Serve(ctx, bytes.NewReader(in), &out, &fakeBackend{}, 8000, 40)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("Serve did not end within 10 s of a finite stream")
		}
		switch {
		case valid && err != nil && !errors.Is(err, ErrDevice):
			t.Fatalf("well-formed stream: %v", err)
		case !valid && !errors.Is(err, ErrProtocol) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrDevice):
			t.Fatalf("malformed stream ended with %v", err)
		}
		for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
			rep, perr := ParseReport(line)
			switch {
			case perr != nil || rep.Word == "":
				t.Fatalf("line %d %q is not the protocol's (%v)", i+1, line, perr)
			case i == 0 && rep.Word != "ready":
				t.Fatalf("first line %q, want ready", line)
			}
		}
	})
}

// wellFormed reports whether a stream is a sequence of well-formed
// messages, by the protocol's rules as the package doc states them.
func wellFormed(in []byte) bool {
	for len(in) > 0 {
		if len(in) < 5 {
			return false
		}
		typ := in[0]
		n := int(in[1]) | int(in[2])<<8 | int(in[3])<<16 | int(in[4])<<24
		if len(in)-5 < n || n < 0 {
			return false
		}
		p := in[5 : 5+n]
		num := func(i int) int64 {
			var v uint64
			for k := 7; k >= 0; k-- {
				v = v<<8 | uint64(p[8*i+k])
			}
			return int64(v)
		}
		if n >= 8 && num(0) < 0 {
			return false
		}
		switch typ {
		case MsgStart:
			if n < startHeader || n > MaxPayload || num(1) < 0 || num(2) < 0 || num(1) > num(2) || p[24] > 1 {
				return false
			}
		case MsgPause, MsgResume, MsgStop:
			if n != 8 {
				return false
			}
		case MsgSeek:
			if n != 24 || num(1) < 0 || num(2) < 0 {
				return false
			}
		case MsgRemix:
			if n < 8 || n > MaxPayload {
				return false
			}
		default:
			return false
		}
		in = in[5+n:]
	}
	return true
}

// FuzzReport: the daemon side reads any line of the child without
// panicking, and reads back every line the child writes.
func FuzzReport(f *testing.F) {
	for _, s := range []string{"ready", "pos 1 0 0", "pos 9223372036854775807 2 44100", "ended 3", "error fake: gone", "nooutput no audio output: gone",
		"pos", "pos 1 2", "pos -1 0 0", "pos 1 0 x", "ended", "ended 1 2", "pos 1  0 0", "error", "hello world", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		rep, err := ParseReport(line)
		if err != nil {
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("%q: %v does not wrap ErrProtocol", line, err)
			}
			return
		}
		switch rep.Word {
		case "pos", "ended", "ready":
			if rep.ID < 0 || rep.Seq < 0 || rep.Pos < 0 {
				t.Fatalf("%q: negative numbers %+v", line, rep)
			}
			back, err := ParseReport(rep.String())
			if err != nil || back != rep {
				t.Fatalf("%q: round trip %+v %v", line, back, err)
			}
		case "error":
			if rep.Message == "" {
				t.Fatalf("%q: an error with no message", line)
			}
		}
	})
}
