package voice

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logRecorder collects Logf calls.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func testPacks(t testing.TB) (user, builtin Pack) {
	user = Pack{Name: "user", FS: fstest.MapFS{
		"a.wav": {Data: readTestdata(t, "pcm24.wav")},
	}}
	builtin = Pack{Name: "built-in", FS: fstest.MapFS{
		"a.mp3":         {Data: readTestdata(t, "mono22k.mp3")},
		"b.mp3":         {Data: readTestdata(t, "click32k.mp3")},
		"manifest.json": {Data: []byte(`{"voice":"x","clips":[]}`)},
	}}
	return user, builtin
}

func TestLoad(t *testing.T) {
	user, builtin := testPacks(t)
	var log logRecorder
	b, err := Load(t.Context(), Options{
		Rate:  44100,
		Packs: []Pack{user, builtin},
		Texts: map[string]string{"a": "A.", "b": "Bee.", "c": "Sea.", "../d": "Dee."},
		Synth: SynthNone,
		Logf:  log.logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Rate() != 44100 {
		t.Errorf("Rate %d", b.Rate())
	}
	// a comes from the user pack: pcm24.wav is 0.1 s at 44.1 kHz.
	if a, _ := b.Clip("a"); len(a) != 4410 {
		t.Errorf("a: %d samples, want 4410 from the user pack's WAV", len(a))
	}
	// b: one second at 32 kHz, resampled to exactly one second.
	if s, _ := b.Clip("b"); len(s) != 44100 {
		t.Errorf("b: %d samples, want 44100", len(s))
	}
	if d, ok := b.ClipLength("b"); !ok || d != time.Second {
		t.Errorf("ClipLength(b) = %v, %v; want 1s", d, ok)
	}
	if d, _ := b.ClipLength("a"); d != 100*time.Millisecond {
		t.Errorf("ClipLength(a) = %v, want 100ms", d)
	}
	if got := fmt.Sprint(b.Missing()); got != "[../d c]" {
		t.Errorf("Missing() = %s, want [../d c]", got)
	}
	tone := StandInTone(44100)
	for _, id := range []string{"c", "../d"} {
		s, ok := b.Clip(id)
		if !ok || len(s) != len(tone) {
			t.Errorf("%s: stand-in clip %d samples, %v; want the %d-sample tone", id, len(s), ok, len(tone))
		}
	}
	if _, ok := b.Clip("nope"); ok {
		t.Error("Clip of an id never asked for")
	}
	if len(log.lines) != 1 || !strings.Contains(log.lines[0], "c") || !strings.Contains(log.lines[0], "stand-in tone") ||
		!strings.Contains(log.lines[0], "voice.synth is none") {
		t.Errorf("warnings %q, want one naming c and the stand-in tone", log.lines)
	}
	if b.decoded != 2 {
		t.Errorf("decoded %d files, want 2", b.decoded)
	}
}

func TestClipLengthRoundsUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, rate int
		want    time.Duration
	}{
		{"one second at 44.1 kHz", 44100, 44100, time.Second},
		{"one sample at 44.1 kHz rounds up", 1, 44100, 22676 * time.Nanosecond}, // 22675.7 ns
		{"10 ms at 44.1 kHz", 441, 44100, 10 * time.Millisecond},
		{"three samples at 48 kHz", 3, 48000, 62500 * time.Nanosecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := samplesDuration(tc.n, tc.rate); got != tc.want {
				t.Errorf("%d samples at %d Hz: %v, want %v", tc.n, tc.rate, got, tc.want)
			}
		})
	}
}

func TestLoadCache(t *testing.T) {
	user, builtin := testPacks(t)
	dir := t.TempDir()
	o := Options{Rate: 48000, Packs: []Pack{user, builtin}, Texts: map[string]string{"a": "A.", "b": "Bee."},
		CacheDir: dir, Synth: SynthNone}
	first, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if first.decoded != 2 {
		t.Fatalf("first load decoded %d files, want 2", first.decoded)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"+cacheSuffix))
	if len(files) != 2 {
		t.Fatalf("cache holds %d files, want 2: %v", len(files), files)
	}

	second, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if second.decoded != 0 {
		t.Errorf("second load decoded %d files, want 0 (all from the cache)", second.decoded)
	}
	for _, id := range []string{"a", "b"} {
		x, _ := first.Clip(id)
		y, _ := second.Clip(id)
		if len(x) != len(y) {
			t.Fatalf("%s: cached clip has %d samples, decoded %d", id, len(y), len(x))
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				t.Fatalf("%s: cached sample %d differs", id, i)
			}
		}
	}

	// Damage the cache: flip a sample bit in one file, truncate the other.
	b0, _ := os.ReadFile(files[0])
	b0[cacheHeader+10] ^= 0x40
	os.WriteFile(files[0], b0, 0o644)
	b1, _ := os.ReadFile(files[1])
	os.WriteFile(files[1], b1[:len(b1)/2], 0o644)
	third, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if third.decoded != 2 {
		t.Errorf("load over a damaged cache decoded %d files, want 2", third.decoded)
	}
	fourth, _ := Load(t.Context(), o)
	if fourth.decoded != 0 {
		t.Errorf("damaged cache files were not rewritten: %d decoded", fourth.decoded)
	}
	// A file of the same key but for another rate is not trusted either.
	o.Rate = 44100
	fifth, _ := Load(t.Context(), o)
	if fifth.decoded != 2 {
		t.Errorf("another rate decoded %d files, want 2", fifth.decoded)
	}
}

func TestLoadOptions(t *testing.T) {
	_, builtin := testPacks(t)
	for _, o := range []Options{
		{Rate: 0, Packs: []Pack{builtin}},
		{Rate: 1 << 20, Packs: []Pack{builtin}},
		{Rate: 44100, Synth: "say"},
		{Rate: 44100, Packs: []Pack{{Name: "nil"}}},
	} {
		if _, err := Load(t.Context(), o); err == nil {
			t.Errorf("Load(%+v) gave no error", o)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Load(ctx, Options{Rate: 44100, Packs: []Pack{builtin}, Texts: map[string]string{"b": "B"}}); err == nil {
		t.Error("Load with a cancelled context gave no error")
	}
}

func TestLoadTooLarge(t *testing.T) {
	big := make([]byte, MaxFileSize+1)
	pack := Pack{Name: "p", FS: fstest.MapFS{"x.mp3": {Data: big}}}
	_, err := Load(t.Context(), Options{Rate: 44100, Packs: []Pack{pack}, Texts: map[string]string{"x": "X"}})
	if err == nil || !strings.Contains(err.Error(), "x.mp3") || !strings.Contains(err.Error(), "too large") {
		t.Errorf("error %v, want one naming x.mp3 as too large", err)
	}
}

func TestStandInTone(t *testing.T) {
	s := StandInTone(44100)
	if d := samplesDuration(len(s), 44100); d < 500*time.Millisecond || d > 700*time.Millisecond {
		t.Errorf("tone lasts %v", d)
	}
	_, peak := Level(s, 44100)
	if peak > -17 || peak < -21 {
		t.Errorf("tone peak %.1f dBFS, want about -18", peak)
	}
	if s[0] != 0 || math.Abs(float64(s[len(s)-1])) > 1e-4 {
		t.Error("tone does not start and end silent")
	}
}

func TestLoadSynth(t *testing.T) {
	for _, tc := range []struct{ synth, prog string }{{SynthEspeak, "espeak-ng"}, {SynthFestival, "text2wave"}} {
		t.Run(tc.synth, func(t *testing.T) {
			if _, err := exec.LookPath(tc.prog); err != nil {
				t.Skipf("%s is not installed: synthesised stand-ins not tested (apt-get install %s)", tc.prog, tc.synth)
			}
			var log logRecorder
			dir := t.TempDir()
			text := "Lift your glutes a little off the floor, and begin rolling."
			o := Options{Rate: 44100, Texts: map[string]string{"start": text}, Synth: tc.synth, CacheDir: dir, Logf: log.logf}
			b, err := Load(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := b.Clip("start")
			d, _ := b.ClipLength("start")
			if d < 2*time.Second || d > 6*time.Second {
				t.Errorf("synthesised %q lasts %v, want 2 to 6 s", text, d)
			}
			if len(log.lines) != 1 || !strings.Contains(log.lines[0], "spoken by "+tc.synth+": start") {
				t.Errorf("warnings %q, want one saying %s spoke start", log.lines, tc.synth)
			}
			l, peak := Level(s, 44100)
			t.Logf("%s: %v, level %.1f dBFS, peak %.1f dBFS", tc.synth, d, l, peak)
			if math.Abs(l-ReferenceLevel) > 2 || peak > -1.4 {
				t.Errorf("level %.1f dBFS (want %.0f±2), peak %.1f dBFS (want ≤ -1.5)", l, ReferenceLevel, peak)
			}
			// A second load takes the synthesised clip from the cache.
			start := time.Now()
			b2, err := Load(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			if s2, _ := b2.Clip("start"); len(s2) != len(s) {
				t.Errorf("cached synthesised clip has %d samples, want %d", len(s2), len(s))
			}
			t.Logf("cached load: %v", time.Since(start))
		})
	}
}

func TestLoadSynthFails(t *testing.T) {
	// A PATH with a fake espeak-ng that fails: the cue gets the tone and
	// the warning says why.
	dir := t.TempDir()
	fake := filepath.Join(dir, "espeak-ng")
	if runtime.GOOS == "windows" {
		t.Skip("shell script stand-in")
	}
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho 'no voice here' >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	var log logRecorder
	b, err := Load(t.Context(), Options{Rate: 44100, Texts: map[string]string{"x": "Hello."}, Synth: SynthEspeak, Logf: log.logf})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := b.Clip("x"); len(s) != len(StandInTone(44100)) {
		t.Error("failed synthesis did not give the stand-in tone")
	}
	if len(log.lines) != 1 || !strings.Contains(log.lines[0], "no voice here") || !strings.Contains(log.lines[0], ": x") {
		t.Errorf("warnings %q, want one naming x and the synthesiser's complaint", log.lines)
	}
}

func BenchmarkLoadTestdata(b *testing.B) {
	user, builtin := testPacks(b)
	for b.Loop() {
		if _, err := Load(b.Context(), Options{Rate: 44100, Packs: []Pack{user, builtin},
			Texts: map[string]string{"a": "A", "b": "B"}, Synth: SynthNone}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLimit(t *testing.T) {
	s := sine(44100, 44100, 300, 0.5)
	for i := 1000; i < 1010; i++ {
		s[i] = 0.99 // a spike
	}
	s[3000] = -1
	ceiling := float32(math.Pow(10, -1.5/20))
	limit(s, 44100, ceiling)
	for i, v := range s {
		if abs32(v) > ceiling*1.0001 {
			t.Fatalf("sample %d is %v, above the ceiling %v", i, v, ceiling)
		}
	}
	// Far from the spikes the tone is untouched.
	if a := toneAmplitude(s[30000:44000], 44100, 300); math.Abs(a-0.5) > 0.005 {
		t.Errorf("tone after the limiter recovered to %.3f, want 0.5", a)
	}
}

// TestLoadPrunesTheCache: a Load keeps the files it used (and marks them
// used, however old they were) and removes cache files unused for
// CacheMaxAge and stale temporary files, and nothing else.
func TestLoadPrunesTheCache(t *testing.T) {
	user, builtin := testPacks(t)
	dir := t.TempDir()
	o := Options{Rate: 48000, Packs: []Pack{user, builtin}, Texts: map[string]string{"a": "A.", "b": "Bee."},
		CacheDir: dir, Synth: SynthNone}
	if _, err := Load(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	used, _ := filepath.Glob(filepath.Join(dir, "*"+cacheSuffix))
	long := time.Now().Add(-CacheMaxAge - 24*time.Hour)
	write := func(name string, at time.Time) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, p := range used {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	stale := write(strings.Repeat("ab", 32)+cacheSuffix, long)
	recent := write(strings.Repeat("cd", 32)+cacheSuffix, time.Now().Add(-CacheMaxAge+24*time.Hour))
	tmp := write(".tmp-123", time.Now().Add(-2*time.Hour))
	fresh := write(".tmp-456", time.Now())
	foreign := write("notes.txt", long)

	b, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	if b.decoded != 0 {
		t.Fatalf("decoded %d files: the old but used cache files were not read", b.decoded)
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	for _, p := range used {
		fi, err := os.Stat(p)
		if err != nil || time.Since(fi.ModTime()) > time.Minute {
			t.Errorf("used cache file %s: %v, not marked used", filepath.Base(p), err)
		}
	}
	for p, want := range map[string]bool{stale: false, recent: true, tmp: false, fresh: true, foreign: true} {
		if exists(p) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), !want, want)
		}
	}
}

// TestLoadMemo: a Memo gives the second Load its clips without decoding
// (and without a cache folder), a changed file is decoded again, and a
// clip unused for memoLoads Loads is forgotten.
func TestLoadMemo(t *testing.T) {
	user, builtin := testPacks(t)
	memo := &Memo{}
	o := Options{Rate: 44100, Packs: []Pack{user, builtin}, Texts: map[string]string{"a": "A.", "b": "Bee."},
		Synth: SynthNone, Memo: memo}
	load := func() *Bank {
		t.Helper()
		b, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first, second := load(), load()
	if first.decoded != 2 || second.decoded != 0 {
		t.Fatalf("decoded %d then %d files, want 2 then 0", first.decoded, second.decoded)
	}
	for _, id := range []string{"a", "b"} {
		x, _ := first.Clip(id)
		y, _ := second.Clip(id)
		if len(x) == 0 || &x[0] != &y[0] {
			t.Errorf("%s: the second load did not share the first's samples", id)
		}
	}

	changed := fstest.MapFS{"a.wav": {Data: readTestdata(t, "float_ext.wav")}}
	o.Packs = []Pack{{Name: "user", FS: changed}, builtin}
	if b := load(); b.decoded != 1 {
		t.Errorf("after a.wav changed, decoded %d files, want 1 (a)", b.decoded)
	}

	o.Texts = map[string]string{"a": "A."}
	for range memoLoads + 1 {
		load()
	}
	o.Texts = map[string]string{"a": "A.", "b": "Bee."}
	if b := load(); b.decoded != 1 {
		t.Errorf("b unused for %d loads: decoded %d files, want 1 (b, forgotten)", memoLoads+1, b.decoded)
	}
}

// BenchmarkLoadMemo is a warm Load of the test clips from a Memo, beside
// BenchmarkLoadTestdata (decoding them).
func BenchmarkLoadMemo(b *testing.B) {
	user, builtin := testPacks(b)
	o := Options{Rate: 44100, Packs: []Pack{user, builtin}, Texts: map[string]string{"a": "A", "b": "B"},
		Synth: SynthNone, Memo: &Memo{}}
	for b.Loop() {
		if _, err := Load(b.Context(), o); err != nil {
			b.Fatal(err)
		}
	}
}
