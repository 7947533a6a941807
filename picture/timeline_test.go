package picture

import (
	"bytes"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/cued-dev/cued/internal/needs"
	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// builtinTimelines compiles each built-in routine at level standard with
// the clip lengths estimated from the cue texts (no voice pack: the
// golden files do not change with a recording).
func builtinTimelines(t *testing.T) map[string]*sequencer.Timeline {
	t.Helper()
	rs, err := library.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*sequencer.Timeline{}
	for _, r := range rs {
		if r.ID != "tspine-basic" && r.ID != "tspine-3way" {
			continue
		}
		tl, err := sequencer.Compile(r, sequencer.Options{Level: routine.Standard}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out[r.ID] = tl
	}
	return out
}

// drawTimeline draws tl with the built-in cue texts.
func drawTimeline(t *testing.T, tl *sequencer.Timeline) []byte {
	t.Helper()
	rs, _ := library.Builtin()
	var b bytes.Buffer
	if err := Timeline(&b, tl, TimelineOptions{Texts: sequencer.CueTexts(rs...)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestTimelineGolden: the pictures of both built-ins, byte for byte
// (go test ./picture -update rewrites them).
func TestTimelineGolden(t *testing.T) {
	for id, tl := range builtinTimelines(t) {
		t.Run(id, func(t *testing.T) {
			golden(t, filepath.Join("testdata", "timeline-"+id+".svg"), drawTimeline(t, tl))
		})
	}
}

// TestTimelineReadBack: every part, every event (voice cues, tones,
// ticks, marks, waits, hums) and every breath phase of the timeline is in
// the picture with the timeline's own times, read back from the SVG's
// data attributes.
func TestTimelineReadBack(t *testing.T) {
	for id, tl := range builtinTimelines(t) {
		t.Run(id, func(t *testing.T) {
			els := readSVG(t, drawTimeline(t, tl))
			drawn := map[string]bool{} // index/start/length of each event drawn
			partStart := map[string]string{}
			for _, e := range els {
				if i, ok := e.attrs["data-index"]; ok {
					drawn[i+"/"+e.attrs["data-kind"]+"/"+e.attrs["data-start-ms"]+"/"+e.attrs["data-length-ms"]] = true
				}
				if e.attrs["class"] == "part" && e.attrs["data-segment"] == "0" {
					partStart[e.attrs["data-step"]] = e.attrs["data-start-ms"]
				}
			}
			for i, ev := range tl.Events {
				key := strconv.Itoa(i) + "/" + string(ev.Kind) + "/" + ms(ev.Start) + "/" + ms(ev.Length)
				if !drawn[key] {
					t.Errorf("event %d (%s %s%s at %v) is not in the picture", i, ev.Kind, ev.Cue, ev.Tone, ev.Start)
				}
			}
			for i, st := range tl.Steps {
				if got := partStart[strconv.Itoa(i)]; got != ms(st.Start) {
					t.Errorf("part %d %q starts at %s ms in the picture, at %s ms in the timeline", i+1, st.Name, got, ms(st.Start))
				}
			}
		})
	}
}

// TestTimelinePNG converts the pictures to PNG with rsvg-convert (Debian's
// librsvg2-bin), where it is installed, and checks the PNG's size is the
// SVG's.
func TestTimelinePNG(t *testing.T) {
	needs.Program(t, "rsvg-convert", "librsvg2-bin")
	for id, tl := range builtinTimelines(t) {
		t.Run(id, func(t *testing.T) {
			b := drawTimeline(t, tl)
			root := readSVG(t, b)[0]
			w, h := pngSize(t, b)
			if strconv.Itoa(w) != root.attrs["width"] || strconv.Itoa(h) != root.attrs["height"] {
				t.Errorf("PNG %dx%d, SVG %sx%s", w, h, root.attrs["width"], root.attrs["height"])
			}
		})
	}
}
