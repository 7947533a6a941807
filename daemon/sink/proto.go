// Package sink moves the daemon's PCM to the audio device in a child
// process and back-reports what was played. The device (package playback)
// is opened once per process and keeps its first error for the life of the
// process, so the daemon never opens it itself: it starts `cued sink` (the
// child side, Serve) when a session plays, feeds it PCM over stdin with flow
// control, and restarts it when it dies or reports a device error (the
// daemon side, Exec). Null is an output that plays nothing, for tests and
// for machines without sound.
//
// The protocol, daemon to child (stdin): messages of one byte of type, a
// 4-byte little-endian payload length and the payload. 'D' carries PCM,
// 16-bit signed little-endian interleaved stereo frames; 'F' (no payload)
// drops whatever is queued. Closing stdin asks the child to play what is
// queued and exit. Child to daemon (stdout): text lines. "ready" once the
// device works; "played N", the total of frames handed to the device so
// far; "flushed N" in answer to 'F', N being the played total at the flush;
// "error MESSAGE" when the device fails, after which the child exits.
package sink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Message types of the daemon-to-child stream.
const (
	MsgData  = 'D'
	MsgFlush = 'F'
)

// FrameBytes is the size of one stereo 16-bit frame.
const FrameBytes = 4

// MaxPayload bounds a message payload (about a second of audio at 48 kHz),
// so that a corrupt stream cannot make the child allocate without limit.
const MaxPayload = 1 << 18

// Errors callers test with errors.Is.
var (
	// ErrProtocol means the other side sent something malformed.
	ErrProtocol = errors.New("sink: protocol error")
	// ErrDevice means the audio device failed or could not be opened.
	ErrDevice = errors.New("sink: audio device error")
	// ErrExited means the sink process ended.
	ErrExited = errors.New("sink: child exited")
)

// writeMsg writes one message.
func writeMsg(w io.Writer, typ byte, payload []byte) error {
	var h [5]byte
	h[0] = typ
	binary.LittleEndian.PutUint32(h[1:], uint32(len(payload)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	if len(payload) > 0 {
		_, err := w.Write(payload)
		return err
	}
	return nil
}

// readMsg reads one message into buf (grown as needed).
func readMsg(r io.Reader, buf []byte) (typ byte, payload []byte, err error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, buf, err
	}
	n := binary.LittleEndian.Uint32(h[1:])
	if n > MaxPayload || (h[0] == MsgData && n%FrameBytes != 0) || (h[0] != MsgData && h[0] != MsgFlush) {
		return 0, buf, fmt.Errorf("%w: message %q of %d bytes", ErrProtocol, h[0], n)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, buf, err
	}
	return h[0], buf, nil
}

// EncodeS16 appends frames to dst as 16-bit little-endian PCM, quantised as
// playback does (clamp to [-1, 1], times 32767, truncated), and
// returns the extended slice.
func EncodeS16(dst []byte, frames [][2]float64) []byte {
	for _, f := range frames {
		for _, v := range f {
			v = max(-1, min(1, v))
			s := int16(v * 32767)
			dst = append(dst, byte(s), byte(s>>8))
		}
	}
	return dst
}

// decodeS16 turns PCM back into samples that playback's quantisation
// maps to exactly the same 16-bit values.
func decodeS16(dst [][2]float64, pcm []byte) [][2]float64 {
	for i := 0; i+FrameBytes <= len(pcm); i += FrameBytes {
		var f [2]float64
		for c := 0; c < 2; c++ {
			x := float64(int16(binary.LittleEndian.Uint16(pcm[i+2*c:])))
			switch {
			case x > 0:
				x += 0.5
			case x < 0:
				x -= 0.5
			}
			f[c] = x / 32767
		}
		dst = append(dst, f)
	}
	return dst
}
