package voice

import "sync"

// Memo keeps decoded clips in memory between Loads, by the same key as the
// cache folder (the file's content, the rate, the decoder and resampler
// versions), so that a process loading the same clips again (the daemon
// and its sink child, at every session) neither reads nor parses the cache
// files: a warm tspine-basic load went from 20-24 ms to a few (see
// BenchmarkLoadMemo). A changed pack file has another key, so a Memo never
// gives stale samples. It forgets the clips that memoLoads Loads in a row
// did not use, so it holds about the clips of the routines in use. The
// zero Memo is ready; it is safe for concurrent use.
type Memo struct {
	mu    sync.Mutex
	gen   uint64
	clips map[[32]byte]memoClip
}

// memoLoads is how many Loads a clip stays in a Memo unused.
const memoLoads = 4

type memoClip struct {
	s    []float32
	used uint64 // the Load generation that last used it
}

// get returns the clip for key, marking it used by this Load.
func (m *Memo) get(key [32]byte) ([]float32, bool) {
	if m == nil {
		return nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.clips[key]
	if ok {
		c.used = m.gen
		m.clips[key] = c
	}
	return c.s, ok
}

// put keeps s for key.
func (m *Memo) put(key [32]byte, s []float32) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.clips == nil {
		m.clips = map[[32]byte]memoClip{}
	}
	m.clips[key] = memoClip{s: s, used: m.gen}
}

// begin starts a Load: clips unused for memoLoads Loads are forgotten.
func (m *Memo) begin() {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gen++
	for k, c := range m.clips {
		if m.gen-c.used > memoLoads {
			delete(m.clips, k)
		}
	}
}
