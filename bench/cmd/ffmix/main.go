// Command ffmix builds the ffmpeg job that mixes a cued timeline the
// classic way, for the render benchmark: every voice event is its clip
// file delayed with adelay, every tone a sine source (with fades, the
// event's level and the tone's sound length) delayed the same way, and
// all of it summed by amix (normalize=0) into stereo. It has no ducking and
// no limiter, so ffmpeg does less than cued does.
//
// It writes the filtergraph to -script and prints ffmpeg's input and
// mapping arguments, one per line, for the caller to run and time:
//
//	mapfile -t args < <(go run ./bench/cmd/ffmix -timeline T.json -clips DIR -script G.txt)
//	ffmpeg -nostdin -y "${args[@]}" -c:a pcm_s16le out.wav
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

// pitch is config.yaml's frequency of each tone (the start of a sweep).
var pitch = map[string]float64{
	"chime": 660, "pip": 1000, "zero": 1000, "tick-up": 520, "tick-down": 390, "inhale": 220,
	"exhale": 330, "hold": 262, "return": 220, "end": 523, "reminder": 440, "wake": 30,
}

// soundLength mirrors the lengths of cued's tone designs.
func soundLength(e sequencer.Event) time.Duration {
	limit := map[string]time.Duration{"tick-up": 70 * time.Millisecond, "tick-down": 70 * time.Millisecond,
		"pip": 110 * time.Millisecond, "chime": 1400 * time.Millisecond, "end": 2600 * time.Millisecond}
	if e.Kind == sequencer.KindBreath {
		return e.Length
	}
	if l, ok := limit[e.Tone]; ok {
		return min(l, e.Length)
	}
	return min(250*time.Millisecond, e.Length)
}

func main() {
	tlPath := flag.String("timeline", "", "timeline JSON (cued timeline --json)")
	clips := flag.String("clips", "", "folder of <cue>.wav clips")
	script := flag.String("script", "", "file to write the filtergraph to")
	rate := flag.Int("rate", 44100, "output sample rate")
	flag.Parse()
	if *tlPath == "" || *clips == "" || *script == "" {
		fmt.Fprintln(os.Stderr, "ffmix: -timeline, -clips and -script are required")
		os.Exit(2)
	}
	args, graph, err := build(*tlPath, *clips, *script, *rate)
	if err == nil {
		err = os.WriteFile(*script, []byte(graph), 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ffmix:", err)
		os.Exit(1)
	}
	fmt.Println(strings.Join(args, "\n"))
}

func build(tlPath, clips, script string, rate int) (args []string, graph string, err error) {
	b, err := os.ReadFile(tlPath)
	if err != nil {
		return nil, "", err
	}
	var tl sequencer.Timeline
	if err := json.Unmarshal(b, &tl); err != nil {
		return nil, "", err
	}
	var g strings.Builder
	var labels []string
	inputs := 0
	for i, e := range tl.Events {
		ms := e.Start.Milliseconds()
		label := fmt.Sprintf("e%d", i)
		switch e.Kind {
		case sequencer.KindMark:
			continue
		case sequencer.KindVoice:
			path := filepath.Join(clips, e.Cue+".wav")
			if _, err := os.Stat(path); err != nil {
				return nil, "", fmt.Errorf("no clip for cue %q: %w", e.Cue, err)
			}
			args = append(args, "-i", path)
			fmt.Fprintf(&g, "[%d:a]aresample=%d,adelay=%d:all=1[%s];\n", inputs, rate, ms, label)
			inputs++
		default:
			f, ok := pitch[e.Tone]
			if !ok {
				return nil, "", fmt.Errorf("no pitch for tone %q", e.Tone)
			}
			d := soundLength(e).Seconds()
			if d <= 0 {
				continue
			}
			fade := min(0.015, d/3)
			fmt.Fprintf(&g, "sine=f=%g:r=%d:d=%.3f,afade=t=in:d=%.3f,afade=t=out:st=%.3f:d=%.3f,volume=%gdB,adelay=%d:all=1[%s];\n",
				f, rate, d, min(0.005, d/3), d-fade, fade, e.GainDB, ms, label)
		}
		labels = append(labels, "["+label+"]")
	}
	if len(labels) == 0 {
		return nil, "", fmt.Errorf("%s: nothing to mix", tlPath)
	}
	fmt.Fprintf(&g, "%samix=inputs=%d:normalize=0:dropout_transition=0:duration=longest,apad=whole_dur=%.3f,pan=stereo|c0=c0|c1=c0,aformat=sample_fmts=s16[out]\n",
		strings.Join(labels, ""), len(labels), tl.Length.Seconds())
	args = append(args, "-filter_complex_script", script, "-map", "[out]")
	return args, g.String(), nil
}
