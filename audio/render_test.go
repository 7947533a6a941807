package audio

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gopxl/beep/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/render.golden")

func testSession(t testing.TB, rate int) *Session {
	tl, clips := separated(rate)
	s, err := NewSession(tl, clips, testOptions(rate))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wavFields reads the fields of a canonical header as Render writes it.
type wavFields struct {
	riff, fmtLen          uint32
	tag, ch               uint16
	rate, byteRate        uint32
	align, bits           uint16
	fact, dataLen, offset uint32
}

func readHeader(t *testing.T, b []byte) wavFields {
	t.Helper()
	le := binary.LittleEndian
	if string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " {
		t.Fatalf("not a WAV header: %q", b[:16])
	}
	h := wavFields{riff: le.Uint32(b[4:]), fmtLen: le.Uint32(b[16:]), tag: le.Uint16(b[20:]), ch: le.Uint16(b[22:]),
		rate: le.Uint32(b[24:]), byteRate: le.Uint32(b[28:]), align: le.Uint16(b[32:]), bits: le.Uint16(b[34:])}
	at := 20 + h.fmtLen
	if string(b[at:at+4]) == "fact" {
		h.fact = le.Uint32(b[at+8:])
		at += 12
	}
	if string(b[at:at+4]) != "data" {
		t.Fatalf("no data chunk at %d", at)
	}
	h.dataLen, h.offset = le.Uint32(b[at+4:]), at+8
	return h
}

func TestRenderFormats(t *testing.T) {
	s := testSession(t, 48000)
	frames := s.Len()
	render := func(enc Encoding) []byte {
		_ = s.Seek(0)
		var buf bytes.Buffer
		if err := Render(&buf, s, s.Format(), enc); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	raw := render(RawS16LE)
	if len(raw) != 4*frames {
		t.Fatalf("raw: %d bytes for %d frames", len(raw), frames)
	}
	w16 := render(WAV16)
	h := readHeader(t, w16)
	want := wavFields{riff: uint32(len(w16) - 8), fmtLen: 16, tag: 1, ch: 2, rate: 48000, byteRate: 48000 * 4,
		align: 4, bits: 16, dataLen: uint32(4 * frames), offset: 44}
	if h != want {
		t.Fatalf("s16 header %+v, want %+v", h, want)
	}
	if !bytes.Equal(w16[h.offset:], raw) {
		t.Fatal("WAV16 data differs from the raw render")
	}
	f32 := render(WAVFloat32)
	h = readHeader(t, f32)
	want = wavFields{riff: uint32(len(f32) - 8), fmtLen: 18, tag: 3, ch: 2, rate: 48000, byteRate: 48000 * 8,
		align: 8, bits: 32, fact: uint32(frames), dataLen: uint32(8 * frames), offset: 58}
	if h != want {
		t.Fatalf("f32 header %+v, want %+v", h, want)
	}
	_ = s.Seek(0)
	whole := renderAll(t, s)
	for i, f := range whole {
		l := math.Float32frombits(binary.LittleEndian.Uint32(f32[58+8*i:]))
		q := int16(binary.LittleEndian.Uint16(raw[4*i:]))
		if float64(l) != f[0] || q != int16(max(min(f[0], 1), -1)*32767) {
			t.Fatalf("frame %d: f32 %g, s16 %d; mix %g", i, l, q, f[0])
		}
	}
	// Mono: half the bytes, the same values.
	_ = s.Seek(0)
	var mono bytes.Buffer
	if err := Render(&mono, s, beep.Format{SampleRate: 48000, NumChannels: 1}, RawS16LE); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < frames; i += 997 {
		if !bytes.Equal(mono.Bytes()[2*i:2*i+2], raw[4*i:4*i+2]) {
			t.Fatalf("mono frame %d differs", i)
		}
	}
	if _, err := ParseEncoding("mp3"); err == nil {
		t.Fatal("mp3 accepted")
	}
	for _, e := range []Encoding{WAV16, WAVFloat32, RawS16LE} {
		if p, err := ParseEncoding(e.String()); err != nil || p != e {
			t.Fatalf("%v does not round-trip", e)
		}
	}
}

// TestRenderIsWhatTheSpeakerPlays pulls the session the way beep's speaker
// does (through a beep.Mixer, in buffers of the speaker's size, quantised
// with the speaker's formula) and compares with a raw render.
func TestRenderIsWhatTheSpeakerPlays(t *testing.T) {
	s := testSession(t, 44100)
	var raw bytes.Buffer
	if err := Render(&raw, s, s.Format(), RawS16LE); err != nil {
		t.Fatal(err)
	}
	_ = s.Seek(0)
	var mixer beep.Mixer
	mixer.KeepAlive(false)
	mixer.Add(s)
	var pulled []byte
	buf := make([][2]float64, 882) // 40 ms at 44.1 kHz, halved as speaker.Init does
	for {
		n, ok := mixer.Stream(buf)
		for _, f := range buf[:n] {
			for c := range 2 {
				v := int16(max(min(f[c], 1), -1) * (1<<15 - 1)) // speaker.go's conversion
				pulled = binary.LittleEndian.AppendUint16(pulled, uint16(v))
			}
		}
		if !ok || len(pulled) >= raw.Len() {
			break
		}
	}
	if !bytes.Equal(pulled[:raw.Len()], raw.Bytes()) {
		t.Fatal("the speaker would play other bytes than the render")
	}
}

// plain hides a streamer's Len, as a generic beep.Streamer would.
type plain struct{ s beep.Streamer }

func (p plain) Stream(b [][2]float64) (int, bool) { return p.s.Stream(b) }
func (p plain) Err() error                        { return p.s.Err() }

func TestRenderUnknownLength(t *testing.T) {
	s := testSession(t, 44100)
	frames := s.Len()
	// To a buffer: the header says "unknown".
	var buf bytes.Buffer
	if err := Render(&buf, plain{s}, s.Format(), WAV16); err != nil {
		t.Fatal(err)
	}
	if h := readHeader(t, buf.Bytes()); h.dataLen != 0xFFFFFFFF || h.riff != 0xFFFFFFFF || buf.Len() != 44+4*frames {
		t.Fatalf("unknown-length header %+v, %d bytes", h, buf.Len())
	}
	// To a file: fixed up at the end.
	f, err := os.Create(filepath.Join(t.TempDir(), "out.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_ = s.Seek(0)
	if err := Render(f, plain{s}, s.Format(), WAVFloat32); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.Name())
	if h := readHeader(t, b); h.dataLen != uint32(8*frames) || h.fact != uint32(frames) || h.riff != uint32(len(b)-8) {
		t.Fatalf("fixed-up header %+v for %d bytes", h, len(b))
	}
	// To a pipe (an *os.File that cannot seek), from a Session: the
	// header comes from Len.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	_ = s.Seek(0)
	if err := Render(w, s, s.Format(), WAV16); err != nil {
		t.Fatal(err)
	}
	w.Close()
	got := <-done
	if h := readHeader(t, got); h.dataLen != uint32(4*frames) || len(got) != 44+4*frames {
		t.Fatalf("pipe: header %+v, %d bytes", h, len(got))
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(b []byte) (int, error) {
	if f.after -= len(b); f.after < 0 {
		return 0, io.ErrClosedPipe
	}
	return len(b), nil
}

func TestRenderErrors(t *testing.T) {
	s := testSession(t, 44100)
	if err := Render(&failWriter{after: 100000}, s, s.Format(), WAV16); err != io.ErrClosedPipe {
		t.Fatalf("write error: %v", err)
	}
	if err := Render(io.Discard, s, beep.Format{SampleRate: 44100, NumChannels: 3}, WAV16); err == nil {
		t.Fatal("3 channels accepted")
	}
	if err := Render(io.Discard, s, s.Format(), Encoding(9)); err == nil {
		t.Fatal("unknown encoding accepted")
	}
}

// TestGolden pins the sound: any change to a design, the duck or the
// limiter changes the checksum. Run with -update after a deliberate
// change (and listen to the result).
func TestGolden(t *testing.T) {
	s := testSession(t, 44100)
	var buf bytes.Buffer
	if err := Render(&buf, s, s.Format(), WAV16); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("sha256 %x\nbytes %d\n", sha256.Sum256(buf.Bytes()), buf.Len())
	path := filepath.Join("testdata", "render.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(os.TempDir(), "cued-golden.wav"), buf.Bytes(), 0o644); err == nil {
			t.Logf("listen: %s", filepath.Join(os.TempDir(), "cued-golden.wav"))
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		// Other architectures may fuse multiply-adds in math.Sin; the
		// checksum is kept for amd64, where it is exact on every CPU.
		if runtime.GOARCH != "amd64" {
			t.Skipf("golden checksum is for amd64; got %s", strings.TrimSpace(got))
		}
		t.Fatalf("render changed:\n got %s\nwant %s(run go test -run TestGolden -update after a deliberate change)", got, want)
	}
}
