package encode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf16"
)

// Chapter is one chapter of a file: a titled span of its audio, as the
// decoded audio counts time (the encoder's delay already removed).
type Chapter struct {
	Title      string
	Start, End time.Duration
}

// Field is a user-defined text field (an ID3 TXXX frame).
type Field struct {
	Name, Value string
}

// Tags is what a file says about itself: the session's title, who made it,
// its length, its chapters in order, and fields of its own.
type Tags struct {
	Title  string
	Album  string
	Artist string
	Length time.Duration
	Fields []Field
	// Chapters must be in order and must not overlap; each ends at or
	// before the next one's start.
	Chapters []Chapter
}

// ErrChapters is the error (wrapped) for chapters that are out of order,
// overlap, end before they start, or are more than 255.
var ErrChapters = errors.New("chapters out of order")

// check reports chapters a player could not list as given.
func (t Tags) check() error {
	if len(t.Chapters) > 255 {
		return fmt.Errorf("%w: %d chapters, more than the 255 a table of contents counts", ErrChapters, len(t.Chapters))
	}
	var prev time.Duration
	for i, c := range t.Chapters {
		if c.Start < prev || c.End < c.Start {
			return fmt.Errorf("%w: chapter %d %q spans %v-%v after one ending at %v", ErrChapters, i+1, c.Title, c.Start, c.End, prev)
		}
		if c.End.Milliseconds() > int64(^uint32(0)-1) {
			return fmt.Errorf("%w: chapter %d %q ends past what ID3 can say (49 days)", ErrChapters, i+1, c.Title)
		}
		prev = c.End
	}
	return nil
}

// ID3 returns t as an ID3v2.3 tag, the version most players read
// chapters from: TIT2, TALB, TPE1, TLEN and a TXXX per field, then a
// table of contents (CTOC, top level, ordered) whose entries are the
// chapters (CHAP, each with its TIT2), with times in milliseconds and no
// byte offsets. Text is ISO-8859-1 where it fits and UTF-16 otherwise.
func (t Tags) ID3() ([]byte, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	var body bytes.Buffer
	for _, f := range []struct{ id, text string }{{"TIT2", t.Title}, {"TALB", t.Album}, {"TPE1", t.Artist}} {
		if f.text != "" {
			body.Write(frame(f.id, textFrame(f.text)))
		}
	}
	if t.Length > 0 {
		body.Write(frame("TLEN", textFrame(strconv.FormatInt(t.Length.Milliseconds(), 10))))
	}
	for _, f := range t.Fields {
		body.Write(frame("TXXX", txxx(f)))
	}
	if len(t.Chapters) > 0 {
		body.Write(frame("CTOC", t.toc()))
		for i, c := range t.Chapters {
			body.Write(frame("CHAP", chap(chapterID(i), c)))
		}
	}
	if body.Len() >= 1<<28 {
		return nil, fmt.Errorf("the ID3 tag would be %d bytes, more than its 256 MB", body.Len())
	}
	out := make([]byte, 10, 10+body.Len())
	copy(out, "ID3\x03\x00\x00")
	putSyncsafe(out[6:], uint32(body.Len()))
	return append(out, body.Bytes()...), nil
}

// chapterID is the element ID of chapter i: the CTOC lists these.
func chapterID(i int) string { return "chp" + strconv.Itoa(i) }

// toc is the CTOC frame's body: element ID "toc", top-level and ordered,
// then the chapters' element IDs.
func (t Tags) toc() []byte {
	b := []byte("toc\x00")
	b = append(b, 0x03, byte(len(t.Chapters))) // flags: top level | ordered
	for i := range t.Chapters {
		b = append(b, chapterID(i)...)
		b = append(b, 0)
	}
	return b
}

// chap is a CHAP frame's body: element ID, start and end in ms, no byte
// offsets (0xFFFFFFFF), then the chapter's title as an embedded TIT2.
func chap(id string, c Chapter) []byte {
	b := append([]byte(id), 0)
	b = binary.BigEndian.AppendUint32(b, uint32(c.Start.Milliseconds()))
	b = binary.BigEndian.AppendUint32(b, uint32(c.End.Milliseconds()))
	b = binary.BigEndian.AppendUint32(b, ^uint32(0))
	b = binary.BigEndian.AppendUint32(b, ^uint32(0))
	return append(b, frame("TIT2", textFrame(c.Title))...)
}

// frame is an ID3v2.3 frame: its ID, its size (not syncsafe in 2.3),
// no flags, then body.
func frame(id string, body []byte) []byte {
	b := make([]byte, 10, 10+len(body))
	copy(b, id)
	binary.BigEndian.PutUint32(b[4:], uint32(len(body)))
	return append(b, body...)
}

// textFrame is a text frame's body: the encoding byte, then s.
func textFrame(s string) []byte {
	enc, text := encodeText(s)
	return append([]byte{enc}, text...)
}

// txxx is a TXXX frame's body: encoding, description, its terminator,
// value (both in the one encoding the frame allows).
func txxx(f Field) []byte {
	enc, _ := encodeText(f.Name + f.Value)
	b := []byte{enc}
	b = append(b, encodeAs(enc, f.Name)...)
	if enc == latin1 {
		b = append(b, 0)
	} else {
		b = append(b, 0, 0)
	}
	return append(b, encodeAs(enc, f.Value)...)
}

// The text encodings of ID3v2.3.
const (
	latin1   = 0 // ISO-8859-1
	utf16BOM = 1 // UTF-16 with a byte-order mark
)

// encodeText picks the encoding for s (ISO-8859-1 when every rune fits)
// and returns s in it.
func encodeText(s string) (enc byte, text []byte) {
	for _, r := range s {
		if r > 0xFF {
			return utf16BOM, encodeAs(utf16BOM, s)
		}
	}
	return latin1, encodeAs(latin1, s)
}

// encodeAs returns s in enc: ISO-8859-1 bytes, or UTF-16LE after its BOM.
func encodeAs(enc byte, s string) []byte {
	if enc == latin1 {
		b := make([]byte, 0, len(s))
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b
	}
	b := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

// putSyncsafe writes v (under 2^28) as ID3's syncsafe integer: four
// bytes of seven bits each, so no byte of a size looks like an MPEG sync.
func putSyncsafe(b []byte, v uint32) {
	for i := 3; i >= 0; i-- {
		b[i] = byte(v & 0x7F)
		v >>= 7
	}
}
