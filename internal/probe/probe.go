// Package probe is for tests that check a media file as players read it:
// what ffprobe (Debian's package ffmpeg) says of its tags and chapters.
package probe

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"testing"

	"github.com/cued-dev/cued/internal/needs"
)

// Chapter is one chapter as ffprobe lists it, times in seconds.
type Chapter struct {
	Title      string
	Start, End float64
}

// Info is what ffprobe reads of a file: its format's tags and its
// chapters in order.
type Info struct {
	Tags     map[string]string
	Chapters []Chapter
}

// File runs ffprobe on path (needs.Program: missing under CI fails t).
func File(t testing.TB, path string) Info {
	t.Helper()
	ffprobe := needs.Program(t, "ffprobe", "ffmpeg")
	out, err := exec.Command(ffprobe, "-v", "error", "-show_chapters", "-show_format", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var raw struct {
		Chapters []struct {
			Start string `json:"start_time"`
			End   string `json:"end_time"`
			Tags  struct{ Title string }
		}
		Format struct{ Tags map[string]string }
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	info := Info{Tags: raw.Format.Tags}
	for _, c := range raw.Chapters {
		start, err1 := strconv.ParseFloat(c.Start, 64)
		end, err2 := strconv.ParseFloat(c.End, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("ffprobe %s: chapter times %q-%q", path, c.Start, c.End)
		}
		info.Chapters = append(info.Chapters, Chapter{Title: c.Tags.Title, Start: start, End: end})
	}
	return info
}
