// Package sink plays the daemon's sessions in a child process and reports
// back what is heard. The device (package playback) is opened once per
// process and keeps its first error for the life of the process, so the
// daemon never opens it itself: it starts `cued sink` (the child side,
// Serve), which opens the device and then plays one session at a time,
// mixing it itself from a description the daemon sends (the session's
// Spec: opaque here, built and read by cmd/cued), with the one player
// `cued play` uses in-process. The daemon sends controls and restarts the
// child when it dies or reports a device error (the daemon side, Exec and
// Child). Null is an output that plays nothing, for tests and for machines
// without sound.
//
// The protocol, daemon to child (stdin): messages of one byte of type, a
// 4-byte little-endian payload length and the payload; every integer is
// 8 bytes little-endian and none may be negative. 'S' starts a session, replacing any: its id, the
// sample to start from, the session's length, one byte (1: start paused)
// and the Spec. 'P' pauses, 'R' resumes and 'X' stops the session named by
// the id that is their payload; 'K' seeks it: the id, the seek's sequence
// number and the sample to go to; 'M' mixes it anew: the id and a new Spec
// of the same session (at other levels), which the child puts in the
// playing session's place (Backend.Remix). A control for another id than the
// session playing is ignored. Closing stdin asks the child to exit.
//
// Child to daemon (stdout): text lines. "ready" once the device works;
// "pos ID SEQ N" while session ID plays (every ReportInterval, and after
// each control), N the sample the device takes next and SEQ the last seek it
// applied; "ended ID" once session ID has been heard to its end; "error
// MESSAGE" when the device fails, after which the child exits.
package sink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Message types of the daemon-to-child stream.
const (
	MsgStart  = 'S'
	MsgPause  = 'P'
	MsgResume = 'R'
	MsgSeek   = 'K'
	MsgStop   = 'X'
	MsgRemix  = 'M'
)

// MaxPayload bounds a message payload (a Spec of a 30-minute routine is
// well under a megabyte), so that a corrupt stream cannot make the child
// allocate without limit.
const MaxPayload = 4 << 20

// startHeader is the size of a start message before its Spec.
const startHeader = 8 + 8 + 8 + 1

// Errors callers test with errors.Is.
var (
	// ErrProtocol means the other side sent something malformed.
	ErrProtocol = errors.New("sink: protocol error")
	// ErrDevice means the audio device failed or could not be opened.
	ErrDevice = errors.New("sink: audio device error")
	// ErrNoOutput is matched by a child's error that means there is no
	// working sound output and whose message says so itself (what the
	// child's Backend.NoOutput says; reported as "nooutput").
	ErrNoOutput = errors.New("sink: no audio output")
	// ErrExited means the sink process ended.
	ErrExited = errors.New("sink: child exited")
)

// Start is a start message: play Spec's session (Length samples) from
// sample From, held there when Paused.
type Start struct {
	ID     int64
	From   int
	Length int
	Paused bool
	Spec   []byte
}

// control is one message of the daemon-to-child stream.
type control struct {
	typ   byte
	id    int64
	seq   int64  // of a seek
	pos   int    // of a seek
	start Start  // of a start
	spec  []byte // of a remix
}

// encode returns the message as it goes on the wire.
func (c control) encode() []byte {
	var p []byte
	le := binary.LittleEndian
	switch c.typ {
	case MsgStart:
		p = make([]byte, startHeader, startHeader+len(c.start.Spec))
		le.PutUint64(p, uint64(c.start.ID))
		le.PutUint64(p[8:], uint64(c.start.From))
		le.PutUint64(p[16:], uint64(c.start.Length))
		if c.start.Paused {
			p[24] = 1
		}
		p = append(p, c.start.Spec...)
	case MsgSeek:
		p = le.AppendUint64(le.AppendUint64(le.AppendUint64(nil, uint64(c.id)), uint64(c.seq)), uint64(c.pos))
	case MsgRemix:
		p = append(le.AppendUint64(nil, uint64(c.id)), c.spec...)
	default:
		p = le.AppendUint64(nil, uint64(c.id))
	}
	h := make([]byte, 5, 5+len(p))
	h[0] = c.typ
	le.PutUint32(h[1:], uint32(len(p)))
	return append(h, p...)
}

// readControl reads one message. A message of an unknown type, of the
// wrong size or with a negative position is an error wrapping ErrProtocol.
func readControl(r io.Reader) (control, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return control{}, err
	}
	n := binary.LittleEndian.Uint32(h[1:])
	c := control{typ: h[0]}
	want := map[byte]uint32{MsgPause: 8, MsgResume: 8, MsgStop: 8, MsgSeek: 24}
	switch w, ok := want[c.typ]; {
	case c.typ == MsgStart && n >= startHeader && n <= MaxPayload:
	case c.typ == MsgRemix && n >= 8 && n <= MaxPayload:
	case ok && n == w:
	default:
		return control{}, fmt.Errorf("%w: message %q of %d bytes", ErrProtocol, h[0], n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r, p); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return control{}, err
	}
	le := binary.LittleEndian
	num := func(i int) int64 { return int64(le.Uint64(p[8*i:])) }
	c.id = num(0)
	if c.id < 0 {
		return control{}, fmt.Errorf("%w: session id %d", ErrProtocol, c.id)
	}
	switch c.typ {
	case MsgStart:
		c.start = Start{ID: num(0), From: int(num(1)), Length: int(num(2)), Paused: p[24] == 1, Spec: p[startHeader:]}
		if c.start.From < 0 || c.start.Length < 0 || c.start.From > c.start.Length || p[24] > 1 {
			return control{}, fmt.Errorf("%w: start from %d of %d (paused byte %d)", ErrProtocol, c.start.From, c.start.Length, p[24])
		}
	case MsgRemix:
		c.spec = p[8:]
	case MsgSeek:
		c.seq, c.pos = num(1), int(num(2))
		if c.pos < 0 || c.seq < 0 {
			return control{}, fmt.Errorf("%w: seek %d to %d", ErrProtocol, c.seq, c.pos)
		}
	}
	return c, nil
}

// Report is one line of the child: "ready", a position, an end or an
// error.
type Report struct {
	// Word is "ready", "pos", "ended" or "error".
	Word string
	// ID is the session a pos or ended line is about, Seq the last seek
	// applied and Pos the sample the device takes next (pos).
	ID, Seq int64
	Pos     int
	// Message is an error's; NoOutput says that it matches ErrNoOutput
	// (written "nooutput MESSAGE").
	Message  string
	NoOutput bool
}

// errorReport is err as the child with backend b reports it.
func errorReport(err error, b Backend) Report {
	return Report{Word: "error", Message: err.Error(), NoOutput: b.NoOutput(err)}
}

// String is the report as the child writes it.
func (r Report) String() string {
	switch r.Word {
	case "pos":
		return fmt.Sprintf("pos %d %d %d", r.ID, r.Seq, r.Pos)
	case "ended":
		return fmt.Sprintf("ended %d", r.ID)
	case "error":
		if r.NoOutput {
			return "nooutput " + oneLine(r.Message)
		}
		return "error " + oneLine(r.Message)
	}
	return r.Word
}

// ParseReport reads one line of the child. A pos or ended line whose
// numbers are not counts is an error wrapping ErrProtocol; a line of
// another word is ignored (Word ""), so that a newer child may say more.
func ParseReport(line string) (Report, error) {
	word, arg, _ := strings.Cut(line, " ")
	bad := func() (Report, error) { return Report{}, fmt.Errorf("%w: %q", ErrProtocol, line) }
	nums := func(want int) ([]int64, bool) {
		f := strings.Fields(arg)
		if len(f) != want || arg != strings.Join(f, " ") {
			return nil, false
		}
		out := make([]int64, want)
		for i, s := range f {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return nil, false
			}
			out[i] = n
		}
		return out, true
	}
	switch word {
	case "ready":
		return Report{Word: word}, nil
	case "pos":
		n, ok := nums(3)
		if !ok {
			return bad()
		}
		return Report{Word: word, ID: n[0], Seq: n[1], Pos: int(n[2])}, nil
	case "ended":
		n, ok := nums(1)
		if !ok {
			return bad()
		}
		return Report{Word: word, ID: n[0]}, nil
	case "error", "nooutput":
		if arg == "" {
			arg = "the audio device failed (the sink said no more)"
		}
		return Report{Word: "error", Message: arg, NoOutput: word == "nooutput"}, nil
	}
	return Report{}, nil
}

// oneLine keeps an error on one line of the protocol.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
