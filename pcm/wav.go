package pcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// WAVHeader returns the canonical header of a WAV file of frames frames
// (-1: unknown, 0xFFFFFFFF in the sizes, which players and ffmpeg take for
// a stream) of channels channels at rate: a 16-byte PCM fmt chunk for
// 16-bit samples, or an 18-byte IEEE-float fmt chunk and the fact chunk
// non-PCM files require for 32-bit float (float). cued's renders, the
// recorder and the test and bench tools all write this one header.
func WAVHeader(float bool, rate, channels, frames int) []byte {
	width, tag, fmtLen := 2, uint16(1), uint32(16)
	extra := uint32(0)
	if float {
		width, tag, fmtLen, extra = 4, 3, 18, 12 // extra: the fact chunk
	}
	const unknown = 0xFFFFFFFF
	data, riff, nframes := uint32(unknown), uint32(unknown), uint32(unknown)
	if frames >= 0 {
		nframes = uint32(frames)
		data = uint32(frames * channels * width)
		riff = 4 + 8 + fmtLen + extra + 8 + data
	}
	le := binary.LittleEndian
	h := make([]byte, 0, 58)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, riff)
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, fmtLen)
	h = le.AppendUint16(h, tag)
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*channels*width))
	h = le.AppendUint16(h, uint16(channels*width))
	h = le.AppendUint16(h, uint16(8*width))
	if float {
		h = le.AppendUint16(h, 0) // cbSize
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		h = le.AppendUint32(h, nframes)
	}
	h = append(h, "data"...)
	return le.AppendUint32(h, data)
}

// WAV is a decoded WAV file of cued's own making (a render, a recording):
// one slice of samples per channel, scaled to [-1, 1) (16-bit samples are
// divided by 32768, so full scale is exactly -1 and 32767/32768).
//
// The voice package reads the user's clips with a decoder of its own
// (voice/wav.go): those files come from anywhere, in every variant of the
// format, and each problem must be said to the user; this reader serves
// the checks and tools that read what cued wrote.
type WAV struct {
	Rate  int
	Chans [][]float64
	// Bits is 16 for integer PCM, 32 for float.
	Bits int
}

// Len is the number of frames.
func (a *WAV) Len() int {
	if len(a.Chans) == 0 {
		return 0
	}
	return len(a.Chans[0])
}

// Mono is the average of the channels.
func (a *WAV) Mono() []float64 {
	n := a.Len()
	out := make([]float64, n)
	for _, c := range a.Chans {
		for i, v := range c[:n] {
			out[i] += v
		}
	}
	k := 1 / float64(len(a.Chans))
	for i := range out {
		out[i] *= k
	}
	return out
}

// ParseWAV decodes a WAV file held in memory: 16-bit PCM or 32-bit float
// (also as WAVE_FORMAT_EXTENSIBLE), 1 to 8 channels. A data chunk whose
// size is 0 or 0xFFFFFFFF (a recording cut short, or a stream) is read to
// the end of the file.
func ParseWAV(b []byte) (*WAV, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a RIFF/WAVE file")
	}
	var format, chans, bits, rate int
	haveFmt := false
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		body := p + 8
		switch id {
		case "fmt ":
			if body+16 > len(b) {
				return nil, io.ErrUnexpectedEOF
			}
			format = int(binary.LittleEndian.Uint16(b[body:]))
			chans = int(binary.LittleEndian.Uint16(b[body+2:]))
			rate = int(binary.LittleEndian.Uint32(b[body+4:]))
			bits = int(binary.LittleEndian.Uint16(b[body+14:]))
			if format == 0xFFFE && size >= 40 && body+26 <= len(b) {
				format = int(binary.LittleEndian.Uint16(b[body+24:]))
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, errors.New("data chunk before fmt chunk")
			}
			end := body + size
			if size == 0 || uint32(size) == 0xFFFFFFFF || end > len(b) || end < body {
				end = len(b)
			}
			return decodeWAV(b[body:end], format, chans, bits, rate)
		}
		p = body + size + size&1
		if p < body { // a size that wraps
			break
		}
	}
	return nil, errors.New("no data chunk")
}

func decodeWAV(d []byte, format, chans, bits, rate int) (*WAV, error) {
	if chans < 1 || chans > 8 || rate <= 0 {
		return nil, fmt.Errorf("bad format: %d channels at %d Hz", chans, rate)
	}
	a := &WAV{Rate: rate, Bits: bits, Chans: make([][]float64, chans)}
	var width int
	var sample func(b []byte) float64
	switch {
	case format == 1 && bits == 16:
		width = 2
		sample = func(b []byte) float64 { return float64(int16(binary.LittleEndian.Uint16(b))) / 32768 }
	case format == 3 && bits == 32:
		width = 4
		sample = func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	default:
		return nil, fmt.Errorf("unsupported WAV encoding: format %d, %d bits (want 16-bit PCM or 32-bit float)", format, bits)
	}
	n := len(d) / (width * chans)
	for c := range a.Chans {
		a.Chans[c] = make([]float64, n)
	}
	for i := range n {
		for c := range chans {
			a.Chans[c][i] = sample(d[width*(i*chans+c):])
		}
	}
	return a, nil
}
