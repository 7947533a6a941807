package voice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
	"sync"
)

// ManifestName is the file name of a pack's manifest.
const ManifestName = "manifest.json"

// Manifest describes the clips of a generated pack (sounds/generate writes
// one); a pack recorded by hand may have none. Clips are sorted by ID.
type Manifest struct {
	// Voice says how the clips were made: synthesiser, voice, loudness
	// and encoding.
	Voice string         `json:"voice"`
	Clips []ManifestClip `json:"clips"`
}

// ManifestClip is one clip of a Manifest.
type ManifestClip struct {
	ID   string `json:"id"`   // the cue id
	File string `json:"file"` // the clip's file name in the pack
	Text string `json:"text"` // the text spoken
	// TextSHA256 is TextSHA256(Text): Check compares it with the current
	// text of the cue to find clips recorded for an older wording.
	TextSHA256 string `json:"text_sha256"`
	// DurationMS is the clip's length in milliseconds, rounded to the
	// nearest, as the voice package decodes it.
	DurationMS int `json:"duration_ms"`
	// SHA256 is the hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256"`
}

// TextSHA256 is the hex SHA-256 of a cue's text, as UTF-8 bytes with no
// added newline (the same as `printf '%s' "$text" | sha256sum`).
func TextSHA256(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// ReadManifest reads the manifest.json at the root of a pack. A pack
// without one gives an error that wraps fs.ErrNotExist.
func ReadManifest(pack fs.FS) (*Manifest, error) {
	b, err := fs.ReadFile(pack, ManifestName)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	return &m, nil
}

// Report is what Check found in a pack. Every list is sorted.
type Report struct {
	// Missing lists the cue ids that have a text but no clip file.
	Missing []string
	// Unused lists the clip files whose cue id no text has.
	Unused []string
	// Changed lists the clips that the manifest says were recorded for
	// another text than the cue's current one.
	Changed []TextChange
	// Unreadable lists the clip files that do not load, and why.
	Unreadable []*FileError
	// Notes are findings that do not make the pack incomplete: a level far
	// from the built-in pack's, a truncated but playable file, a file
	// that Load ignores, a clip edited since the manifest was written.
	Notes []string

	texts map[string]string
}

// TextChange is a clip recorded for an older text of its cue.
type TextChange struct {
	ID  string
	Old string // the text in the manifest, "" if it holds only the hash
	New string // the cue's text now
}

// Complete reports whether every cue has a readable clip recorded for its
// current text. Unused clips and Notes do not count against it.
func (r Report) Complete() bool {
	return len(r.Missing) == 0 && len(r.Changed) == 0 && len(r.Unreadable) == 0
}

// String lists the problems, one per line (no trailing newline), in the
// order missing, changed, unreadable, unused, note. A pack with nothing to
// report gives "".
func (r Report) String() string {
	var lines []string
	for _, id := range r.Missing {
		lines = append(lines, fmt.Sprintf("missing: %s: no %s.mp3 or %s.wav (text: %q)", id, id, id, r.texts[id]))
	}
	for _, c := range r.Changed {
		if c.Old != "" {
			lines = append(lines, fmt.Sprintf("changed: %s: recorded as %q, the text is now %q", c.ID, c.Old, c.New))
		} else {
			lines = append(lines, fmt.Sprintf("changed: %s: recorded for another text, the text is now %q", c.ID, c.New))
		}
	}
	for _, e := range r.Unreadable {
		lines = append(lines, "unreadable: "+e.Error())
	}
	for _, f := range r.Unused {
		lines = append(lines, fmt.Sprintf("unused: %s: no routine speaks this cue", f))
	}
	for _, n := range r.Notes {
		lines = append(lines, "note: "+n)
	}
	return strings.Join(lines, "\n")
}

// levelTolerance is how far (dB) a clip's level may be from ReferenceLevel
// before Check notes it.
const levelTolerance = 6.0

// Check examines a pack against the cues that routines speak (cue id to
// current text): it decodes every clip file to find the unreadable ones,
// lists missing and unused clips, compares the manifest's text hashes with
// the current texts, and notes clips whose speech level is more than 6 dB
// from the built-in pack's. It reads the pack only; it never fails: what
// it cannot read is in the Report.
func Check(pack fs.FS, texts map[string]string) Report {
	r := Report{texts: texts}
	entries, err := fs.ReadDir(pack, ".")
	if err != nil {
		r.Unreadable = append(r.Unreadable, &FileError{File: ".", Err: err})
	}
	files, notes := clipFiles(entries)
	r.Notes = append(r.Notes, notes...)
	manifest, err := manifestClips(pack)
	if err != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("%s cannot be read (%v): changed texts cannot be found", ManifestName, err))
	}
	ids := make([]string, 0, len(files))
	for id := range files {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var mu sync.Mutex
	parallel(context.Background(), len(ids), func(i int) {
		id := ids[i]
		text, used := texts[id]
		c := checkClip(pack, files[id], id, text, used, manifest)
		mu.Lock()
		defer mu.Unlock()
		r.add(c)
	})
	for id := range texts {
		if _, ok := files[id]; !ok {
			r.Missing = append(r.Missing, id)
		}
	}
	r.sort()
	return r
}

// clipFiles maps each cue id of a pack's entries to the clip file Load
// would use, with notes on files it would not.
func clipFiles(entries []fs.DirEntry) (map[string]string, []string) {
	files := map[string]string{}
	var notes []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || name == ManifestName || strings.HasPrefix(name, ".") {
			continue
		}
		ext := path.Ext(name)
		id := strings.TrimSuffix(name, ext)
		switch ext {
		case ".mp3":
			if other, ok := files[id]; ok {
				notes = append(notes, fmt.Sprintf("both %s and %s exist: %s is used", name, other, name))
			}
			files[id] = name
		case ".wav":
			if other, ok := files[id]; ok {
				notes = append(notes, fmt.Sprintf("both %s and %s exist: %s is used", other, name, other))
				continue
			}
			files[id] = name
		default:
			switch strings.ToLower(ext) {
			case ".mp3", ".wav", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".aif", ".aiff", ".wma":
				notes = append(notes, fmt.Sprintf("%s is ignored: only <cue-id>.mp3 and <cue-id>.wav are read (%s)", name, Accepted))
			}
		}
	}
	return files, notes
}

// manifestClips is the pack's manifest by cue id: empty, with no error,
// when the pack has none.
func manifestClips(pack fs.FS) (map[string]ManifestClip, error) {
	clips := map[string]ManifestClip{}
	m, err := ReadManifest(pack)
	if errors.Is(err, fs.ErrNotExist) {
		return clips, nil
	}
	if err != nil {
		return clips, err
	}
	for _, c := range m.Clips {
		clips[c.ID] = c
	}
	return clips, nil
}

// clipCheck is what Check found of one clip file.
type clipCheck struct {
	name   string
	err    error // unreadable, or not a clip
	change *TextChange
	used   bool
	notes  []string
}

// checkClip reads, decodes and measures one clip (id, in file name) and
// compares it with the manifest's record of it and with text, the cue's
// text now (used: some routine speaks it).
func checkClip(pack fs.FS, name, id, text string, used bool, manifest map[string]ManifestClip) clipCheck {
	c := clipCheck{name: name, used: used}
	data, err := readFile(pack, name)
	if err == nil {
		var p pcm
		if p, err = decode(data, MaxClipLength); err == nil {
			if p.warning != "" {
				c.notes = append(c.notes, name+": "+p.warning)
			}
			if l, _ := Level(p.samples, p.rate); math.Abs(l-ReferenceLevel) > levelTolerance || math.IsInf(l, -1) {
				c.notes = append(c.notes, levelNote(name, l))
			}
		}
	}
	c.err = err
	if mc, ok := manifest[id]; ok && data != nil {
		sum := sha256.Sum256(data)
		switch {
		case mc.SHA256 != "" && mc.SHA256 != hex.EncodeToString(sum[:]):
			c.notes = append(c.notes, fmt.Sprintf("%s differs from the one %s describes (replaced by hand?): its text cannot be checked", name, ManifestName))
		case used && mc.TextSHA256 != TextSHA256(text):
			old := mc.Text
			if TextSHA256(old) != mc.TextSHA256 {
				old = ""
			}
			c.change = &TextChange{ID: id, Old: old, New: text}
		}
	}
	return c
}

// add puts what was found of one clip in the report.
func (r *Report) add(c clipCheck) {
	if c.err != nil {
		r.Unreadable = append(r.Unreadable, &FileError{File: c.name, Err: c.err})
	}
	if c.change != nil {
		r.Changed = append(r.Changed, *c.change)
	}
	if !c.used {
		r.Unused = append(r.Unused, c.name)
	}
	r.Notes = append(r.Notes, c.notes...)
}

// sort puts every list of the report in order, so that it reads the same
// whatever order the clips were checked in.
func (r *Report) sort() {
	sort.Strings(r.Missing)
	sort.Strings(r.Unused)
	sort.Slice(r.Changed, func(i, j int) bool { return r.Changed[i].ID < r.Changed[j].ID })
	sort.Slice(r.Unreadable, func(i, j int) bool { return r.Unreadable[i].File < r.Unreadable[j].File })
	sort.Strings(r.Notes)
}

func levelNote(name string, l float64) string {
	if math.IsInf(l, -1) {
		return name + " is silent"
	}
	diff := l - ReferenceLevel
	how := "louder"
	if diff < 0 {
		how = "quieter"
	}
	return fmt.Sprintf("%s: speech level %.1f dBFS, %.1f dB %s than the built-in pack (%.0f dBFS); "+
		"see docs/voice.md on levels", name, l, math.Abs(diff), how, ReferenceLevel)
}
