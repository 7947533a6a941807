// Package wavio reads and writes the mono WAV clips the benchmark tools
// exchange: 16-bit PCM or 32-bit float, little-endian.
package wavio

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/cued-dev/cued/pcm"
)

// Read returns the samples of a WAV file as mono float32 (channels
// averaged) and its sample rate (pcm.ParseWAV).
func Read(path string) ([]float32, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	w, err := pcm.ParseWAV(b)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	mono := w.Mono()
	out := make([]float32, len(mono))
	for i, v := range mono {
		out[i] = float32(v)
	}
	return out, w.Rate, nil
}

// WriteMono16 writes samples as a mono 16-bit WAV file.
func WriteMono16(path string, s []float32, rate int) error {
	h := pcm.WAVHeader(false, rate, 1, len(s))
	for _, v := range s {
		h = binary.LittleEndian.AppendUint16(h, uint16(pcm.S16(float64(v))))
	}
	return os.WriteFile(path, h, 0o644)
}
