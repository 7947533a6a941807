package voice

import (
	"bytes"
	"fmt"
	"time"
)

// decoderVersion is part of the cache key: bump it whenever decode returns
// different samples for the same file (e.g. a change to the gapless trim).
const decoderVersion = 1

// The sample rates a WAV file and Options.Rate may have.
const (
	minRate = 8000
	maxRate = 192000
)

// pcm is a decoded clip: mono samples at their own rate, and a warning for
// a file that loaded but is damaged (e.g. truncated).
type pcm struct {
	samples []float32
	rate    int
	warning string
}

// decode decodes a whole clip file, judging the format by its content (so
// a WAV named .mp3 still loads), and mixes it down to mono. It refuses a
// clip longer than maxLen. Every error wraps ErrFormat or ErrTooLong.
func decode(data []byte, maxLen time.Duration) (pcm, error) {
	switch {
	case len(data) == 0:
		return pcm{}, fmt.Errorf("%w: the file is empty", ErrFormat)
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WAVE":
		return decodeWAV(data, maxLen)
	case hasPrefix(data, "RIFX"), hasPrefix(data, "RF64"), hasPrefix(data, "BW64"):
		return pcm{}, fmt.Errorf("%w: %s WAV files are not supported", ErrFormat, data[:4])
	case hasPrefix(data, "OggS"):
		return pcm{}, fmt.Errorf("%w: Ogg (Vorbis/Opus) files are not supported", ErrFormat)
	case hasPrefix(data, "fLaC"):
		return pcm{}, fmt.Errorf("%w: FLAC files are not supported", ErrFormat)
	case len(data) >= 8 && string(data[4:8]) == "ftyp":
		return pcm{}, fmt.Errorf("%w: MP4/M4A (AAC) files are not supported", ErrFormat)
	case hasPrefix(data, "FORM"):
		return pcm{}, fmt.Errorf("%w: AIFF files are not supported", ErrFormat)
	case looksLikeText(data):
		return pcm{}, fmt.Errorf("%w: the file holds text (an HTML page or an error message?), not audio", ErrFormat)
	}
	return decodeMP3(data, maxLen)
}

func hasPrefix(b []byte, p string) bool { return bytes.HasPrefix(b, []byte(p)) }

// looksLikeText reports whether the file starts with printable text and
// no MP3 or ID3 marker: a web page or an error message saved as a clip.
func looksLikeText(b []byte) bool {
	if hasPrefix(b, "ID3") || (len(b) > 1 && b[0] == 0xFF && b[1]&0xE0 == 0xE0) {
		return false
	}
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	n := min(len(b), 256)
	if n == 0 {
		return false
	}
	for _, c := range b[:n] {
		if c < 0x09 || (c > 0x0D && c < 0x20) || c == 0x7F {
			return false
		}
	}
	return true
}

// maxSamples is the number of samples maxLen lasts at rate.
func maxSamples(maxLen time.Duration, rate int) int {
	return int(int64(maxLen) * int64(rate) / int64(time.Second))
}

// tooLong is the error for a clip of n samples or more at rate.
func tooLong(n, rate int, maxLen time.Duration) error {
	return fmt.Errorf("%w: at least %.1f s, more than the %v a clip may last",
		ErrTooLong, float64(n)/float64(rate), maxLen)
}
