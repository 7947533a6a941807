package routine

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

const valid = `id: demo
name: Demo
steps:
  - id: roll
    name: Roll
    work: 30s-60s
    segments: 2-3
    oscillate: {period: 2s}
  - id: breathe
    name: Breathe
    breaths:
      reps: 10-15
      inhale: 3s
      exhale: 4s
      hold: 1s-2s
`

func TestParseValid(t *testing.T) {
	r, err := Parse("demo.yaml", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "demo" || len(r.Steps) != 2 {
		t.Fatalf("got %+v", r)
	}
	s := r.Steps[0]
	if s.Work != (DurationRange{30 * time.Second, 60 * time.Second}) || s.Segments != (IntRange{2, 3}) {
		t.Errorf("step 0: work %v segments %v", s.Work, s.Segments)
	}
	b := r.Steps[1].Breaths
	hold, _ := b.Find(Hold)
	if b.Reps != (IntRange{10, 15}) || hold.Length != (DurationRange{time.Second, 2 * time.Second}) || b.Speak != SpeakFirst || !b.Count {
		t.Errorf("breaths %+v", b)
	}
	if s.Announce != defaultAnnounce {
		t.Errorf("announce %+v, want defaults %+v", s.Announce, defaultAnnounce)
	}
}

// TestParseErrors checks every error with its exact position and that the
// message says what would be valid.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"empty", ``, "x.yaml:1:1: the file is empty"},
		{"not yaml", "id: [a\n", "x.yaml:1:1: not valid YAML near line 1: did not find expected"},
		{"tab", "id: t\nname: T\nsteps:\n  - id: a\n\tname: A\n    work: 30s\n", "x.yaml:5:1: a tab in the indentation (indent with spaces"},
		{"tab after spaces", "id: t\nname: T\nsteps:\n  - id: a\n  \t  name: A\n    work: 30s\n", "x.yaml:5:3: a tab in the indentation"},
		{"side unknown", step("work: 30s\n    sides: [left, up]"), `x.yaml:7:19: side "up" is not a side (sides: [left, right], [right, left], or a count from 2 to 4)`},
		{"side twice", step("work: 30s\n    sides: [left, left]"), `x.yaml:7:19: side "left" is named twice`},
		{"one side", step("work: 30s\n    sides: [left]"), "x.yaml:7:12: sides lists 1 side(s)"},
		{"sides count", step("work: 30s\n    sides: 5"), "x.yaml:7:12: sides 5 is out of range (2 to 4)"},
		{"two documents", "id: a\nname: A\nsteps:\n  - {id: s, name: S, work: 30s}\n---\nid: b\n", "x.yaml:5:1: a second YAML document"},
		{"not a mapping", "- a\n", "x.yaml:1:1: the routine must be a mapping"},
		{"missing steps", "id: a\nname: A\n", "x.yaml:1:1: the routine has no steps"},
		{"unknown key", "id: a\nname: A\ncolor: red\nsteps: []\n", `x.yaml:3:1: unknown key "color" in the routine (valid: id, name,`},
		{"empty steps", "id: a\nname: A\nsteps: []\n", "x.yaml:3:8: steps is empty"},
		{"bad id", "id: A_b\nname: A\nsteps: []\n", `x.yaml:1:5: id "A_b" is not a valid id (lower-case`},
		{"duplicate key", "id: a\nid: b\nname: A\nsteps: []\n", `x.yaml:2:1: key "id" appears twice in the routine (first at line 1)`},
		{"negative work", step("work: -5s"), `x.yaml:6:11: work "-5s" is negative (a duration from 1s to 30m`},
		{"no unit", step("work: 45"), `x.yaml:6:11: work "45" needs a unit`},
		{"min > max", step("work: 60s-30s"), "x.yaml:6:11: work 60s-30s has its low end above its high end (write it low-high, e.g. 30s-1m)"},
		{"work wrong type", step("work: [1]"), "x.yaml:6:11: work must be a duration or a range, not a list"},
		{"too long", step("work: 2h"), "x.yaml:6:11: work 2h is out of range (a duration from 1s to 30m"},
		{"zero segments", step("work: 30s\n    segments: 0"), "x.yaml:7:15: segments 0 is out of range (1 to 20)"},
		{"segments reversed", step("work: 30s\n    segments: 3-2"), "x.yaml:7:15: segments 3-2 has its low end above its high end (write it low-high, e.g. 2-3)"},
		{"both", step("work: 30s\n    breaths: {reps: 3, inhale: 1s, exhale: 1s}"), "x.yaml:7:5: a step has one of work, breaths or count, not two"},
		{"neither", step("segments: 2"), "x.yaml:4:5: the step has neither work, breaths nor count"},
		{"count without tempo", step("count: {reps: 10}"), "x.yaml:6:12: count has no tempo (it needs reps, e.g. 10, and tempo, the time of one rep, e.g. 3s)"},
		{"count too many", step("count: {reps: 30, tempo: 3s}"), "x.yaml:6:19: reps 30 is out of range (1 to 20)"},
		{"count and work", step("work: 30s\n    count: {reps: 10, tempo: 3s}"), "x.yaml:7:5: a step has one of work, breaths or count, not two"},
		{"zero reps", step("breaths: {reps: 0, inhale: 3s, exhale: 4s}"), "x.yaml:6:21: reps 0 is out of range (1 to 100)"},
		{"no inhale", step("breaths: {reps: 10, exhale: 4s}"), "x.yaml:6:14: breaths has no inhale"},
		{"bad speak", step("breaths: {reps: 10, inhale: 3s, exhale: 4s, speak: some}"), `x.yaml:6:56: speak "some" is not a choice (first, all or none)`},
		{"last reps too many", "id: a\nname: A\nannounce: {last_reps: 5}\nsteps:\n  - id: s\n    name: S\n    breaths: {reps: 3-5, inhale: 3s, exhale: 4s}\n",
			"x.yaml:7:14: last_reps 5 must be fewer than the fewest reps 3 (0 to 2)"},
		{"countdown too long", "id: a\nname: A\nannounce: {countdown: 10}\nsteps:\n  - id: s\n    name: S\n    work: 10s\n",
			"x.yaml:7:11: countdown 10 does not fit into a 10s segment (at most 5"},
		{"oscillate on breaths", step("breaths: {reps: 3, inhale: 1s, exhale: 1s}\n    oscillate: {period: 2s}"), "x.yaml:7:5: oscillate paces timed work, not breaths"},
		{"period missing", step("work: 30s\n    oscillate: {travel: far}"), "x.yaml:7:16: oscillate has no period"},
		{"period tiny", step("work: 30s\n    oscillate: {period: 10ms}"), "x.yaml:7:25: period 10ms is out of range"},
		{"cue without say", step("work: 30s\n    setup: [{cue: a}]"), "x.yaml:7:13: a cue in setup needs both cue (its id) and say"},
		{"cue reserved", step("work: 30s\n    setup: [{cue: num-1, say: One}]"), `x.yaml:7:19: cue id "num-1" uses the prefix "num-"`},
		{"cue two texts", step("work: 30s\n    setup: [{cue: a, say: One}, {cue: a, say: Two}]"), `x.yaml:7:47: cue "a" says something else than at line 7`},
		{"then a range", step("work: 30s\n    setup: [{cue: a, say: A, then: 2s-4s}]"), "x.yaml:7:36: then must be one duration, not a range (e.g. 2s)"},
		{"then too long", step("work: 30s\n    setup: [{cue: a, say: A, then: 1m}]"), "x.yaml:7:36: then 1m is out of range (a duration from 0s to 30s such as 15s, or a range such as 0s-15s)"},
		{"then on a phase", step("breaths: {reps: 5, inhale: 1s, exhale: 1s, cues: {inhale: {cue: i, say: In, then: 1s}}}"),
			"x.yaml:6:63: a breath phase cue cannot have then"},
		{"pattern and inhale", step("breaths: {reps: 4, inhale: 4s, pattern: [{inhale: 4s}, {exhale: 4s}]}"),
			"x.yaml:6:24: breaths has both pattern and inhale: write every phase (and its cue) in pattern"},
		{"pattern phase with two names", step("breaths: {reps: 4, pattern: [{inhale: 4s, hold: 4s}, {exhale: 4s}]}"),
			"x.yaml:6:47: a phase of pattern has both inhale and hold: one phase per item"},
		{"pattern phase without a name", step("breaths: {reps: 4, pattern: [{cue: a, say: A}, {inhale: 4s}, {exhale: 4s}]}"),
			"x.yaml:6:34: a phase of pattern needs one of inhale, exhale, hold, return with its duration (e.g. inhale: 4s)"},
		{"pattern without exhale", step("breaths: {reps: 4, pattern: [{inhale: 4s}, {hold: 4s}]}"),
			"x.yaml:6:33: pattern needs at least one inhale and one exhale"},
		{"pattern empty", step("breaths: {reps: 4, pattern: []}"),
			"x.yaml:6:33: pattern is empty (e.g. [{inhale: 4s}, {hold: 4s}, {exhale: 4s}, {hold: 4s}])"},
		{"pattern phase too short", step("breaths: {reps: 4, pattern: [{inhale: 0.2s}, {exhale: 4s}]}"),
			"x.yaml:6:43: inhale 0.2s is out of range"},
		{"rounds a range", "rounds: 2-3\n" + step("work: 30s"), "x.yaml:1:9: rounds must be one count, not a range (e.g. 3)"},
		{"rounds too many", "rounds: 11\n" + step("work: 30s"), "x.yaml:1:9: rounds 11 is out of range (1 to 10)"},
		{"wait not a choice", step("work: 30s\n    setup: [{cue: a, say: A, wait: yes}]"),
			`x.yaml:7:36: wait is "yes"; it must be pace (wait for the listener when the session's pace is wait) or always`},
		{"wait on a phase", step("breaths: {reps: 5, inhale: 1s, exhale: 1s, cues: {inhale: {cue: i, say: In, wait: always}}}"),
			"x.yaml:6:63: a breath phase cue cannot have then or wait"},
		{"budget without warmup", "id: a\nname: A\nbudget: 5m\nsteps:\n  - {id: s, name: S, work: 30s}\n", "x.yaml:3:9: budget applies to warm-up routines only"},
		{"bool wrong", "id: a\nname: A\nwarmup: yes please\nsteps:\n  - {id: s, name: S, work: 30s}\n", `x.yaml:3:9: warmup must be true or false, not "yes please"`},
		{"dup step id", "id: a\nname: A\nsteps:\n  - {id: s, name: S, work: 30s}\n  - {id: s, name: T, work: 30s}\n", `x.yaml:5:5: step id "s" is used twice (first at line 4`},
		{"bad level-free range", step("work: 30s-40s-50s"), `x.yaml:6:11: work "30s-40s-50s" is not a duration or a range`},
		{"alias step", "id: a\nname: A\nsteps: [&s {id: x, name: y, work: 10s}, *s]\n", "x.yaml:3:41: aliases (*s) are not supported in routine files (write the value out)"},
		{"alias name", "id: &n a\nname: *n\nsteps:\n  - {id: s, name: S, work: 30s}\n", "x.yaml:2:7: aliases (*n) are not supported"},
		{"alias list", step("work: 30s\n    setup: &l [{cue: a, say: A}]\n    between: *l"), "x.yaml:8:14: aliases (*l) are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error; want %q", tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not match ErrInvalid", err)
			}
			var first *Error
			if !errors.As(err, &first) {
				t.Fatalf("error %v has no *Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got:\n%v\nwant a line starting:\n%s", err, tt.want)
			}
		})
	}
}

// step wraps step keys into a one-step routine; the step's keys start at
// line 6, column 5.
func step(keys string) string {
	return "id: a\nname: A\nsteps:\n  - id: s\n    name: S\n    " + keys + "\n"
}

// TestSides reads sides by name and by count.
func TestSides(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"sides: [right, left]", "right left"},
		{"sides: 3", "1 2 3"},
		{"segments: 2", ""},
	} {
		t.Run(tt.src, func(t *testing.T) {
			r, err := Parse("x.yaml", []byte(step("work: 30s\n    "+tt.src)))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Steps[0].Sides, " "); got != tt.want {
				t.Errorf("sides %q, want %q", got, tt.want)
			}
		})
	}
}

// TestThen reads settle times and checks where the timeline puts them.
func TestThen(t *testing.T) {
	r, err := Parse("x.yaml", []byte(step("work: 30s\n    setup: [{cue: a, say: A, then: 4s}, {cue: b, say: B}]\n    start: {cue: go, say: Go, then: 1.5s}")))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Steps[0]
	if s.Setup[0].Then != 4*time.Second || s.Setup[0].ThenPos != (Pos{7, 36}) || s.Setup[1].Then != 0 || s.Start.Then != 1500*time.Millisecond {
		t.Errorf("then: %+v / %+v / %+v", s.Setup[0], s.Setup[1], s.Start)
	}
}

// TestPattern reads breath patterns: box breathing with a cue on a phase,
// a physiological sigh (two inhales), and the short keys as a pattern.
func TestPattern(t *testing.T) {
	sec := func(n float64) DurationRange {
		d := time.Duration(n * float64(time.Second))
		return DurationRange{d, d}
	}
	for _, tt := range []struct {
		name, src string
		want      []Phase
		lengths   []DurationRange
	}{
		{"box", "breaths: {reps: 4, pattern: [{inhale: 4s, cue: box-in, say: In.}, {hold: 4s}, {exhale: 4s}, {hold: 4s}]}",
			[]Phase{Inhale, Hold, Exhale, Hold}, []DurationRange{sec(4), sec(4), sec(4), sec(4)}},
		{"sigh", "breaths: {reps: 5, pattern: [{inhale: 2s}, {inhale: 1s}, {exhale: 6s}]}",
			[]Phase{Inhale, Inhale, Exhale}, []DurationRange{sec(2), sec(1), sec(6)}},
		{"short keys", "breaths: {reps: 5, inhale: 3s, exhale: 4s, hold: 1s-2s, return: 2s}",
			[]Phase{Inhale, Exhale, Hold, Return}, []DurationRange{sec(3), sec(4), {time.Second, 2 * time.Second}, sec(2)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse("x.yaml", []byte(step(tt.src)))
			if err != nil {
				t.Fatal(err)
			}
			b := r.Steps[0].Breaths
			var got []Phase
			var lengths []DurationRange
			for _, ph := range b.Pattern {
				got, lengths = append(got, ph.Phase), append(lengths, ph.Length)
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(lengths, tt.lengths) {
				t.Errorf("pattern %v %v, want %v %v", got, lengths, tt.want, tt.lengths)
			}
		})
	}
	r, _ := Parse("x.yaml", []byte(step("breaths: {reps: 4, pattern: [{inhale: 4s, cue: box-in, say: In.}, {exhale: 4s}]}")))
	if c := r.Steps[0].Breaths.Pattern[0].Cue; c == nil || c.ID != "box-in" || c.Text != "In." {
		t.Errorf("the inhale's cue: %+v", c)
	}
}

// TestPlan reads a routine's plan cues, one per level.
func TestPlan(t *testing.T) {
	r, err := Parse("x.yaml", []byte("plan: {gentle: {cue: p-g, say: Short.}, full: {cue: p-f, say: Long.}}\n"+step("work: 30s")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Plan[Gentle] == nil || r.Plan[Gentle].ID != "p-g" || r.Plan[Standard] != nil || r.Plan[Full].Text != "Long." {
		t.Errorf("plan %+v", r.Plan)
	}
	if _, err := Parse("x.yaml", []byte("plan: {easy: {cue: p, say: P.}}\n"+step("work: 30s"))); err == nil ||
		!strings.Contains(err.Error(), `x.yaml:1:8: unknown key "easy" in plan (valid: gentle, standard, full)`) {
		t.Errorf("a plan for no level: %v", err)
	}
}

// TestDaily reads a routine's daily list.
func TestDaily(t *testing.T) {
	r, err := Parse("x.yaml", []byte("daily: [basic, other]\n"+step("work: 30s")))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Daily, []string{"basic", "other"}) {
		t.Errorf("daily %q", r.Daily)
	}
}

// TestWait reads the waits of cues, and where they are set.
func TestWait(t *testing.T) {
	r, err := Parse("x.yaml", []byte(step("work: 30s\n    setup: [{cue: a, say: A, then: 4s, wait: pace}, {cue: b, say: B}]\n    start: {cue: go, say: Go, wait: always}")))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Steps[0]
	if s.Setup[0].Wait != WaitPace || s.Setup[0].WaitPos != (Pos{7, 46}) || s.Setup[1].Wait != WaitNever || s.Start.Wait != WaitAlways {
		t.Errorf("wait: %+v / %+v / %+v", s.Setup[0], s.Setup[1], s.Start)
	}
}

func TestRanges(t *testing.T) {
	d := DurationRange{30 * time.Second, 45 * time.Second}
	if d.At(Gentle) != 30*time.Second || d.At(Standard) != 37500*time.Millisecond || d.At(Full) != 45*time.Second {
		t.Errorf("duration range levels: %v %v %v", d.At(Gentle), d.At(Standard), d.At(Full))
	}
	i := IntRange{10, 15}
	if i.At(Gentle) != 10 || i.At(Standard) != 12 || i.At(Full) != 15 {
		t.Errorf("int range levels: %v %v %v", i.At(Gentle), i.At(Standard), i.At(Full))
	}
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{{45 * time.Second, "45s"}, {1500 * time.Millisecond, "1.5s"}, {2 * time.Minute, "2m"}, {90 * time.Second, "1m30s"}} {
		t.Run(tt.d.String(), func(t *testing.T) {
			if got := FormatDuration(tt.d); got != tt.want {
				t.Errorf("FormatDuration(%v) = %q, want %q", tt.d, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(valid))
	f.Add([]byte(step("work: 30s-60s")))
	f.Add([]byte("id: &a x\nname: *a\nsteps: [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.yaml", data)
		if err == nil && (r == nil || r.ID == "" || len(r.Steps) == 0) {
			t.Fatalf("valid routine without id or steps: %+v", r)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error does not match ErrInvalid: %v", err)
		}
	})
}

// TestDocsExample parses the example routine of docs/routines.md, so that
// the format's documentation cannot drift from the parser.
func TestDocsExample(t *testing.T) {
	b, err := os.ReadFile("../docs/routines.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	start := strings.Index(doc, "```yaml\n")
	if start < 0 {
		t.Fatal("docs/routines.md has no ```yaml block")
	}
	body := doc[start+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	r, err := Parse("docs/routines.md", []byte(body))
	if err != nil {
		t.Fatalf("the documented example does not parse:\n%v", err)
	}
	if r.Steps[0].Setup[0].Then != 5*time.Second || r.Steps[0].Start.Then != 2*time.Second {
		t.Errorf("the example's settle times: %+v %+v", r.Steps[0].Setup[0], r.Steps[0].Start)
	}
}
