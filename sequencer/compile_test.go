package sequencer

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/routine"
)

var update = flag.Bool("update", false, "rewrite the golden timelines in testdata/")

// fakeClips gives every clip a length from its text: deterministic and
// close to real speech, like the voice bank would.
type fakeClips map[string]string

func (f fakeClips) ClipLength(id string) (time.Duration, bool) {
	t, ok := f[id]
	if !ok {
		return 0, false
	}
	return time.Duration(len(t))*62*time.Millisecond + 123457*time.Microsecond, true
}

// builtin returns the coach's built-in routines in id order (tspine-3way,
// tspine-basic), whose programming the tests check; the sound check
// (test-sound) has its own test.
func builtin(t testing.TB) []*routine.Routine {
	t.Helper()
	rs, err := library.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var out []*routine.Routine
	for _, r := range rs {
		if r.ID != "test-sound" {
			out = append(out, r)
		}
	}
	return out
}

// TestSoundCheck: the sound check plays one of each sound the sequencer
// makes, in the order its voice names them: the part chime, the voice,
// pacing ticks, countdown pips and the zero, the breath phases, the end.
func TestSoundCheck(t *testing.T) {
	rs, err := library.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var r *routine.Routine
	for _, x := range rs {
		if x.ID == "test-sound" {
			r = x
		}
	}
	if r == nil {
		t.Fatal("no built-in test-sound")
	}
	tl, err := Compile(r, Options{}, fakeClips(CueTexts(r)))
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]time.Duration{}
	for _, e := range tl.Events {
		name := string(e.Kind)
		if e.Kind != KindVoice && e.Kind != KindMark {
			name = e.Tone
		}
		if _, ok := first[name]; !ok {
			first[name] = e.Start
		}
	}
	order := []string{ToneChime, "voice", ToneTickUp, ToneTickDown, TonePip, ToneZero, ToneInhale, ToneExhale, ToneHold, ToneReturn, ToneEnd}
	for i, name := range order {
		at, ok := first[name]
		if !ok {
			t.Fatalf("the sound check has no %s", name)
		}
		if i > 0 && at <= first[order[i-1]] {
			t.Errorf("%s comes at %s, before %s at %s", name, Clock(at), order[i-1], Clock(first[order[i-1]]))
		}
	}
}

func TestGolden(t *testing.T) {
	for _, r := range builtin(t) {
		for _, c := range []struct {
			l    routine.Level
			pace Pace
		}{{routine.Gentle, PaceTimed}, {routine.Standard, PaceTimed}, {routine.Full, PaceTimed},
			{routine.Gentle, PaceWait}, {routine.Standard, PaceWait}, {routine.Full, PaceWait}} {
			name := fmt.Sprintf("%s-%s", r.ID, c.l)
			if c.pace == PaceWait {
				name += "-wait"
			}
			t.Run(name, func(t *testing.T) {
				tl, err := Compile(r, Options{Level: c.l, Pace: c.pace}, fakeClips(CueTexts(r)))
				if err != nil {
					t.Fatal(err)
				}
				var got bytes.Buffer
				if err := tl.Format(&got); err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", name+".golden")
				if *update {
					if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./sequencer -update to create it)", err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Errorf("timeline differs from %s (run with -update if the change is intended)\n%s", path, firstDiff(got.Bytes(), want))
				}
			})
		}
	}
}

func firstDiff(a, b []byte) string {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := 0; i < len(la) && i < len(lb); i++ {
		if !bytes.Equal(la[i], lb[i]) {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(la), len(lb))
}

// TestInvariants checks, for every built-in routine at every level, with
// real-like and estimated clip lengths, what every timeline must satisfy.
func TestInvariants(t *testing.T) {
	for _, r := range builtin(t) {
		for _, l := range routine.Levels {
			for _, clips := range []ClipLengths{nil, fakeClips(CueTexts(r))} {
				tl, err := Compile(r, Options{Level: l}, clips)
				if err != nil {
					t.Fatal(err)
				}
				if err := Check(tl); err != nil {
					t.Errorf("%s %s: %v", r.ID, l, err)
				}
			}
		}
	}
}

// TestSeedNumbers checks that the numbers of the coach's routines come out
// exactly at each level: work per segment, segments, breaths, the hold.
func TestSeedNumbers(t *testing.T) {
	type want struct {
		work     []time.Duration // per timed step
		segments []int           // per step
		reps     int
		hold     time.Duration
	}
	s := time.Second
	tests := map[string]map[routine.Level]want{
		"tspine-basic": {
			routine.Gentle:   {work: []time.Duration{30 * s}, segments: []int{2}},
			routine.Standard: {work: []time.Duration{45 * s}, segments: []int{2}},
			routine.Full:     {work: []time.Duration{60 * s}, segments: []int{3}},
		},
		"tspine-3way": {
			routine.Gentle:   {work: []time.Duration{30 * s, 30 * s}, segments: []int{1, 1, 1}, reps: 10, hold: s},
			routine.Standard: {work: []time.Duration{37500 * time.Millisecond, 37500 * time.Millisecond}, segments: []int{1, 1, 1}, reps: 12, hold: 1500 * time.Millisecond},
			routine.Full:     {work: []time.Duration{45 * s, 45 * s}, segments: []int{1, 1, 1}, reps: 15, hold: 2 * s},
		},
	}
	for _, r := range builtin(t) {
		for l, w := range tests[r.ID] {
			tl, err := Compile(r, Options{Level: l}, fakeClips(CueTexts(r)))
			if err != nil {
				t.Fatal(err)
			}
			var works []time.Duration
			var segs []int
			for _, st := range tl.Steps {
				segs = append(segs, st.Segments)
				if st.Work > 0 {
					works = append(works, st.Work)
				}
			}
			if !reflect.DeepEqual(works, w.work) || !reflect.DeepEqual(segs, w.segments) {
				t.Errorf("%s %s: work %v segments %v, want %v %v", r.ID, l, works, segs, w.work, w.segments)
			}
			measured := measure(tl, r)
			for _, d := range measured.work {
				if !contains(w.work, d) {
					t.Errorf("%s %s: a timed segment lasts %v on the timeline, want one of %v", r.ID, l, d, w.work)
				}
			}
			if measured.reps != w.reps {
				t.Errorf("%s %s: %d breaths (exhale phases), want %d", r.ID, l, measured.reps, w.reps)
			}
			for _, h := range measured.holds {
				if h != w.hold {
					t.Errorf("%s %s: a hold lasts %v, want %v", r.ID, l, h, w.hold)
				}
			}
		}
	}
}

type measured struct {
	work  []time.Duration
	reps  int
	holds []time.Duration
}

// measure reads the work back from the events alone: a timed segment runs
// from the end of its start cue to the end of its last countdown pip's
// second; breaths are counted by exhale phases.
// measure reads the numbers back from the timeline: a timed segment runs
// from the end of its start cue plus that cue's settle time (then) to its
// zero sound.
func measure(tl *Timeline, r *routine.Routine) measured {
	settle := map[string]time.Duration{WordBegin: 0}
	for _, s := range r.Steps {
		if s.Start != nil {
			settle[s.Start.ID] = s.Start.Then
		}
	}
	var m measured
	var w0 time.Duration = -1
	for _, e := range tl.Events {
		then, isStart := settle[e.Cue]
		switch {
		case e.Kind == KindVoice && isStart:
			w0 = e.End() + then
		case e.Kind == KindTone && e.Tone == ToneZero && w0 >= 0:
			m.work = append(m.work, e.Start-w0)
			w0 = -1
		case e.Kind == KindBreath && e.Tone == ToneExhale:
			m.reps++
		case e.Kind == KindBreath && e.Tone == ToneHold:
			m.holds = append(m.holds, e.Length)
		}
	}
	return m
}

func contains(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func TestDeterministic(t *testing.T) {
	r := builtin(t)[0]
	a, _ := Compile(r, Options{Level: routine.Full}, fakeClips(CueTexts(r)))
	b, _ := Compile(r, Options{Level: routine.Full}, fakeClips(CueTexts(r)))
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Fatal("two compiles of the same input differ")
	}
	var back Timeline
	if err := json.Unmarshal(ja, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, a) {
		t.Fatal("JSON round trip changed the timeline")
	}
}

func TestOverrides(t *testing.T) {
	rs := map[string]*routine.Routine{}
	for _, r := range builtin(t) {
		rs[r.ID] = r
	}
	tests := []struct {
		name    string
		routine string
		o       Options
		err     string
	}{
		{"basic, work and segments", "tspine-basic", Options{Work: 45 * time.Second, Segments: 3}, ""},
		{"basic, work too long", "tspine-basic", Options{Work: 90 * time.Second}, `override out of range: --work 1m30s is outside step "roll"'s range 30s-1m`},
		{"basic, reps with no step for them", "tspine-basic", Options{Reps: 12}, `override out of range: --reps 12: routine "tspine-basic" has no step it applies to`},
		{"3way, reps and work", "tspine-3way", Options{Reps: 12, Work: 40 * time.Second}, ""},
		{"3way, too many reps", "tspine-3way", Options{Reps: 16}, `--reps 16 is outside step "extension"'s range 10-15`},
		{"3way, segments with no step for them", "tspine-3way", Options{Segments: 2}, `--segments 2: routine "tspine-3way" has no step it applies to`},
		{"3way, unknown level", "tspine-3way", Options{Level: "hard"}, `level "hard" is not a level (gentle, standard or full)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl, err := Compile(rs[tt.routine], tt.o, nil)
			if tt.err == "" {
				if err != nil {
					t.Errorf("%s %+v: %v", tt.routine, tt.o, err)
					return
				}
				m := measure(tl, rs[tt.routine])
				if tt.o.Reps != 0 && m.reps != tt.o.Reps {
					t.Errorf("%s: %d reps, want %d", tt.routine, m.reps, tt.o.Reps)
				}
				if tt.o.Segments != 0 && tl.Steps[0].Segments != tt.o.Segments {
					t.Errorf("%s: %d segments, want %d", tt.routine, tl.Steps[0].Segments, tt.o.Segments)
				}
				for _, w := range m.work {
					if w != tt.o.Work {
						t.Errorf("%s: work %v, want %v", tt.routine, w, tt.o.Work)
					}
				}
				return
			}
			if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tt.err)) {
				t.Errorf("%s %+v: error %v, want %q", tt.routine, tt.o, err, tt.err)
			}
			if tt.o.Level == "" && !errors.Is(err, ErrOverride) {
				t.Errorf("%v does not match ErrOverride", err)
			}
		})
	}
}

func TestEstimatedReported(t *testing.T) {
	r := builtin(t)[0]
	clips := fakeClips(CueTexts(r))
	delete(clips, WordHalfway)
	tl, err := Compile(r, Options{}, clips)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(tl.Estimated, []string{WordHalfway}) {
		t.Errorf("estimated %v, want [%s]", tl.Estimated, WordHalfway)
	}
}

func BenchmarkCompile3Way(b *testing.B) {
	var r *routine.Routine
	for _, x := range builtin(b) {
		if x.ID == "tspine-3way" {
			r = x
		}
	}
	clips := fakeClips(CueTexts(r))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(r, Options{Level: routine.Full}, clips); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseCompile(f *testing.F) {
	for _, name := range []string{"tspine-basic.yaml", "tspine-3way.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "library", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := routine.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, l := range routine.Levels {
			tl, err := Compile(r, Options{Level: l}, nil)
			if err != nil {
				t.Fatalf("a valid routine failed to compile: %v", err)
			}
			if err := Check(tl); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestOneGrid checks every timed segment of the built-in routines at
// every level: ticks and pips fall one beat apart without a break, the
// pips on the beats of the last five seconds, and the zero sound on the
// beat that ends the work.
func TestOneGrid(t *testing.T) {
	beats := map[string][]time.Duration{"tspine-basic": {time.Second}, "tspine-3way": {time.Second, 750 * time.Millisecond}}
	for _, r := range builtin(t) {
		for _, l := range routine.Levels {
			t.Run(r.ID+"/"+string(l), func(t *testing.T) {
				tl, err := Compile(r, Options{Level: l}, fakeClips(CueTexts(r)))
				if err != nil {
					t.Fatal(err)
				}
				var beat []time.Duration // the grid of the segment under way
				seg := 0
				for _, e := range tl.Events {
					switch {
					case e.Kind == KindPacing || (e.Kind == KindTone && e.Tone == TonePip):
						beat = append(beat, e.Start)
					case e.Kind == KindTone && e.Tone == ToneZero:
						want := beats[r.ID][min(seg, len(beats[r.ID])-1)]
						beat = append(beat, e.Start)
						for i := 1; i < len(beat); i++ {
							if d := beat[i] - beat[i-1]; d != want {
								t.Fatalf("segment %d: %v between beats at %v, want %v", seg, d, beat[i], want)
							}
						}
						pips := 0
						for _, ev := range tl.Events {
							if ev.Kind == KindTone && ev.Tone == TonePip && ev.Start < e.Start && ev.Start >= e.Start-5*time.Second {
								pips++
							}
						}
						if want := int(5 * time.Second / want); pips != want {
							t.Errorf("segment %d: %d pips in the last 5 s, want %d", seg, pips, want)
						}
						beat, seg = nil, seg+1
					}
				}
				if seg == 0 {
					t.Fatal("no zero sound")
				}
			})
		}
	}
}

// TestSettle checks that a cue's then is silence before what follows: the
// next cue, or the work after the start cue.
func TestSettle(t *testing.T) {
	src := `id: settle
name: Settle
steps:
  - id: s
    name: S
    setup:
      - {cue: lie-down, say: Lie down., then: 4s}
      - {cue: ready, say: Ready.}
    start: {cue: go, say: Lift and go., then: 1.5s}
    work: 10s
    oscillate: {period: 2s}
`
	r, err := routine.Parse("settle.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := Compile(r, Options{}, fakeClips(CueTexts(r)))
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]Event{}
	var firstTick time.Duration = -1
	for _, e := range tl.Events {
		if e.Kind == KindVoice {
			at[e.Cue] = e
		}
		if e.Kind == KindPacing && firstTick < 0 {
			firstTick = e.Start
		}
	}
	if got, want := at["ready"].Start, at["lie-down"].End()+speechGap+4*time.Second; got != want {
		t.Errorf("the cue after then: 4s starts at %v, want %v", got, want)
	}
	if got, want := firstTick, at["go"].End()+1500*time.Millisecond; got != want {
		t.Errorf("the work after the start cue's then: 1.5s begins at %v, want %v", got, want)
	}
}

// TestSilences finds the stretches where nothing sounds: a timed part
// without pacing is one, the built-ins have none over 10 s.
func TestSilences(t *testing.T) {
	src := `id: quiet
name: Quiet
announce: {halfway: false, countdown: 0}
steps:
  - id: lie
    name: Lie still
    start: {cue: lie, say: Lie still.}
    work: 30s
`
	r, err := routine.Parse("quiet.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := Compile(r, Options{}, fakeClips(CueTexts(r)))
	if err != nil {
		t.Fatal(err)
	}
	got := tl.Silences(10 * time.Second)
	if len(got) != 1 || got[0].End-got[0].Start < 30*time.Second || got[0].After.Cue != "lie" || got[0].Step != 0 {
		t.Fatalf("silences %+v, want the 30 s after the start cue", got)
	}
	for _, b := range builtin(t) {
		for _, l := range routine.Levels {
			tl, err := Compile(b, Options{Level: l}, fakeClips(CueTexts(b)))
			if err != nil {
				t.Fatal(err)
			}
			if s := tl.Silences(10 * time.Second); len(s) > 0 {
				t.Errorf("%s %s: silences over 10 s: %+v", b.ID, l, s)
			}
		}
	}
}

// TestSides repeats a step's segments per side: the first side is said
// after the set-up, each later one is a mark of its own, said, with time
// to turn over; segments count within their side.
func TestSides(t *testing.T) {
	src := `id: couch
name: Couch stretch
steps:
  - id: stretch
    name: Couch stretch
    setup: [{cue: knee, say: Kneel with one knee against the wall.}]
    sides: [left, right]
    segments: 2
    work: 30s
`
	tl := compileChecked(t, "couch.yaml", src)
	var labels, said []string
	var now Event
	for _, e := range tl.Events {
		switch e.Kind {
		case KindMark:
			labels = append(labels, e.Label)
		case KindVoice:
			if strings.HasPrefix(e.Cue, "word-side-") || strings.HasPrefix(e.Cue, "word-now-") {
				said = append(said, e.Cue)
			}
			if e.Cue == SideCue("right", false) {
				now = e
			}
		}
	}
	want := []string{"part 1/1: Couch stretch", "part 1/1: Couch stretch, side 1/2: left, segment 2/2",
		"part 1/1: Couch stretch, side 2/2: right", "part 1/1: Couch stretch, side 2/2: right, segment 2/2"}
	if strings.Join(labels, "|") != strings.Join(want, "|") {
		t.Errorf("marks %q, want %q", labels, want)
	}
	if strings.Join(said, " ") != "word-side-left word-now-right" {
		t.Errorf("side cues %q", said)
	}
	for _, e := range tl.Events {
		if e.Kind == KindVoice && e.Cue == WordBegin && e.Start > now.Start {
			if gap := e.Start - now.End(); gap < sideSettle {
				t.Errorf("the right side begins %v after it is said, want at least %v to turn over", gap, sideSettle)
			}
			break
		}
	}
	if tl.Steps[0].Segments != 2 || strings.Join(tl.Steps[0].Sides, " ") != "left right" {
		t.Errorf("step info %+v", tl.Steps[0])
	}
}

// TestStepOverrides sets one step's values by id, each within its range.
func TestStepOverrides(t *testing.T) {
	rs := map[string]*routine.Routine{}
	for _, r := range builtin(t) {
		rs[r.ID] = r
	}
	r := rs["tspine-3way"]
	tl, err := Compile(r, Options{Level: routine.Gentle, Steps: map[string]Override{"arm-hug": {Work: 40 * time.Second}, "extension": {Reps: 13}}},
		fakeClips(CueTexts(r)))
	if err != nil {
		t.Fatal(err)
	}
	if w0, w1, reps := tl.Steps[0].Work, tl.Steps[1].Work, tl.Steps[2].Reps; w0 != 30*time.Second || w1 != 40*time.Second || reps != 13 {
		t.Errorf("work %v and %v, reps %d; want 30s (the level's), 40s and 13 (the overrides)", w0, w1, reps)
	}
	for _, tt := range []struct {
		steps map[string]Override
		want  string
	}{
		{map[string]Override{"hug": {Work: 40 * time.Second}}, `routine "tspine-3way" has no step "hug" (its steps: arms-extended, arm-hug, extension)`},
		{map[string]Override{"arm-hug": {Work: 50 * time.Second}}, `arm-hug=50s is outside step "arm-hug"'s range 30s-45s`},
		{map[string]Override{"extension": {Work: 40 * time.Second}}, `extension=40s: step "extension" is paced by reps, not timed`},
		{map[string]Override{"arm-hug": {Reps: 12}}, `arm-hug=12 reps: step "arm-hug" has no reps`},
		{map[string]Override{"arm-hug": {Segments: 2}}, `arm-hug=2 segments is outside step "arm-hug"'s range 1`},
	} {
		t.Run(tt.want, func(t *testing.T) {
			_, err := Compile(r, Options{Steps: tt.steps}, nil)
			if !errors.Is(err, ErrOverride) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want ErrOverride saying %q", err, tt.want)
			}
		})
	}
}

// TestPlanSpoken: the plan cue of the session's level is said after the
// intro, and none when an override makes the level's plan wrong.
func TestPlanSpoken(t *testing.T) {
	var basic *routine.Routine
	for _, r := range builtin(t) {
		if r.ID == "tspine-basic" {
			basic = r
		}
	}
	for _, tt := range []struct {
		name string
		o    Options
		want string
	}{
		{"gentle", Options{Level: routine.Gentle}, "basic-plan-gentle"},
		{"full", Options{Level: routine.Full}, "basic-plan-full"},
		{"work overridden", Options{Level: routine.Full, Work: 40 * time.Second}, ""},
		{"one part's segments overridden", Options{Level: routine.Full, Steps: map[string]Override{"roll": {Segments: 2}}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tl, err := Compile(basic, tt.o, fakeClips(CueTexts(basic)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range tl.Events {
				if e.Kind == KindVoice && strings.HasPrefix(e.Cue, "basic-plan-") {
					got = append(got, e.Cue)
				}
			}
			if want := []string{tt.want}; tt.want == "" && len(got) != 0 || tt.want != "" && !slices.Equal(got, want) {
				t.Errorf("plan cues %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRounds: rounds repeat the steps, each a part of the timeline; the
// round is said at each round after the first (the last as "Last round.")
// and the set-up only in the first.
func TestRounds(t *testing.T) {
	tl := compileChecked(t, "x.yaml", `id: c
name: C
rounds: 3
steps:
  - id: a
    name: A
    setup: [{cue: a-setup, say: Set up.}]
    work: 10s
  - id: b
    name: B
    count: {reps: 5, tempo: 2s}
`)
	var names []string
	for _, s := range tl.Steps {
		names = append(names, s.ID)
	}
	if want := []string{"a", "b", "a", "b", "a", "b"}; !slices.Equal(names, want) {
		t.Fatalf("parts %q, want %q", names, want)
	}
	var said []string
	for _, e := range tl.Events {
		if e.Kind == KindVoice && (e.Cue == "a-setup" || strings.HasPrefix(e.Cue, "word-round") || e.Cue == WordLastRound) {
			said = append(said, fmt.Sprintf("%s@%d", e.Cue, e.Step))
		}
	}
	if want := []string{"a-setup@0", "word-round-2@2", "word-last-round@4"}; !slices.Equal(said, want) {
		t.Errorf("said %q, want %q", said, want)
	}
}

// compileChecked parses src (named file), compiles it at the standard
// level with fake clips and checks the timeline's invariants.
func compileChecked(t *testing.T, file, src string) *Timeline {
	t.Helper()
	r, err := routine.Parse(file, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tl, err := Compile(r, Options{}, fakeClips(CueTexts(r)))
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(tl); err != nil {
		t.Fatal(err)
	}
	return tl
}
