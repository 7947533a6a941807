package sounds_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"math"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/sequencer"
	"github.com/cued-dev/cued/sounds"
	"github.com/cued-dev/cued/voice"
)

// Bounds the built-in pack must keep. The generator aims at -16 LUFS with
// true peaks at or below -1.5 dBTP; these check the result as the player
// decodes it.
const (
	maxPackBytes  = 5 << 20 // the whole pack, embedded in the binary
	levelSpreadDB = 3.0     // gated RMS within this of the pack median
	maxPeakDBFS   = -1.0    // sample peak of every decoded clip
	minSecPerChar = 0.03    // plausible speech: seconds per character of text
	maxSecPerChar = 0.15
)

func manifest(t testing.TB) *voice.Manifest {
	t.Helper()
	m, err := voice.ReadManifest(sounds.Default)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Clips) == 0 {
		t.Fatal("manifest.json lists no clips")
	}
	return m
}

func texts(m *voice.Manifest) map[string]string {
	tx := make(map[string]string, len(m.Clips))
	for _, c := range m.Clips {
		tx[c.ID] = c.Text
	}
	return tx
}

// TestManifest checks the manifest against the files: sorted, one entry per
// clip file, hashes of texts and files right, and the pack small.
func TestManifest(t *testing.T) {
	m := manifest(t)
	if !strings.Contains(m.Voice, "cmu_us_slt_arctic_hts") {
		t.Errorf("voice %q does not name the festival voice", m.Voice)
	}
	if !sort.SliceIsSorted(m.Clips, func(i, j int) bool { return m.Clips[i].ID < m.Clips[j].ID }) {
		t.Error("clips are not sorted by id")
	}
	listed := map[string]bool{}
	for _, c := range m.Clips {
		if listed[c.File] {
			t.Errorf("%s listed twice", c.File)
		}
		listed[c.File] = true
		if c.File != c.ID+".mp3" {
			t.Errorf("%s: file %q, want %s.mp3", c.ID, c.File, c.ID)
		}
		b, err := fs.ReadFile(sounds.Default, c.File)
		if err != nil {
			t.Errorf("%s: %v", c.ID, err)
			continue
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != c.SHA256 {
			t.Errorf("%s: sha256 of the file does not match the manifest", c.File)
		}
		if voice.TextSHA256(c.Text) != c.TextSHA256 {
			t.Errorf("%s: text_sha256 does not match its text %q", c.ID, c.Text)
		}
		if strings.HasPrefix(string(b), "ID3") {
			t.Errorf("%s has an ID3 tag", c.File)
		}
	}
	var total int64
	err := fs.WalkDir(sounds.Default, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		if p != voice.ManifestName && !listed[p] {
			t.Errorf("%s is in the pack but not in the manifest", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pack: %d clips, %d bytes", len(m.Clips), total)
	if total > maxPackBytes {
		t.Errorf("pack is %d bytes, more than %d", total, maxPackBytes)
	}
}

// TestClips decodes every clip as cued does and checks its length against
// the manifest and its text, and that every clip sits at the same level.
func TestClips(t *testing.T) {
	m := manifest(t)
	const rate = 44100
	bank, err := voice.Load(t.Context(), voice.Options{
		Rate:  rate,
		Packs: []voice.Pack{{Name: "built-in", FS: sounds.Default}},
		Texts: texts(m),
		Synth: voice.SynthNone,
		Logf:  t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	if miss := bank.Missing(); len(miss) > 0 {
		t.Fatalf("clips missing from the pack: %v", miss)
	}
	levels := map[string]float64{}
	var all []float64
	for _, c := range m.Clips {
		d, _ := bank.ClipLength(c.ID)
		if diff := d - time.Duration(c.DurationMS)*time.Millisecond; diff < -time.Millisecond || diff > time.Millisecond {
			t.Errorf("%s: decodes to %v, manifest says %d ms", c.ID, d, c.DurationMS)
		}
		chars := utf8.RuneCountInString(c.Text)
		if per := d.Seconds() / float64(chars); per < minSecPerChar || per > maxSecPerChar {
			t.Errorf("%s: %v for %d characters (%.3f s each), want %.2f to %.2f s: %q",
				c.ID, d, chars, per, minSecPerChar, maxSecPerChar, c.Text)
		}
		s, _ := bank.Clip(c.ID)
		l, peak := voice.Level(s, rate)
		levels[c.ID] = l
		all = append(all, l)
		if peak > maxPeakDBFS {
			t.Errorf("%s: peak %.2f dBFS, want at most %.1f", c.ID, peak, maxPeakDBFS)
		}
	}
	sort.Float64s(all)
	median := all[len(all)/2]
	t.Logf("gated RMS level: min %.2f, median %.2f, max %.2f dBFS (voice.ReferenceLevel %.1f)",
		all[0], median, all[len(all)-1], voice.ReferenceLevel)
	for id, l := range levels {
		if math.Abs(l-median) > levelSpreadDB {
			t.Errorf("%s: level %.2f dBFS, more than %.0f dB from the pack median %.2f", id, l, levelSpreadDB, median)
		}
	}
	if math.Abs(median-voice.ReferenceLevel) > 1 {
		t.Errorf("pack median level %.2f dBFS, but voice.ReferenceLevel is %.1f: update it", median, voice.ReferenceLevel)
	}
}

// TestBuiltinRoutinesCovered checks that every cue the built-in routines
// speak has a clip made for its current text, and that the pack holds
// nothing else: `sounds/generate` must be run after a text changes.
func TestBuiltinRoutinesCovered(t *testing.T) {
	rs, err := library.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want := sequencer.CueTexts(rs...)
	r := voice.Check(sounds.Default, want)
	if !r.Complete() || len(r.Unused) > 0 || len(r.Notes) > 0 {
		t.Errorf("the built-in pack does not match the built-in routines; run sounds/generate:\n%s", r)
	}
}

// BenchmarkLoadCold decodes and resamples the whole pack, as a first run
// with an empty cache does.
func BenchmarkLoadCold(b *testing.B) {
	benchmarkLoad(b, "")
}

// BenchmarkLoadCached loads the whole pack from a filled cache, as every
// later run does.
func BenchmarkLoadCached(b *testing.B) {
	dir := b.TempDir()
	m := manifest(b)
	if _, err := voice.Load(b.Context(), voice.Options{Rate: 44100, Packs: []voice.Pack{{Name: "built-in", FS: sounds.Default}},
		Texts: texts(m), CacheDir: dir, Synth: voice.SynthNone}); err != nil {
		b.Fatal(err)
	}
	benchmarkLoad(b, dir)
}

func benchmarkLoad(b *testing.B, cache string) {
	m := manifest(b)
	var audio time.Duration
	var bytes int64
	for _, c := range m.Clips {
		audio += time.Duration(c.DurationMS) * time.Millisecond
		info, err := fs.Stat(sounds.Default, c.File)
		if err != nil {
			b.Fatal(err)
		}
		bytes += info.Size()
	}
	o := voice.Options{Rate: 44100, Packs: []voice.Pack{{Name: "built-in", FS: sounds.Default}},
		Texts: texts(m), CacheDir: cache, Synth: voice.SynthNone}
	b.SetBytes(bytes)
	for b.Loop() {
		if _, err := voice.Load(b.Context(), o); err != nil {
			b.Fatal(err)
		}
	}
	perLoad := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(audio.Seconds()/perLoad, "x-realtime")
	b.ReportMetric(perLoad*1000, "ms/load")
}
