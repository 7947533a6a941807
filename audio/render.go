package audio

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/gopxl/beep/v2"

	"github.com/cued-dev/cued/pcm"
)

// Encoding is a file format Render writes.
type Encoding int

// The encodings Render writes.
const (
	// WAV16 is a WAV file of 16-bit signed PCM, quantised exactly as the
	// player (package playback) quantises what it sends to the device.
	WAV16 Encoding = iota + 1
	// WAVFloat32 is a WAV file of 32-bit IEEE float samples
	// (WAVE_FORMAT_IEEE_FLOAT), the mix without quantisation.
	WAVFloat32
	// RawS16LE is headerless 16-bit signed little-endian PCM, interleaved,
	// quantised as WAV16: for pipes into other tools.
	RawS16LE
)

// ParseEncoding reads an encoding name: "s16" (or "wav") for WAV16, "f32"
// for WAVFloat32, "raw" (or "s16le") for RawS16LE; config.yaml's
// audio.format takes s16 or f32.
func ParseEncoding(name string) (Encoding, error) {
	switch name {
	case "s16", "wav":
		return WAV16, nil
	case "f32":
		return WAVFloat32, nil
	case "raw", "s16le":
		return RawS16LE, nil
	}
	return 0, fmt.Errorf("audio: unknown encoding %q (use s16, f32 or raw)", name)
}

// String returns the name ParseEncoding reads.
func (e Encoding) String() string {
	switch e {
	case WAV16:
		return "s16"
	case WAVFloat32:
		return "f32"
	case RawS16LE:
		return "raw"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// renderFrames is how many frames Render streams and writes at a time.
const renderFrames = 4096

// Render streams s to the end and writes it to w in encoding enc, a buffer
// at a time, so it works to a pipe or a FIFO as well as to a file and keeps
// memory flat. s must be finite. Its samples are exactly those the player
// would pull from the same streamer; WAV16 and RawS16LE quantise them as the
// outputs do (pcm.S16).
//
// A WAV header holds the length up front. When s has Len and Position (a
// Session does) the header is written from Len()-Position(); otherwise, if
// w is seekable the header is fixed up at the end, and if not it says
// "unknown size" (0xFFFFFFFF), which players and ffmpeg accept. Writes to
// w are not buffered beyond one chunk; errors from w and s.Err are returned.
//
// format.SampleRate is the rate written in the header; format.NumChannels is
// 2 (stereo, the default when 0) or 1 (the average of the two channels).
func Render(w io.Writer, s beep.Streamer, format beep.Format, enc Encoding) error {
	ch, width, err := renderShape(format, enc)
	if err != nil {
		return err
	}
	frames := -1
	if l, ok := s.(interface {
		Len() int
		Position() int
	}); ok {
		frames = l.Len() - l.Position()
	}
	wav := enc != RawS16LE
	frameBytes := ch * width
	if frames > 0 && int64(frames)*int64(frameBytes) > math.MaxUint32-64 {
		return fmt.Errorf("audio: render: %d frames do not fit in a WAV file", frames)
	}
	// A writer that can seek (a regular file, not a pipe, even as an
	// *os.File) has its header fixed up at the end if needed.
	var ws io.WriteSeeker
	var headerAt int64
	if sk, ok := w.(io.WriteSeeker); ok && wav {
		if at, err := sk.Seek(0, io.SeekCurrent); err == nil {
			ws, headerAt = sk, at
		}
	}
	rate := int(format.SampleRate)
	if wav {
		if _, err := w.Write(pcm.WAVHeader(enc == WAVFloat32, rate, ch, frames)); err != nil {
			return err
		}
	}
	total, err := streamAll(w, s, enc, ch, frameBytes)
	if err != nil || !wav || total == frames {
		return err
	}
	if int64(total)*int64(frameBytes) > math.MaxUint32-64 {
		return fmt.Errorf("audio: render: %d frames do not fit in a WAV file", total)
	}
	if ws == nil {
		if frames < 0 {
			return nil // the header says "unknown size"
		}
		return fmt.Errorf("audio: render: the streamer gave %d frames, not the %d its length promised", total, frames)
	}
	return rewriteHeader(ws, headerAt, pcm.WAVHeader(enc == WAVFloat32, rate, ch, total))
}

// renderShape checks a render's format and encoding and returns its
// channels (2 when format says 0) and the bytes of a sample.
func renderShape(format beep.Format, enc Encoding) (ch, width int, err error) {
	ch = format.NumChannels
	if ch == 0 {
		ch = 2
	}
	if ch != 1 && ch != 2 {
		return 0, 0, fmt.Errorf("audio: render: %d channels (only 1 or 2)", ch)
	}
	if format.SampleRate <= 0 {
		return 0, 0, fmt.Errorf("audio: render: sample rate %d", format.SampleRate)
	}
	switch enc {
	case WAV16, RawS16LE:
		return ch, 2, nil
	case WAVFloat32:
		return ch, 4, nil
	}
	return 0, 0, fmt.Errorf("audio: render: unknown encoding %v", enc)
}

// streamAll streams s to its end into w, a chunk at a time, and returns the
// frames written.
func streamAll(w io.Writer, s beep.Streamer, enc Encoding, ch, frameBytes int) (int, error) {
	buf := make([][2]float64, renderFrames)
	out := make([]byte, renderFrames*frameBytes)
	total := 0
	for {
		n, ok := s.Stream(buf)
		if n > 0 {
			if _, err := w.Write(encode(out, buf[:n], enc, ch)); err != nil {
				return total, err
			}
			total += n
		}
		if !ok || n == 0 {
			break
		}
	}
	return total, s.Err()
}

// rewriteHeader writes header at offset at of ws and comes back to where
// ws was.
func rewriteHeader(ws io.WriteSeeker, at int64, header []byte) error {
	end, err := ws.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := ws.Seek(at, io.SeekStart); err != nil {
		return err
	}
	if _, err := ws.Write(header); err != nil {
		return err
	}
	_, err = ws.Seek(end, io.SeekStart)
	return err
}

// encode writes the samples to out in the encoding and returns the bytes
// written.
func encode(out []byte, buf [][2]float64, enc Encoding, ch int) []byte {
	switch {
	case enc == WAVFloat32 && ch == 2:
		out = out[:8*len(buf)]
		for i := range buf {
			binary.LittleEndian.PutUint32(out[8*i:], math.Float32bits(float32(buf[i][0])))
			binary.LittleEndian.PutUint32(out[8*i+4:], math.Float32bits(float32(buf[i][1])))
		}
	case enc == WAVFloat32:
		out = out[:4*len(buf)]
		for i := range buf {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(float32((buf[i][0]+buf[i][1])/2)))
		}
	case ch == 2:
		out = out[:4*len(buf)]
		// Indexing, not ranging over values: copying each [2]float64 costs
		// a store-forwarding stall per frame.
		for i := range buf {
			a, b := buf[i][0], buf[i][1]
			l := uint32(uint16(pcm.S16(a)))
			r := l
			if b != a { // a Session's channels are equal: quantise once
				r = uint32(uint16(pcm.S16(b)))
			}
			binary.LittleEndian.PutUint32(out[4*i:], l|r<<16)
		}
	default:
		out = out[:2*len(buf)]
		for i := range buf {
			binary.LittleEndian.PutUint16(out[2*i:], uint16(pcm.S16((buf[i][0]+buf[i][1])/2)))
		}
	}
	return out
}
