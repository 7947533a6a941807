package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	gomp3 "github.com/hajimehoshi/go-mp3"
)

// mp3DecoderDelay is the delay, in samples, of go-mp3's synthesis (the
// standard MPEG Layer III decoder delay: the first 529 output samples lie
// before the first encoded one). Together with the LAME tag's encoder delay
// it says how many leading samples to drop; measured with an impulse in
// TestMP3Gapless.
const mp3DecoderDelay = 529

// mp3Header is the part of an MPEG audio frame header that matters here.
type mp3Header struct {
	version int // 1 (MPEG-1), 2 (MPEG-2) or 25 (MPEG-2.5)
	layer   int // 1, 2 or 3
	crc     bool
	rate    int
	mono    bool
	size    int // the frame's length in bytes
	spf     int // samples per channel per frame
}

var mp3Bitrates = map[[2]int][15]int{ // {version 1 or 2, layer} -> kbit/s
	{1, 1}: {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
	{1, 2}: {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
	{1, 3}: {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
	{2, 1}: {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
	{2, 2}: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
	{2, 3}: {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
}

var mp3Rates = map[int][3]int{1: {44100, 48000, 32000}, 2: {22050, 24000, 16000}, 25: {11025, 12000, 8000}}

// parseMP3Header parses the 4 bytes at b. It refuses free-format frames
// (bitrate index 0), whose length cannot be known from the header.
func parseMP3Header(b []byte) (mp3Header, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return mp3Header{}, false
	}
	var h mp3Header
	switch (b[1] >> 3) & 3 {
	case 0:
		h.version = 25
	case 2:
		h.version = 2
	case 3:
		h.version = 1
	default:
		return mp3Header{}, false
	}
	h.layer = 4 - int((b[1]>>1)&3)
	if h.layer == 4 {
		return mp3Header{}, false
	}
	h.crc = b[1]&1 == 0
	bri, sri := int(b[2]>>4), int((b[2]>>2)&3)
	if bri == 0 || bri == 15 || sri == 3 || b[3]&3 == 2 {
		return mp3Header{}, false
	}
	tv := h.version
	if tv == 25 {
		tv = 2
	}
	br := mp3Bitrates[[2]int{tv, h.layer}][bri] * 1000
	h.rate = mp3Rates[h.version][sri]
	pad := int((b[2] >> 1) & 1)
	h.mono = b[3]>>6 == 3
	switch {
	case h.layer == 1:
		h.size, h.spf = (12*br/h.rate+pad)*4, 384
	case h.layer == 2 || h.version == 1:
		h.size, h.spf = 144*br/h.rate+pad, 1152
	default:
		h.size, h.spf = 72*br/h.rate+pad, 576
	}
	if h.layer == 2 && h.version != 1 {
		h.spf = 1152
	}
	return h, h.size >= 4
}

// same reports whether two frames belong to one stream.
func (h mp3Header) same(o mp3Header) bool {
	return h.version == o.version && h.layer == o.layer && h.rate == o.rate
}

// findMP3Frame returns the offset of the first frame at or after off that
// is followed by another frame of the same stream (or ends the file
// exactly), so that a stray 0xFFF pattern in a tag is not taken for audio.
func findMP3Frame(b []byte, off, limit int, like *mp3Header) (int, mp3Header, bool) {
	for i := off; i+4 <= len(b) && i < limit; i++ {
		if b[i] != 0xFF {
			continue
		}
		h, ok := parseMP3Header(b[i:])
		if !ok || (like != nil && !h.same(*like)) {
			continue
		}
		next := i + h.size
		if next == len(b) {
			return i, h, true
		}
		if next > len(b) {
			continue
		}
		if h2, ok := parseMP3Header(b[next:]); ok && h2.same(h) {
			return i, h, true
		}
	}
	return 0, mp3Header{}, false
}

// skipID3v2 returns the offset just after the ID3v2 tags at the start of b.
func skipID3v2(b []byte) (int, error) {
	off := 0
	for len(b)-off >= 10 && string(b[off:off+3]) == "ID3" {
		s := b[off+6 : off+10]
		if s[0]|s[1]|s[2]|s[3] >= 0x80 {
			return 0, fmt.Errorf("%w: damaged ID3v2 tag", ErrFormat)
		}
		size := 10 + (int(s[0])<<21 | int(s[1])<<14 | int(s[2])<<7 | int(s[3]))
		if b[off+5]&0x10 != 0 { // footer present
			size += 10
		}
		if off+size > len(b) {
			return 0, fmt.Errorf("%w: the ID3v2 tag claims %d bytes, more than the file has (truncated?)", ErrFormat, size)
		}
		off += size
	}
	return off, nil
}

// gapless is what the first frame's Xing/Info and LAME tags say.
type gapless struct {
	tagFrame bool // the first frame is a Xing/Info/VBRI tag, not audio
	frames   int  // audio frames according to the tag, or 0
	lame     bool // delay and padding are known
	delay    int  // encoder delay in samples
	padding  int  // encoder padding in samples
}

// readGapless reads the Xing/Info (with LAME extension) or VBRI tag of the
// first frame f, whose header is h.
func readGapless(f []byte, h mp3Header) gapless {
	var g gapless
	side := map[[2]bool]int{{true, true}: 17, {true, false}: 32, {false, true}: 9, {false, false}: 17}[[2]bool{h.version == 1, h.mono}]
	p := 4 + side
	if h.crc {
		p += 2
	}
	if len(f) >= 4+32+26 && string(f[36:40]) == "VBRI" {
		g.tagFrame = true
		g.frames = int(binary.BigEndian.Uint32(f[36+14:]))
		return g
	}
	if len(f) < p+8 || (string(f[p:p+4]) != "Xing" && string(f[p:p+4]) != "Info") {
		return g
	}
	g.tagFrame = true
	flags := binary.BigEndian.Uint32(f[p+4:])
	p += 8
	if flags&1 != 0 && len(f) >= p+4 {
		g.frames = int(binary.BigEndian.Uint32(f[p:]))
		p += 4
	}
	for _, skip := range []struct {
		bit uint32
		n   int
	}{{2, 4}, {4, 100}, {8, 4}} {
		if flags&skip.bit != 0 {
			p += skip.n
		}
	}
	if len(f) < p+24 {
		return g
	}
	switch string(f[p : p+4]) {
	case "LAME", "Lavf", "Lavc":
		d := f[p+21 : p+24]
		g.delay = int(d[0])<<4 | int(d[1])>>4
		g.padding = int(d[1]&0x0F)<<8 | int(d[2])
		g.lame = true
	}
	return g
}

// decodeMP3 decodes an MPEG-1 or MPEG-2 Layer III file with go-mp3. It walks
// the frames itself first: to give a clear error for what go-mp3 refuses
// (MPEG-2.5, Layer I/II, no frames at all), to hand go-mp3 only whole audio
// frames (no tags, no junk, no tag frame, no cut-off last frame), and to
// know from the LAME tag how many samples to trim at both ends.
func decodeMP3(b []byte, maxLen time.Duration) (pcm, error) {
	start, err := skipID3v2(b)
	if err != nil {
		return pcm{}, err
	}
	off, h, err := firstMP3Frame(b, start)
	if err != nil {
		return pcm{}, err
	}
	g := readGapless(b[off:off+min(h.size, len(b)-off)], h)
	if g.tagFrame {
		off = min(off+h.size, len(b)) // a tag frame cut short holds the file's end
	}
	fw := walkMP3Frames(b, off, h)
	if fw.frames == 0 {
		return pcm{}, fmt.Errorf("%w: the MP3 file holds no whole audio frame", ErrFormat)
	}
	skip, want := g.trim(fw.frames, h.spf)
	if limit := maxSamples(maxLen, h.rate); want > limit {
		return pcm{}, tooLong(want, h.rate, maxLen)
	}
	samples, damaged, err := runGoMP3(fw.clean, skip, want)
	if err != nil {
		return pcm{}, err
	}
	if len(samples) == 0 {
		return pcm{}, fmt.Errorf("%w: the MP3 file holds no audio", ErrFormat)
	}
	secs := float64(len(samples)) / float64(h.rate)
	return pcm{samples: samples, rate: h.rate, warning: fw.warning(g, damaged, secs)}, nil
}

// firstMP3Frame finds the first audio frame at or after start (within 64
// KiB) and checks that the decoder can read its kind.
func firstMP3Frame(b []byte, start int) (int, mp3Header, error) {
	off, h, ok := findMP3Frame(b, start, start+64<<10, nil)
	switch {
	case !ok && len(b)-start < 4:
		return 0, h, fmt.Errorf("%w: the file holds no audio after its ID3 tag", ErrFormat)
	case !ok:
		return 0, h, fmt.Errorf("%w: no MP3 audio frames found (not an MP3 file, or a damaged one)", ErrFormat)
	case h.version == 25:
		return 0, h, fmt.Errorf("%w: MPEG-2.5 MP3 at %d Hz, which the MP3 decoder cannot read; "+
			"re-encode it, e.g. ffmpeg -i IN.mp3 -ar 44100 -ac 1 OUT.wav", ErrFormat, h.rate)
	case h.layer != 3:
		return 0, h, fmt.Errorf("%w: MPEG Layer %s audio (MP%d), not Layer III (MP3)", ErrFormat,
			[]string{"", "I", "II"}[h.layer], h.layer)
	}
	return off, h, nil
}

// mp3Walk is what walkMP3Frames found: the whole audio frames like the
// first, back to back (clean), how many, whether the last was cut off,
// and how many bytes of unreadable stretches were skipped.
type mp3Walk struct {
	clean  []byte
	frames int
	cutOff bool
	junk   int
}

// walkMP3Frames collects the audio frames from off on that are like h,
// skipping unreadable stretches and a trailing tag.
func walkMP3Frames(b []byte, off int, h mp3Header) mp3Walk {
	var w mp3Walk
	span := off // the start of the run of frames not yet in clean
	for off < len(b) {
		fh, ok := parseMP3Header(b[off:])
		if ok && fh.same(h) {
			if off+fh.size > len(b) {
				w.cutOff = true
				break
			}
			off += fh.size
			w.frames++
			continue
		}
		w.clean = append(w.clean, b[span:off]...)
		if isTrailingTag(b[off:]) {
			return w
		}
		next, _, found := findMP3Frame(b, off+1, len(b), &h)
		if !found {
			w.junk += len(b) - off
			return w
		}
		w.junk += next - off
		off, span = next, next
	}
	w.clean = append(w.clean, b[span:off]...)
	return w
}

// trim is what the encoder put in, per its LAME tag, of frames frames of
// spf samples: the samples to skip (its delay and the decoder's) and how
// many to keep (its padding at the end dropped). The tag's frame count is
// a claim; what the file holds is a fact.
func (g gapless) trim(frames, spf int) (skip, want int) {
	want = frames * spf
	if g.lame {
		total := frames
		if g.frames > 0 {
			total = g.frames
		}
		if n := total*spf - g.delay - g.padding; n > 0 && g.delay+mp3DecoderDelay < total*spf {
			skip, want = g.delay+mp3DecoderDelay, n
		}
	}
	return skip, max(0, min(want, frames*spf-skip))
}

// warning says what of the file could not be played as it should, if
// anything: secs of audio decoded.
func (w mp3Walk) warning(g gapless, damaged bool, secs float64) string {
	switch {
	case w.cutOff || g.frames > w.frames:
		s := fmt.Sprintf("truncated: %.2f s of audio decoded", secs)
		if g.frames > w.frames {
			s += fmt.Sprintf(", its header promises %d frames but it holds %d", g.frames, w.frames)
		}
		return s + "; playing what is there (re-export the file to fix it)"
	case damaged:
		return fmt.Sprintf("damaged: decoding stopped after %.2f s; playing that much (re-export the file to fix it)", secs)
	case w.junk > 0:
		return fmt.Sprintf("%d bytes of unreadable data skipped (damaged file?)", w.junk)
	}
	return ""
}

// isTrailingTag reports whether b starts with a tag that may follow the
// audio of an MP3 file.
func isTrailingTag(b []byte) bool {
	for _, t := range []string{"TAG", "APETAGEX", "LYRICSBEGIN", "ID3"} {
		if bytes.HasPrefix(b, []byte(t)) {
			return true
		}
	}
	return false
}

// onlyReader hides every method but Read, so that go-mp3 does not scan
// the whole stream for its length up front (it has no use here).
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// runGoMP3 decodes whole Layer III frames to mono, dropping skip samples
// and keeping at most want after them. A frame that fails to decode after
// some audio ends the clip there (damaged is then true). A panic inside
// go-mp3 (it trusts some header fields) becomes an ErrFormat error.
func runGoMP3(frames []byte, skip, want int) (out []float32, damaged bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, damaged, err = nil, false, fmt.Errorf("%w: the MP3 decoder failed on damaged data (%v)", ErrFormat, r)
		}
	}()
	d, err := gomp3.NewDecoder(onlyReader{bytes.NewReader(frames)})
	if err != nil {
		return nil, false, fmt.Errorf("%w: MP3 decoder: %v", ErrFormat, err)
	}
	out = make([]float32, 0, want)
	buf := make([]byte, 1152*4*8)
	pos := 0 // stereo frames decoded so far
	for len(out) < want {
		n, rerr := io.ReadFull(d, buf)
		n -= n % 4
		for i := 0; i+4 <= n && len(out) < want; i += 4 {
			if pos++; pos <= skip {
				continue
			}
			l := int16(binary.LittleEndian.Uint16(buf[i:]))
			r := int16(binary.LittleEndian.Uint16(buf[i+2:]))
			out = append(out, float32(int32(l)+int32(r))/65536)
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
				break
			}
			if len(out) == 0 {
				return nil, false, fmt.Errorf("%w: MP3 decoder: %v", ErrFormat, rerr)
			}
			return out, true, nil // a damaged frame: keep what was decoded
		}
	}
	return out, false, nil
}
