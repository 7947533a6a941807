package voice

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// synthVersion is part of a synthesised clip's cache key: bump it when
// the trimming or levelling of synthesised speech changes.
const synthVersion = 1

// synthTimeout bounds one synthesiser run.
const synthTimeout = 30 * time.Second

// ReferenceLevel is the speech level of the built-in pack, in dBFS: the
// median gated RMS (see Level) of its clips, which sounds/generate makes at
// -16 LUFS (measured: -14.1 dBFS median, every clip within -1.1 and +2.3 dB
// of it). Synthesised stand-ins are brought to it, and Check notes user
// clips more than 6 dB from it.
const ReferenceLevel = -14.0

// synthesizer is one speech synthesiser program.
type synthesizer struct {
	name string
	prog string
	args func(textFile, wavFile string) []string
}

var synthesizers = map[string]synthesizer{
	SynthFestival: {name: "festival", prog: "text2wave", args: func(txt, wav string) []string {
		return []string{"-eval", "(voice_cmu_us_slt_arctic_hts)", "-o", wav, txt}
	}},
	SynthEspeak: {name: "espeak-ng", prog: "espeak-ng", args: func(txt, wav string) []string {
		return []string{"-v", "en-us", "-s", "160", "-w", wav, "-f", txt}
	}},
}

// findSynths returns the installed synthesisers that choice allows, in the
// order to try them. auto prefers festival: its slt voice is the voice of
// the built-in pack.
func findSynths(choice string) (found []synthesizer, wanted []string) {
	switch choice {
	case SynthNone:
		return nil, nil
	case SynthAuto:
		wanted = []string{SynthFestival, SynthEspeak}
	default:
		wanted = []string{choice}
	}
	for _, w := range wanted {
		s := synthesizers[w]
		if p, err := exec.LookPath(s.prog); err == nil {
			s.prog = p
			found = append(found, s)
		}
	}
	return found, wanted
}

// standIn is what Load did for the cues that no pack has.
type standIn struct {
	clips   map[string][]float32
	spoken  map[string][]string // synthesiser name -> cues it spoke
	toned   []string            // cues given the stand-in tone
	failure string              // why a synthesiser failed, if one did
	wanted  []string            // synthesisers Options.Synth allows
	found   bool                // whether any of them is installed
}

// standIns speaks each missing cue with the first synthesiser that works,
// or gives it the stand-in tone.
func standIns(ctx context.Context, missing []string, texts map[string]string, choice string, rate int, c *cache) *standIn {
	synths, wanted := findSynths(choice)
	st := &standIn{clips: map[string][]float32{}, spoken: map[string][]string{}, wanted: wanted, found: len(synths) > 0}
	tone := StandInTone(rate)
	var mu sync.Mutex
	// A synthesiser that failed twice (festival without its voice, say) is
	// not tried again in this Load: each try costs a process start.
	failures := make([]atomic.Int32, len(synths))
	parallel(ctx, len(missing), func(i int) {
		id := missing[i]
		text := strings.TrimSpace(texts[id])
		var clip []float32
		var by, failure string
		for k, s := range synths {
			if text == "" {
				break
			}
			if failures[k].Load() >= 2 {
				continue
			}
			var err error
			if clip, err = synthesize(ctx, s, text, rate, c); err == nil {
				by = s.name
				break
			}
			failures[k].Add(1)
			failure = fmt.Sprintf("%s failed: %v", s.name, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if by != "" {
			st.clips[id] = clip
			st.spoken[by] = append(st.spoken[by], id)
			return
		}
		st.clips[id] = tone
		st.toned = append(st.toned, id)
		if failure != "" && st.failure == "" {
			st.failure = failure
		}
	})
	sort.Strings(st.toned)
	for _, ids := range st.spoken {
		sort.Strings(ids)
	}
	return st
}

// warning is the one message that names every cue no pack has.
func (st *standIn) warning(packs int) string {
	n := len(st.toned)
	for _, ids := range st.spoken {
		n += len(ids)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "voice: no clip in the %d voice pack(s) for %d cue(s)", packs, n)
	names := make([]string, 0, len(st.spoken))
	for name := range st.spoken {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&b, "; spoken by %s: %s", name, strings.Join(st.spoken[name], ", "))
	}
	if len(st.toned) > 0 {
		fmt.Fprintf(&b, "; a stand-in tone plays for: %s", strings.Join(st.toned, ", "))
		switch {
		case st.failure != "":
			fmt.Fprintf(&b, " (%s)", st.failure)
		case len(st.wanted) == 0:
			b.WriteString(" (voice.synth is none)")
		case !st.found:
			fmt.Fprintf(&b, " (install %s to hear the words)", strings.Join(st.wanted, " or "))
		}
	}
	b.WriteString("; see `cued voices` and docs/voice.md")
	return b.String()
}

// synthesize speaks text with s, trims and levels the result to match the
// built-in pack and resamples it to rate; the result is cached by text.
func synthesize(ctx context.Context, s synthesizer, text string, rate int, c *cache) ([]float32, error) {
	key := sha256.Sum256(fmt.Appendf(nil, "cued voice synth\x00%s\x00%s\x00%d\x00synth %d\x00decoder %d\x00resampler %d",
		s.name, text, rate, synthVersion, decoderVersion, ResamplerVersion))
	if out, ok := c.get(key, rate); ok {
		return out, nil
	}
	dir, err := os.MkdirTemp("", "cued-synth-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	txt, wav := filepath.Join(dir, "text.txt"), filepath.Join(dir, "speech.wav")
	if err := os.WriteFile(txt, []byte(text+"\n"), 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, synthTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.prog, s.args(txt, wav)...)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, firstLine(msg))
	}
	// text2wave exits 0 even when its voice is missing: judge by output.
	data, err := readFile(os.DirFS(dir), "speech.wav")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no speech written: %s", firstLine(msg))
		}
		return nil, err
	}
	p, err := decodeWAV(data, MaxClipLength)
	if err != nil {
		return nil, err
	}
	speech := trimSilence(p.samples, p.rate)
	if len(speech) == 0 {
		return nil, errors.New("it produced silence")
	}
	out := Resample(speech, p.rate, rate)
	level(out, rate)
	c.put(key, rate, out)
	return out, nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return "no message"
	}
	return s
}

// trimSilence drops the near-silence (40 dB below the peak) at both ends,
// keeping 30 ms before the first and after the last sound, as
// sounds/generate does for the built-in pack.
func trimSilence(s []float32, rate int) []float32 {
	var peak float32
	for _, v := range s {
		peak = max(peak, abs32(v))
	}
	if peak == 0 {
		return nil
	}
	th := peak / 100
	first, last := -1, -1
	for i, v := range s {
		if abs32(v) > th {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	pad := rate * 30 / 1000
	return s[max(0, first-pad):min(len(s), last+pad+1)]
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// level brings speech in place to ReferenceLevel, with a look-ahead peak
// limiter holding its peaks at synthCeiling: synthesisers speak with
// sharper peaks than the built-in pack, which was limited the same way.
func level(s []float32, rate int) {
	l, _ := Level(s, rate)
	if math.IsInf(l, -1) {
		return
	}
	g := float32(math.Pow(10, (ReferenceLevel-l)/20))
	for i := range s {
		s[i] *= g
	}
	limit(s, rate, float32(math.Pow(10, synthCeiling/20)))
}

// synthCeiling is the peak (dBFS) of a synthesised clip.
const synthCeiling = -1.5

// limit is a look-ahead peak limiter: the gain reaches what the loudest
// sample within the next 2 ms needs in a straight ramp over 2 ms (so no
// sample exceeds ceiling and no step clicks), then recovers with a 50 ms
// time constant.
func limit(s []float32, rate int, ceiling float32) {
	la := max(1, rate*2/1000)
	need := make([]float32, len(s))
	for i, v := range s {
		need[i] = 1
		if a := abs32(v); a > ceiling {
			need[i] = ceiling / a
		}
	}
	// ahead[i]: the least gain needed within [i, i+la].
	ahead := make([]float32, len(s))
	for i := range s {
		m := float32(1)
		for _, v := range need[i:min(len(s), i+la+1)] {
			m = min(m, v)
		}
		ahead[i] = m
	}
	// Average ahead over the last la+1 samples: at a peak p every term of
	// the average saw p, so the gain there is at most need[p].
	release := float32(1 - math.Exp(-1/(0.050*float64(rate))))
	var sum float32
	g := float32(1)
	for i := range s {
		sum += ahead[i]
		if i > la {
			sum -= ahead[i-la-1]
		}
		n := min(i, la) + 1
		target := (sum + float32(la+1-n)) / float32(la+1)
		g = min(target, g+(1-g)*release)
		s[i] *= g
	}
}

// Level measures speech: its gated RMS level and its sample peak, both in
// dBFS, for clip samples at rate. The gated RMS is the RMS of the 50 ms
// blocks that are no more than 10 dB below the mean of the blocks above
// -70 dBFS (the gating of EBU R128 without its frequency weighting), so the
// pauses of a sentence and the silence around a word do not count. A silent
// clip measures -Inf.
func Level(s []float32, rate int) (rms, peak float64) {
	block := max(1, rate/20)
	var energies []float64
	var p float32
	for i := 0; i < len(s); i += block {
		end := min(len(s), i+block)
		var e float64
		for _, v := range s[i:end] {
			e += float64(v) * float64(v)
			p = max(p, abs32(v))
		}
		energies = append(energies, e/float64(end-i))
	}
	peak = 20 * math.Log10(float64(p))
	gated := func(floor float64) (sum float64, n int) {
		for _, e := range energies {
			if e > floor {
				sum += e
				n++
			}
		}
		return sum, n
	}
	sum, n := gated(math.Pow(10, -70.0/10))
	if n == 0 {
		return math.Inf(-1), peak
	}
	sum, n = gated(sum / float64(n) / 10)
	return 10 * math.Log10(sum/float64(n)), peak
}

// StandInTone returns the clip that plays for a cue with no recording and
// no synthesiser: a soft falling two-note chime (660 then 495 Hz, 0.6 s,
// peak -18 dBFS) at rate. It says "a cue is here" without pretending to be
// a word.
func StandInTone(rate int) []float32 {
	out := make([]float32, rate*6/10)
	notes := []struct{ start, length, freq float64 }{{0, 0.26, 660}, {0.30, 0.30, 495}}
	amp := math.Pow(10, -18.0/20)
	for _, nt := range notes {
		s0 := int(nt.start * float64(rate))
		n := int(nt.length * float64(rate))
		for i := 0; i < n && s0+i < len(out); i++ {
			t := float64(i) / float64(rate)
			// 10 ms raised-cosine attack, then an exponential decay that
			// is faded to zero over the last 20 ms.
			env := math.Exp(-t / (nt.length / 3))
			if a := 0.010; t < a {
				env *= 0.5 - 0.5*math.Cos(math.Pi*t/a)
			}
			if r := nt.length - t; r < 0.020 {
				env *= 0.5 - 0.5*math.Cos(math.Pi*r/0.020)
			}
			v := math.Sin(2*math.Pi*nt.freq*t) + 0.15*math.Sin(4*math.Pi*nt.freq*t)
			out[s0+i] = float32(amp / 1.15 * env * v)
		}
	}
	return out
}
