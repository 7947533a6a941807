package voice

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cued-dev/cued/internal/userfile"
)

// Limits on what a pack file may be. They keep a damaged or mistaken file
// (a song, a video, a header that lies) from costing more than a moment and
// a few megabytes.
const (
	// MaxFileSize is the largest clip file Load reads, in bytes.
	MaxFileSize = 4 << 20
	// MaxClipLength is the longest clip Load accepts. A spoken cue is a
	// few seconds; anything near this limit is almost certainly the
	// wrong file.
	MaxClipLength = 30 * time.Second
)

// Errors that callers may test with errors.Is. Load and Check wrap them in
// a *FileError that names the file.
var (
	// ErrFormat means a file is not audio in an accepted format, or is
	// damaged beyond reading.
	ErrFormat = errors.New("not a readable clip")
	// ErrTooLong means a clip lasts longer than MaxClipLength.
	ErrTooLong = errors.New("clip too long")
	// ErrTooLarge means a file is larger than MaxFileSize.
	ErrTooLarge = errors.New("file too large")
)

// Accepted describes the file formats Load reads. It ends every format
// error so that a user knows what to convert a file to.
const Accepted = "accepted: MP3 (MPEG-1 or MPEG-2 Layer III, 16 to 48 kHz, mono or stereo) " +
	"or WAV (PCM 8/16/24/32-bit or float 32/64-bit, 8 to 192 kHz); " +
	"to convert: ffmpeg -i IN -ar 44100 -ac 1 OUT.wav"

// FileError is a load error of one pack file. Err is one of ErrFormat,
// ErrTooLong, ErrTooLarge or an I/O error, with the details.
type FileError struct {
	Pack string // the Pack.Name, or "" outside a pack
	File string // the file name within the pack
	Err  error
}

// Error names the pack and the file, says what is wrong and, for a format
// problem, which formats are accepted.
func (e *FileError) Error() string {
	where := e.File
	if e.Pack != "" {
		where = e.Pack + ": " + e.File
	}
	msg := where + ": " + e.Err.Error()
	if errors.Is(e.Err, ErrFormat) {
		msg += "; " + Accepted
	}
	return msg
}

// Unwrap returns the underlying error, so that errors.Is(err, ErrFormat)
// and the like work on a *FileError.
func (e *FileError) Unwrap() error { return e.Err }

// Pack is one voice pack: a file system whose root holds <cue-id>.mp3 or
// <cue-id>.wav (and optionally manifest.json). Name appears in messages: a
// folder path for a user's pack, "built-in" for the embedded one.
type Pack struct {
	Name string
	FS   fs.FS
}

// Synthesiser names for Options.Synth.
const (
	SynthAuto     = "auto"      // festival if it works, else espeak-ng, else the stand-in tone
	SynthEspeak   = "espeak-ng" // espeak-ng only
	SynthFestival = "festival"  // festival's text2wave with the cmu_us_slt_arctic_hts voice only
	SynthNone     = "none"      // never synthesise: the stand-in tone
)

// Options says what Load loads and how.
type Options struct {
	// Rate is the output sample rate in Hz, e.g. 44100. Every clip of the
	// Bank is at this rate.
	Rate int
	// Packs are searched in order for each cue: a user pack first, then
	// the built-in one. The first pack with a clip for a cue wins.
	Packs []Pack
	// Texts maps each cue id wanted to its spoken text. Its keys are the
	// set of clips Load loads; the texts are spoken by a synthesiser for
	// a cue that no pack has.
	Texts map[string]string
	// CacheDir is the folder of decoded clips (created if needed), e.g.
	// $XDG_CACHE_HOME/cued/clips. "" disables the cache.
	CacheDir string
	// Synth is how to speak a cue that no pack has: "auto", "espeak-ng",
	// "festival" or "none" (see the Synth constants). "" means "auto".
	Synth string
	// Logf receives warnings (nil discards them).
	Logf func(format string, args ...any)
	// Memo, if not nil, keeps the clips in memory for the next Load with
	// the same Memo (see Memo).
	Memo *Memo
}

// Bank holds every clip of a session as mono float32 samples at one rate.
// A Bank is immutable after Load and safe for concurrent use.
type Bank struct {
	rate    int
	clips   map[string][]float32
	missing []string
	// decoded counts the pack clips decoded from their files (not read
	// from the cache) by Load: tests use it to see the cache work.
	decoded int
}

// Rate returns the sample rate of every clip, in Hz.
func (b *Bank) Rate() int { return b.rate }

// Clip returns the mono samples of cue id at Rate, and whether the Bank has
// it. After a successful Load it has every id of Options.Texts. The slice
// is shared: callers must not modify it.
func (b *Bank) Clip(id string) ([]float32, bool) {
	s, ok := b.clips[id]
	return s, ok
}

// ClipLength returns the exact duration of cue id's clip, len(samples)/Rate
// rounded up to the next nanosecond (so that a caller who rounds it up to
// whole milliseconds never loses a sample), and whether the Bank has it.
func (b *Bank) ClipLength(id string) (time.Duration, bool) {
	s, ok := b.clips[id]
	if !ok {
		return 0, false
	}
	return samplesDuration(len(s), b.rate), true
}

// Missing returns, sorted, the cue ids that no pack has a clip for: their
// clips were spoken by a synthesiser or are the stand-in tone.
func (b *Bank) Missing() []string { return append([]string(nil), b.missing...) }

// samplesDuration is n samples at rate as a Duration, rounded up to 1 ns.
func samplesDuration(n, rate int) time.Duration {
	ns := (int64(n)*int64(time.Second) + int64(rate) - 1) / int64(rate)
	return time.Duration(ns)
}

// Load reads, decodes and resamples the clip of every cue of o.Texts, from
// the first pack that has it, from o.CacheDir when it was decoded before,
// or else from a synthesiser or the stand-in tone (see Options.Synth); it
// logs one warning naming the cues that no pack has.
//
// Load returns an error only when the options are invalid, ctx is done, or
// a pack file it needs is broken: unreadable, not an accepted format (see
// Accepted), larger than MaxFileSize or longer than MaxClipLength. The
// error names every such file (a *FileError each, joined); a broken file is
// never skipped silently, since the user would hear a different voice than
// they recorded without knowing why.
func Load(ctx context.Context, o Options) (*Bank, error) {
	synth, err := o.check()
	if err != nil {
		return nil, err
	}
	logf := o.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	c := &cache{dir: o.CacheDir, logf: logf, memo: o.Memo}
	o.Memo.begin()

	ids := make([]string, 0, len(o.Texts))
	for id := range o.Texts {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	// Find each cue's file; what no pack has is missing.
	var jobs []packJob
	var missing []string
	for _, id := range ids {
		if j, ok := findClip(o.Packs, id); ok {
			jobs = append(jobs, j)
		} else {
			missing = append(missing, id)
		}
	}

	b := &Bank{rate: o.Rate, clips: make(map[string][]float32, len(ids)), missing: missing}
	if err := b.loadPacks(ctx, jobs, c, logf); err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		stand := standIns(ctx, missing, o.Texts, synth, o.Rate, c)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for id, s := range stand.clips {
			b.clips[id] = s
		}
		logf("%s", stand.warning(len(o.Packs)))
	}
	c.prune(time.Now())
	return b, nil
}

// check checks o and returns the synthesiser it names ("" is auto).
func (o Options) check() (string, error) {
	if o.Rate < minRate || o.Rate > maxRate {
		return "", fmt.Errorf("voice: output rate %d Hz is out of range (%d to %d)", o.Rate, minRate, maxRate)
	}
	synth := o.Synth
	if synth == "" {
		synth = SynthAuto
	}
	switch synth {
	case SynthAuto, SynthEspeak, SynthFestival, SynthNone:
	default:
		return "", fmt.Errorf("voice: synth %q is not one of auto, espeak-ng, festival, none", o.Synth)
	}
	for i, p := range o.Packs {
		if p.FS == nil {
			return "", fmt.Errorf("voice: pack %d (%q) has no file system", i, p.Name)
		}
	}
	return synth, nil
}

// loadPacks loads the clips jobs find in the packs into b, in parallel;
// it returns every clip's error, sorted, or ctx's.
func (b *Bank) loadPacks(ctx context.Context, jobs []packJob, c *cache, logf func(string, ...any)) error {
	var mu sync.Mutex
	var errs []error
	err := parallel(ctx, len(jobs), func(i int) {
		j := jobs[i]
		s, decoded, err := loadPackClip(j, b.rate, c, logf)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		b.clips[j.id] = s
		if decoded {
			b.decoded++
		}
	})
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, k int) bool { return errs[i].Error() < errs[k].Error() })
		return fmt.Errorf("voice: %w", errors.Join(errs...))
	}
	return nil
}

// packJob is one clip to load: the cue, the pack and the file in it.
type packJob struct {
	id   string
	pack Pack
	file string
}

// findClip returns the first pack file for cue id: <id>.mp3, then <id>.wav.
// An id that cannot be a file name is in no pack.
func findClip(packs []Pack, id string) (packJob, bool) {
	if id == "" || strings.ContainsAny(id, `/\`) || !fs.ValidPath(id) {
		return packJob{}, false
	}
	for _, p := range packs {
		for _, ext := range []string{".mp3", ".wav"} {
			name := id + ext
			if st, err := fs.Stat(p.FS, name); err == nil && !st.IsDir() {
				return packJob{id: id, pack: p, file: name}, true
			}
		}
	}
	return packJob{}, false
}

// loadPackClip returns the samples of one pack clip at rate, from the cache
// or by decoding and resampling its file, and whether it decoded the file.
func loadPackClip(j packJob, rate int, c *cache, logf func(string, ...any)) ([]float32, bool, error) {
	data, err := readFile(j.pack.FS, j.file)
	if err != nil {
		return nil, false, &FileError{Pack: j.pack.Name, File: j.file, Err: err}
	}
	key := clipKey(data, rate)
	if s, ok := c.get(key, rate); ok {
		return s, false, nil
	}
	pcm, err := decode(data, MaxClipLength)
	if err != nil {
		return nil, false, &FileError{Pack: j.pack.Name, File: j.file, Err: err}
	}
	if pcm.warning != "" {
		logf("voice: %s: %s: %s", j.pack.Name, j.file, pcm.warning)
	}
	s := Resample(pcm.samples, pcm.rate, rate)
	c.put(key, rate, s)
	return s, true, nil
}

// readFile reads a whole pack file, refusing one that is not a regular file
// and one larger than MaxFileSize (checked before and while reading, so a
// lying Stat cannot bypass it). Packs on disk come as a userfile.DirFS, so
// that opening a FIFO does not block before the check.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: it is %s", userfile.ErrNotRegular, userfile.Kind(st.Mode()))
	}
	if err == nil && st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d MB a clip may have", ErrTooLarge, st.Size(), MaxFileSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: more than the %d MB a clip may have", ErrTooLarge, MaxFileSize>>20)
	}
	return data, nil
}

// clipKey is the cache key of a pack file decoded and resampled to rate.
func clipKey(data []byte, rate int) [32]byte {
	sum := sha256.Sum256(data)
	return sha256.Sum256(fmt.Appendf(nil, "cued voice clip\x00%x\x00%d\x00decoder %d\x00resampler %d",
		sum, rate, decoderVersion, ResamplerVersion))
}

// parallel runs f(0..n-1) on GOMAXPROCS goroutines and returns ctx's error
// if ctx ended before every call started.
func parallel(ctx context.Context, n int, f func(i int)) error {
	workers := min(runtime.GOMAXPROCS(0), n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	var err error
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}
