package voice

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCheck(t *testing.T) {
	good := readTestdata(t, "stereo48k.mp3") // two tones, about -12 dBFS: a level close enough
	quiet := readTestdata(t, "click32k.mp3") // a short burst, -20.6 dBFS
	tone := readTestdata(t, "pcm24.wav")
	sum := func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
	m := Manifest{Voice: "test", Clips: []ManifestClip{
		{ID: "a", File: "a.mp3", Text: "A.", TextSHA256: TextSHA256("A."), SHA256: sum(good)},
		{ID: "b", File: "b.wav", Text: "Old bee.", TextSHA256: TextSHA256("Old bee."), SHA256: sum(tone)},
		{ID: "g", File: "g.mp3", Text: "Gee.", TextSHA256: TextSHA256("Gee."), SHA256: "0000"},
	}}
	mj, _ := json.Marshal(m)
	pack := fstest.MapFS{
		"manifest.json": {Data: mj},
		"a.mp3":         {Data: good},
		"b.wav":         {Data: tone},
		"c.mp3":         {Data: readTestdata(t, "html.mp3")},
		"d.mp3":         {Data: good},
		"e.ogg":         {Data: []byte("OggS")},
		"g.mp3":         {Data: good},
		"q.mp3":         {Data: quiet},
		"q.wav":         {Data: tone},
		"notes.txt":     {Data: []byte("my recordings")},
	}
	texts := map[string]string{"a": "A.", "b": "New bee.", "c": "Sea.", "f": "Eff.", "g": "Gee.", "q": "Queue."}
	r := Check(pack, texts)

	if got := strings.Join(r.Missing, ","); got != "f" {
		t.Errorf("Missing %q, want f", got)
	}
	if got := strings.Join(r.Unused, ","); got != "d.mp3" {
		t.Errorf("Unused %q, want d.mp3", got)
	}
	if len(r.Changed) != 1 || r.Changed[0] != (TextChange{ID: "b", Old: "Old bee.", New: "New bee."}) {
		t.Errorf("Changed %+v, want b from Old bee. to New bee.", r.Changed)
	}
	if len(r.Unreadable) != 1 || r.Unreadable[0].File != "c.mp3" || !errors.Is(r.Unreadable[0], ErrFormat) {
		t.Errorf("Unreadable %v, want c.mp3", r.Unreadable)
	}
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{
		"e.ogg is ignored",
		"both q.mp3 and q.wav exist: q.mp3 is used",
		"g.mp3 differs from the one manifest.json describes",
		"q.mp3: speech level",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if r.Complete() {
		t.Error("Complete() with missing, changed and unreadable clips")
	}
	s := r.String()
	lines := strings.Split(s, "\n")
	if len(lines) != len(r.Missing)+len(r.Changed)+len(r.Unreadable)+len(r.Unused)+len(r.Notes) {
		t.Errorf("String() has %d lines:\n%s", len(lines), s)
	}
	for _, want := range []string{`missing: f: no f.mp3 or f.wav (text: "Eff.")`, `changed: b: recorded as "Old bee.", the text is now "New bee."`,
		"unreadable: c.mp3: not a readable clip", "unused: d.mp3"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() lacks %q:\n%s", want, s)
		}
	}

	// A complete pack, without a manifest: nothing to report.
	r = Check(fstest.MapFS{"a.mp3": {Data: good}}, map[string]string{"a": "A."})
	if !r.Complete() || r.String() != "" {
		t.Errorf("complete pack: Complete %v, String %q", r.Complete(), r.String())
	}
}

func TestReadManifestAbsent(t *testing.T) {
	if _, err := ReadManifest(fstest.MapFS{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v, want fs.ErrNotExist", err)
	}
	if _, err := ReadManifest(fstest.MapFS{"manifest.json": {Data: []byte("{")}}); err == nil {
		t.Error("bad JSON gave no error")
	}
}
