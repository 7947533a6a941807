package soundcheck

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/cued-dev/cued/pcm"
)

// Audio is a decoded sound file (see pcm.WAV, whose reader this is).
type Audio = pcm.WAV

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

// ParseWAV decodes a WAV file held in memory (pcm.ParseWAV).
func ParseWAV(b []byte) (*Audio, error) { return pcm.ParseWAV(b) }

// WriteWAV16 writes a 16-bit PCM WAV file of the channels (all the same
// length), clamping to full scale: for tests and for saving what was
// analysed.
func WriteWAV16(w io.Writer, rate int, chans ...[]float64) error {
	n := 0
	if len(chans) > 0 {
		n = len(chans[0])
	}
	nc := len(chans)
	data := append(pcm.WAVHeader(false, rate, nc, n), make([]byte, 2*n*nc)...)
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
