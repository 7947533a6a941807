package encode

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// testTags has every kind of frame: Latin-1 and UTF-16 text, fields,
// and three chapters, the last one's title beyond Latin-1.
var testTags = Tags{
	Title:  "Thoracic spine: three ways (standard)",
	Album:  "cued",
	Artist: "cued",
	Length: 6*time.Minute + 19*time.Second + 500*time.Millisecond,
	Fields: []Field{{"cued routine", "tspine-3way"}, {"cued level", "standard"}},
	Chapters: []Chapter{
		{Title: "Arms extended", Start: 300 * time.Millisecond, End: 2*time.Minute + 5*time.Second},
		{Title: "Forward arm hug", Start: 2*time.Minute + 5*time.Second, End: 4 * time.Minute},
		{Title: "Stationary extension – übung", Start: 4 * time.Minute, End: 6*time.Minute + 19*time.Second},
	},
}

func TestID3Golden(t *testing.T) {
	got, err := testTags.ID3()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "tags.id3")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./encode -run TestID3Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the tag differs from %s (%d bytes, want %d); -update rewrites it after a deliberate change", path, len(got), len(want))
	}
}

func TestID3Frames(t *testing.T) {
	tag, err := testTags.ID3()
	if err != nil {
		t.Fatal(err)
	}
	if string(tag[:5]) != "ID3\x03\x00" {
		t.Fatalf("header %q, want ID3v2.3", tag[:5])
	}
	if size := int(tag[6])<<21 | int(tag[7])<<14 | int(tag[8])<<7 | int(tag[9]); size != len(tag)-10 {
		t.Errorf("the header's size is %d, the tag's body %d bytes", size, len(tag)-10)
	}
	for _, tt := range []struct {
		name string
		want []byte
	}{
		{"a Latin-1 title", append([]byte("TIT2\x00\x00\x00\x26\x00\x00\x00"), "Thoracic spine: three ways (standard)"...)},
		{"the table of contents", []byte("CTOC\x00\x00\x00\x15\x00\x00toc\x00\x03\x03chp0\x00chp1\x00chp2\x00")},
		{"a chapter's times in ms, no offsets", []byte("chp0\x00\x00\x00\x01\x2c\x00\x01\xe8\x48\xff\xff\xff\xff\xff\xff\xff\xff")},
		{"a UTF-16 title with its BOM", []byte{0x01, 0xFF, 0xFE, 'S', 0}},
		{"a field", []byte("TXXX\x00\x00\x00\x19\x00\x00\x00cued routine\x00tspine-3way")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(tag, tt.want) {
				t.Errorf("the tag does not hold % x", tt.want)
			}
		})
	}
}

func TestID3Refuses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		chapters []Chapter
	}{
		{"out of order", []Chapter{{"b", 2 * time.Second, 3 * time.Second}, {"a", time.Second, 2 * time.Second}}},
		{"overlapping", []Chapter{{"a", 0, 3 * time.Second}, {"b", 2 * time.Second, 4 * time.Second}}},
		{"ending before its start", []Chapter{{"a", 2 * time.Second, time.Second}}},
		{"more than 255", make([]Chapter, 256)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Tags{Chapters: tt.chapters}.ID3()
			if !errors.Is(err, ErrChapters) {
				t.Errorf("got %v, want ErrChapters", err)
			}
		})
	}
}

func TestSyncsafe(t *testing.T) {
	for _, tt := range []struct {
		v    uint32
		want [4]byte
	}{
		{0, [4]byte{0, 0, 0, 0}},
		{127, [4]byte{0, 0, 0, 127}},
		{128, [4]byte{0, 0, 1, 0}},
		{1<<28 - 1, [4]byte{127, 127, 127, 127}},
	} {
		var b [4]byte
		putSyncsafe(b[:], tt.v)
		if b != tt.want {
			t.Errorf("syncsafe(%d) = % x, want % x", tt.v, b, tt.want)
		}
	}
}

func TestArgs(t *testing.T) {
	for _, tt := range []struct {
		name    string
		o       Options
		wantErr bool
	}{
		{"44.1 kHz stereo", Options{Rate: 44100, Channels: 2}, false},
		{"48 kHz mono", Options{Rate: 48000, Channels: 1, Bitrate: 96}, false},
		{"96 kHz", Options{Rate: 96000, Channels: 2}, true},
		{"six channels", Options{Rate: 44100, Channels: 6}, true},
		{"a bit rate MP3 has not", Options{Rate: 44100, Channels: 2, Bitrate: 1000}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.o.args()
			if (err != nil) != tt.wantErr {
				t.Errorf("args: %v, want an error: %v", err, tt.wantErr)
			}
		})
	}
}
