// Package wavio reads and writes the mono WAV clips the benchmark tools
// exchange: 16-bit PCM or 32-bit float, little-endian.
package wavio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/cued-dev/cued/pcm"
)

// Read returns the samples of a WAV file as mono float32 (channels
// averaged) and its sample rate.
func Read(path string) ([]float32, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("%s: not a WAV file", path)
	}
	le := binary.LittleEndian
	var tag, ch, bits uint16
	var rate uint32
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(le.Uint32(b[p+4:]))
		body := b[p+8:]
		switch id {
		case "fmt ":
			if len(body) < 16 {
				return nil, 0, fmt.Errorf("%s: short fmt chunk", path)
			}
			tag, ch, rate, bits = le.Uint16(body), le.Uint16(body[2:]), le.Uint32(body[4:]), le.Uint16(body[14:])
		case "data":
			if ch == 0 {
				return nil, 0, fmt.Errorf("%s: data before fmt", path)
			}
			size = min(size, len(body))
			return decode(body[:size], tag, int(ch), bits, path, int(rate))
		}
		p += 8 + size + size%2
	}
	return nil, 0, errors.New(path + ": no data chunk")
}

func decode(d []byte, tag uint16, ch int, bits uint16, path string, rate int) ([]float32, int, error) {
	le := binary.LittleEndian
	switch {
	case tag == 1 && bits == 16:
		n := len(d) / (2 * ch)
		out := make([]float32, n)
		for i := range out {
			s := 0.0
			for c := range ch {
				s += float64(int16(le.Uint16(d[2*(i*ch+c):]))) / 32768
			}
			out[i] = float32(s / float64(ch))
		}
		return out, rate, nil
	case tag == 3 && bits == 32:
		n := len(d) / (4 * ch)
		out := make([]float32, n)
		for i := range out {
			s := 0.0
			for c := range ch {
				s += float64(math.Float32frombits(le.Uint32(d[4*(i*ch+c):])))
			}
			out[i] = float32(s / float64(ch))
		}
		return out, rate, nil
	}
	return nil, 0, fmt.Errorf("%s: format %d with %d bits is not supported (16-bit PCM or 32-bit float)", path, tag, bits)
}

// WriteMono16 writes samples as a mono 16-bit WAV file.
func WriteMono16(path string, s []float32, rate int) error {
	le := binary.LittleEndian
	h := make([]byte, 0, 44+2*len(s))
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, uint32(36+2*len(s)))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, 16)
	h = le.AppendUint16(h, 1)
	h = le.AppendUint16(h, 1)
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(2*rate))
	h = le.AppendUint16(h, 2)
	h = le.AppendUint16(h, 16)
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(2*len(s)))
	for _, v := range s {
		h = le.AppendUint16(h, uint16(pcm.S16(float64(v))))
	}
	return os.WriteFile(path, h, 0o644)
}
