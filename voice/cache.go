package voice

import (
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// A cache file holds one decoded, resampled clip:
//
//	offset  size  field
//	0       8     magic "CUEDPCM1"
//	8       4     sample rate, uint32 little-endian
//	12      4     sample count n, uint32 little-endian
//	16      32    the cache key (also the file's name, in hex)
//	48      4n    samples, float32 little-endian
//	48+4n   4     CRC-32C of every byte before it
//
// A file that is short, long, for another key or rate, or fails its CRC is
// ignored and rewritten: a cache file is never trusted further than that.
const (
	cacheMagic  = "CUEDPCM1"
	cacheHeader = 48
	cacheSuffix = ".pcm"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CacheMaxAge is how long a cached clip may go unused before Load removes
// it: the clips of a pack since changed, of another rate, or of cues no
// routine speaks any more would otherwise pile up for ever. Every Load
// marks the files it reads as used (their modification time).
const CacheMaxAge = 30 * 24 * time.Hour

// tmpMaxAge is how old a temporary file (a write that crashed half way)
// may be before Load removes it.
const tmpMaxAge = time.Hour

// cache reads and writes clip cache files in dir; a zero dir disables it.
type cache struct {
	dir    string
	memo   *Memo // clips kept in memory, looked at before dir (nil: none)
	logf   func(string, ...any)
	warned sync.Once // one warning per Load for a cache that cannot be written
}

func (c *cache) path(key [32]byte) string {
	return filepath.Join(c.dir, hex.EncodeToString(key[:])+cacheSuffix)
}

// get returns the cached samples for key at rate, if an intact file holds
// them.
func (c *cache) get(key [32]byte, rate int) ([]float32, bool) {
	if s, ok := c.memo.get(key); ok {
		return s, true
	}
	if c.dir == "" {
		return nil, false
	}
	path := c.path(key)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	s, ok := parseCacheFile(b, key, rate)
	if ok {
		c.memo.put(key, s)
		now := time.Now()
		_ = os.Chtimes(path, now, now) // used: see prune
	}
	return s, ok
}

// prune removes the cache files unused for CacheMaxAge and temporary files
// older than tmpMaxAge. Errors are ignored: pruning is housekeeping, and a
// file another process removed first is fine.
func (c *cache) prune(now time.Time) {
	if c.dir == "" {
		return
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		limit := CacheMaxAge
		switch {
		case strings.HasPrefix(name, ".tmp-"):
			limit = tmpMaxAge
		case !strings.HasSuffix(name, cacheSuffix) || e.IsDir():
			continue // not ours
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > limit {
			_ = os.Remove(filepath.Join(c.dir, name))
		}
	}
}

func parseCacheFile(b []byte, key [32]byte, rate int) ([]float32, bool) {
	if len(b) < cacheHeader+4 || string(b[:8]) != cacheMagic {
		return nil, false
	}
	if int(binary.LittleEndian.Uint32(b[8:])) != rate || string(b[16:48]) != string(key[:]) {
		return nil, false
	}
	n := int(binary.LittleEndian.Uint32(b[12:]))
	if n > maxSamples(MaxClipLength, rate)+rate || len(b) != cacheHeader+4*n+4 {
		return nil, false
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[len(b)-4:]) {
		return nil, false
	}
	out := make([]float32, n)
	data := b[cacheHeader:]
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return out, true
}

// put stores samples under key, atomically (a temporary file renamed into
// place), so that a concurrent reader never sees half a file. A failure
// costs only a warning: the next run decodes again.
func (c *cache) put(key [32]byte, rate int, s []float32) {
	c.memo.put(key, s)
	if c.dir == "" {
		return
	}
	b := make([]byte, cacheHeader+4*len(s)+4)
	copy(b, cacheMagic)
	binary.LittleEndian.PutUint32(b[8:], uint32(rate))
	binary.LittleEndian.PutUint32(b[12:], uint32(len(s)))
	copy(b[16:48], key[:])
	for i, v := range s {
		binary.LittleEndian.PutUint32(b[cacheHeader+4*i:], math.Float32bits(v))
	}
	binary.LittleEndian.PutUint32(b[len(b)-4:], crc32.Checksum(b[:len(b)-4], castagnoli))
	if err := c.write(c.path(key), b); err != nil {
		c.warned.Do(func() {
			c.logf("voice: cannot write the clip cache (%v); clips will be decoded again next time", err)
		})
	}
}

func (c *cache) write(path string, b []byte) error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}
