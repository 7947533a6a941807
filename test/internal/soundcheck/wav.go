package soundcheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/cued-dev/cued/pcm"
)

// Audio is a decoded sound file: one slice of samples per channel, scaled
// to [-1, 1) (16-bit PCM is divided by 32768, so full scale is exactly
// -1 and 32767/32768).
type Audio struct {
	Rate  int
	Chans [][]float64
	// Bits is 16 for integer PCM, 32 for float.
	Bits int
}

// Len is the number of frames.
func (a *Audio) Len() int {
	if len(a.Chans) == 0 {
		return 0
	}
	return len(a.Chans[0])
}

// Mono is the average of the channels.
func (a *Audio) Mono() []float64 {
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

// ReadWAVFile reads a WAV file: 16-bit PCM or 32-bit float, any number of
// channels. A data chunk whose size is 0 or 0xFFFFFFFF (a recording cut
// short, or a stream) is read to the end of the file.
func ReadWAVFile(path string) (*Audio, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := ParseWAV(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// ParseWAV decodes a WAV file held in memory.
func ParseWAV(b []byte) (*Audio, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a RIFF/WAVE file")
	}
	var (
		format, chans, bits int
		rate                int
		haveFmt             bool
	)
	p := 12
	for p+8 <= len(b) {
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
			if size == 0 || uint32(size) == 0xFFFFFFFF || end > len(b) {
				end = len(b)
			}
			return decode(b[body:end], format, chans, bits, rate)
		}
		p = body + size + size&1
	}
	return nil, errors.New("no data chunk")
}

func decode(d []byte, format, chans, bits, rate int) (*Audio, error) {
	if chans < 1 || chans > 8 || rate <= 0 {
		return nil, fmt.Errorf("bad format: %d channels at %d Hz", chans, rate)
	}
	a := &Audio{Rate: rate, Bits: bits, Chans: make([][]float64, chans)}
	switch {
	case format == 1 && bits == 16:
		n := len(d) / (2 * chans)
		for c := range a.Chans {
			a.Chans[c] = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			for c := 0; c < chans; c++ {
				v := int16(binary.LittleEndian.Uint16(d[2*(i*chans+c):]))
				a.Chans[c][i] = float64(v) / 32768
			}
		}
	case format == 3 && bits == 32:
		n := len(d) / (4 * chans)
		for c := range a.Chans {
			a.Chans[c] = make([]float64, n)
		}
		for i := 0; i < n; i++ {
			for c := 0; c < chans; c++ {
				a.Chans[c][i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(d[4*(i*chans+c):])))
			}
		}
	default:
		return nil, fmt.Errorf("unsupported WAV encoding: format %d, %d bits (want 16-bit PCM or 32-bit float)", format, bits)
	}
	return a, nil
}

// WriteWAV16 writes a 16-bit PCM WAV file of the channels (all the same
// length), clamping to full scale: for tests and for saving what was
// analysed.
func WriteWAV16(w io.Writer, rate int, chans ...[]float64) error {
	n := 0
	if len(chans) > 0 {
		n = len(chans[0])
	}
	nc := len(chans)
	data := make([]byte, 44+2*n*nc)
	copy(data, "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*n*nc))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1)
	binary.LittleEndian.PutUint16(data[22:], uint16(nc))
	binary.LittleEndian.PutUint32(data[24:], uint32(rate))
	binary.LittleEndian.PutUint32(data[28:], uint32(rate*2*nc))
	binary.LittleEndian.PutUint16(data[32:], uint16(2*nc))
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*n*nc))
	for i := 0; i < n; i++ {
		for c := range chans {
			binary.LittleEndian.PutUint16(data[44+2*(i*nc+c):], uint16(Quantise(chans[c][i])))
		}
	}
	_, err := w.Write(data)
	return err
}

// Quantise converts a sample to 16 bits as cued's outputs do (pcm.S16).
func Quantise(v float64) int16 { return pcm.S16(v) }
