package voice

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"
)

// WAV format tags.
const (
	wavPCM        = 0x0001
	wavFloat      = 0x0003
	wavExtensible = 0xFFFE
)

// wavGUIDTail is the fixed tail of a WAVE_FORMAT_EXTENSIBLE sub-format
// GUID; its first two bytes are the plain format tag.
var wavGUIDTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// decodeWAV reads a RIFF WAVE file: PCM 8/16/24/32-bit or IEEE float
// 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE, 1 to 8 channels averaged to
// mono. The data chunk's size is trusted only as far as the file goes: a
// header that claims more frames than the file holds (a truncated file, or
// a streamed one whose size was never filled in) yields the frames present.
//
// It is not package pcm's reader on purpose: a voice clip is the user's
// file, in any variant of the format, and every problem in it is reported
// to the user; pcm.ParseWAV reads only what cued itself wrote.
func decodeWAV(b []byte, maxLen time.Duration) (pcm, error) {
	c := wavChunks(b)
	if c.fmt == nil {
		return pcm{}, fmt.Errorf("%w: WAV file without a fmt chunk", ErrFormat)
	}
	f, err := parseWAVFormat(c.fmt)
	if err != nil {
		return pcm{}, err
	}
	if !c.dataSeen {
		return pcm{}, fmt.Errorf("%w: WAV file without a data chunk", ErrFormat)
	}
	frameSize := f.bits / 8 * f.channels
	frames := len(c.data) / frameSize
	if frames == 0 {
		return pcm{}, fmt.Errorf("%w: the WAV file holds no audio (its header claims %d frames, the file has none)",
			ErrFormat, c.claimed/uint32(frameSize))
	}
	if frames > maxSamples(maxLen, f.rate) {
		return pcm{}, tooLong(frames, f.rate, maxLen)
	}
	var warning string
	// Streaming writers (espeak-ng --stdout, for one) leave a placeholder
	// near 2^31 or 2^32 in the size field: not a sign of damage.
	if c.claimed < 0x7FFF0000 && uint64(c.claimed) > uint64(len(c.data)) {
		warning = fmt.Sprintf("truncated: its header claims %d frames, the file holds %d; playing those",
			c.claimed/uint32(frameSize), frames)
	}
	return pcm{samples: f.mono(c.data, frames), rate: f.rate, warning: warning}, nil
}

// wavFile is what wavChunks found: the fmt chunk's body (nil if none),
// the data chunk's (cut to what the file holds), and the data size its
// header claims.
type wavFile struct {
	fmt, data []byte
	dataSeen  bool
	claimed   uint32
}

// wavChunks walks a RIFF WAVE file's chunks until it has seen fmt and
// data, or the file ends.
func wavChunks(b []byte) wavFile {
	var w wavFile
	for off := 12; off+8 <= len(b); {
		id := string(b[off : off+4])
		size := binary.LittleEndian.Uint32(b[off+4 : off+8])
		body := b[off+8:]
		if uint64(size) <= uint64(len(body)) {
			body = body[:size]
		}
		switch id {
		case "fmt ":
			w.fmt = body
		case "data":
			w.data, w.dataSeen, w.claimed = body, true, size
		}
		if w.dataSeen && w.fmt != nil {
			break
		}
		next := uint64(off) + 8 + uint64(size) + uint64(size&1)
		if next > uint64(len(b)) {
			break
		}
		off = int(next)
	}
	return w
}

// wavFormat is a fmt chunk's sample format: tag is wavPCM or wavFloat
// (an extensible format's sub-format).
type wavFormat struct {
	tag                  uint16
	channels, rate, bits int
}

// parseWAVFormat reads a fmt chunk, and says what in it cued cannot play.
func parseWAVFormat(c []byte) (wavFormat, error) {
	if len(c) < 16 {
		return wavFormat{}, fmt.Errorf("%w: WAV fmt chunk of %d bytes is too short", ErrFormat, len(c))
	}
	f := wavFormat{
		tag:      binary.LittleEndian.Uint16(c[0:2]),
		channels: int(binary.LittleEndian.Uint16(c[2:4])),
		rate:     int(binary.LittleEndian.Uint32(c[4:8])),
		bits:     int(binary.LittleEndian.Uint16(c[14:16])),
	}
	if f.tag == wavExtensible {
		if len(c) < 40 || string(c[26:40]) != string(wavGUIDTail) {
			return f, fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE WAV with an unknown sub-format", ErrFormat)
		}
		f.tag = binary.LittleEndian.Uint16(c[24:26])
	}
	switch {
	case f.tag == wavPCM && (f.bits == 8 || f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.tag == wavFloat && (f.bits == 32 || f.bits == 64):
	case f.tag == wavPCM || f.tag == wavFloat:
		return f, fmt.Errorf("%w: %d-bit %s WAV", ErrFormat, f.bits, map[uint16]string{wavPCM: "PCM", wavFloat: "float"}[f.tag])
	default:
		return f, fmt.Errorf("%w: compressed WAV (format tag 0x%04X)", ErrFormat, f.tag)
	}
	if f.channels < 1 || f.channels > 8 {
		return f, fmt.Errorf("%w: WAV with %d channels", ErrFormat, f.channels)
	}
	if f.rate < minRate || f.rate > maxRate {
		return f, fmt.Errorf("%w: WAV at %d Hz", ErrFormat, f.rate)
	}
	return f, nil
}

// mono is the first frames frames of data mixed down to one channel (the
// mean of the channels).
func (f wavFormat) mono(data []byte, frames int) []float32 {
	width := f.bits / 8
	frameSize := width * f.channels
	out := make([]float32, frames)
	scale := 1 / float64(f.channels)
	for i := range out {
		frame := data[i*frameSize : (i+1)*frameSize]
		var sum float64
		for c := 0; c < f.channels; c++ {
			sum += wavSample(frame[c*width:(c+1)*width], f.tag, f.bits)
		}
		out[i] = float32(sum * scale)
	}
	return out
}

// wavSample converts one sample to [-1, 1]. A float sample that is NaN or
// infinite becomes 0 rather than poisoning the mix, and one beyond full
// scale is clipped to it (as any player would when it plays the file).
func wavSample(s []byte, tag uint16, bits int) float64 {
	switch {
	case tag == wavFloat && bits == 32:
		return finite(float64(math.Float32frombits(binary.LittleEndian.Uint32(s))))
	case tag == wavFloat:
		return finite(math.Float64frombits(binary.LittleEndian.Uint64(s)))
	case bits == 8:
		return (float64(s[0]) - 128) / 128
	case bits == 16:
		return float64(int16(binary.LittleEndian.Uint16(s))) / (1 << 15)
	case bits == 24:
		v := int32(uint32(s[0])<<8|uint32(s[1])<<16|uint32(s[2])<<24) >> 8
		return float64(v) / (1 << 23)
	default:
		return float64(int32(binary.LittleEndian.Uint32(s))) / (1 << 31)
	}
}

func finite(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return max(-1, min(1, v))
}
