package library

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

// TestSeedNumbers pins the coach's numbers in the built-in routines.
func TestSeedNumbers(t *testing.T) {
	set, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	s := time.Second
	basic, err := set.Find("tspine-basic")
	if err != nil {
		t.Fatal(err)
	}
	if len(basic.Steps) != 1 || basic.Warmup {
		t.Fatalf("tspine-basic: %d steps, warmup %v", len(basic.Steps), basic.Warmup)
	}
	roll := basic.Steps[0]
	if roll.Work != (routine.DurationRange{Min: 30 * s, Max: 60 * s}) || roll.Segments != (routine.IntRange{Min: 2, Max: 3}) || roll.Oscillate == nil {
		t.Errorf("tspine-basic roll: work %v segments %v oscillate %v", roll.Work, roll.Segments, roll.Oscillate)
	}
	var setup []string
	for _, c := range roll.Setup {
		setup = append(setup, c.Text)
	}
	all := strings.Join(setup, " ")
	for _, n := range []string{"forty-five degrees", "ninety"} {
		if !strings.Contains(all, n) {
			t.Errorf("tspine-basic set-up does not say %q: %s", n, all)
		}
	}

	three, err := set.Find("tspine-3way")
	if err != nil {
		t.Fatal(err)
	}
	if !three.Warmup || three.Budget != 5*time.Minute || len(three.Steps) != 3 {
		t.Fatalf("tspine-3way: warmup %v budget %v steps %d", three.Warmup, three.Budget, len(three.Steps))
	}
	for _, st := range three.Steps[:2] {
		if st.Work != (routine.DurationRange{Min: 30 * s, Max: 45 * s}) || st.Oscillate == nil {
			t.Errorf("tspine-3way %s: work %v", st.ID, st.Work)
		}
	}
	b := three.Steps[2].Breaths
	if b == nil {
		t.Fatal("tspine-3way extension has no breaths")
	}
	hold, _ := b.Find(routine.Hold)
	if b.Reps != (routine.IntRange{Min: 10, Max: 15}) || hold.Length != (routine.DurationRange{Min: s, Max: 2 * s}) {
		t.Fatalf("tspine-3way extension breaths: %+v", b)
	}
	if ex, _ := b.Find(routine.Exhale); ex.Cue == nil || !strings.Contains(strings.ToLower(ex.Cue.Text), "exhale fully") {
		t.Errorf("the exhale cue must say to exhale fully: %+v", ex.Cue)
	}
}

func TestLoadUserDir(t *testing.T) {
	dir := t.TempDir()
	good := "id: mine\nname: Mine\nsteps:\n  - {id: a, name: A, work: 30s}\n"
	override := "id: tspine-basic\nname: My basic\nsteps:\n  - {id: a, name: A, work: 40s}\n"
	bad := "id: broken\nname: Broken\nsteps:\n  - {id: a, name: A, work: -3s}\n"
	for n, s := range map[string]string{"a.yaml": good, "b.yaml": override, "c.yaml": bad, "notes.txt": "x"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(dir, filepath.Join(dir, "missing"))
	if err == nil || !errors.Is(err, routine.ErrInvalid) || !strings.Contains(err.Error(), "c.yaml:4:28: work \"-3s\" is negative") {
		t.Fatalf("want the bad file's error with its position, got %v", err)
	}
	if _, err := set.Find("mine"); err != nil {
		t.Error(err)
	}
	if r, _ := set.Find("tspine-basic"); r == nil || r.Name != "My basic" {
		t.Errorf("a user routine with a built-in id should replace it, got %+v", r)
	}
	if _, err := set.Find("broken"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "known: test-sound, tspine-3way") {
		t.Errorf("Find(broken) = %v", err)
	}
}

// TestLoadOver is a reload: a file broken mid-edit keeps its previous
// routine, a new file is taken.
func TestLoadOver(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "id: mine\nname: Mine\nsteps:\n  - {id: a, name: A, work: 30s}\n")
	prev, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	write("a.yaml", "id: mine\nname: Mine\nsteps:\n  - {id: a, name: A, work: -30s}\n")
	write("b.yaml", "id: new\nname: New\nsteps:\n  - {id: a, name: A, work: 30s}\n")
	set, err := LoadOver(prev, dir)
	if err == nil || !strings.Contains(err.Error(), `a.yaml:4:28: work "-30s" is negative`) ||
		!strings.Contains(err.Error(), `previous version of routine "mine" stays in use`) {
		t.Fatalf("error %v", err)
	}
	if r, err := set.Find("mine"); err != nil || r.Steps[0].Work.Min != 30*time.Second {
		t.Errorf("mine: %+v %v; want the previous version", r, err)
	}
	if _, err := set.Find("new"); err != nil {
		t.Errorf("the new file was not taken: %v", err)
	}
}

// TestExamples: every example routine in examples/ parses, compiles at
// every level into a timeline that keeps its invariants, and has no silence
// `cued check` would warn about.
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("examples/*.yaml")
	if len(files) == 0 {
		t.Fatal("no example routines")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r, err := ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range routine.Levels {
				tl, err := sequencer.Compile(r, sequencer.Options{Level: l}, nil)
				if err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				if err := sequencer.Check(tl); err != nil {
					t.Errorf("%s: %v", l, err)
				}
				if s := tl.Silences(10 * time.Second); len(s) > 0 {
					t.Errorf("%s: silences over 10 s: %+v", l, s)
				}
			}
		})
	}
}
