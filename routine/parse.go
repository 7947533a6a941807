package routine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// DefaultBudget is the budget of a warm-up routine that names none: more
// than about five minutes of rolling before training is wasted.
const DefaultBudget = 5 * time.Minute

// Default announcements of a routine that says nothing about them.
var defaultAnnounce = Announce{Halfway: true, Countdown: 5, LastReps: 3}

// reservedPrefixes are cue id prefixes of the shared words (numbers,
// "halfway" and the like) that every routine can use.
var reservedPrefixes = []string{"num-", "word-"}

// SharedPrefix returns the shared words' prefix id starts with, or "":
// a routine's own cue ids never have one.
func SharedPrefix(id string) string {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(id, p) {
			return p
		}
	}
	return ""
}

// Limits on values, so that a typo cannot build a day-long session.
const (
	maxWork     = 30 * time.Minute
	maxSegments = 20
	maxReps     = 100
	maxPhase    = 20 * time.Second
	maxBudget   = 2 * time.Hour
)

type decoder struct {
	file string
	errs ErrorList
	cues map[string]Cue // every cue id seen, for consistency
}

func (d *decoder) errf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Pos: Pos{n.Line, n.Column}, Msg: fmt.Sprintf(format, args...)})
}

// fields checks that n is a mapping with only the valid keys, each once,
// and returns the value node of each key present (and the key nodes).
func (d *decoder) fields(n *yaml.Node, what string, valid ...string) (map[string]*yaml.Node, map[string]*yaml.Node) {
	vals, keys := map[string]*yaml.Node{}, map[string]*yaml.Node{}
	if d.alias(n) {
		return vals, keys
	}
	if n.Kind != yaml.MappingNode {
		d.errf(n, "%s must be a mapping of keys (%s), not %s", what, strings.Join(valid, ", "), describe(n))
		return vals, keys
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind != yaml.ScalarNode:
			d.errf(k, "%s has a key that is not a name (%s)", what, strings.Join(valid, ", "))
		case !contains(valid, k.Value):
			d.errf(k, "unknown key %q in %s (valid: %s)", k.Value, what, strings.Join(valid, ", "))
		case keys[k.Value] != nil:
			d.errf(k, "key %q appears twice in %s (first at line %d)", k.Value, what, keys[k.Value].Line)
		default:
			vals[k.Value], keys[k.Value] = v, k
		}
	}
	return vals, keys
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// alias reports (and returns true for) a YAML alias: a routine spells
// every value out, so that each has one position and one meaning.
func (d *decoder) alias(n *yaml.Node) bool {
	if n.Kind != yaml.AliasNode {
		return false
	}
	d.errf(n, "aliases (*%s) are not supported in routine files (write the value out)", n.Value)
	return true
}

func (d *decoder) list(n *yaml.Node, key string) []*yaml.Node {
	if d.alias(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errf(n, "%s must be a list, not %s", key, describe(n))
		return nil
	}
	return n.Content
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads one routine file. file names it in errors. Every problem found
// is returned in an ErrorList (errors.Is(err, ErrInvalid) holds); Parse
// never panics, whatever data holds.
func Parse(file string, data []byte) (r *Routine, err error) {
	d := &decoder{file: file, cues: map[string]Cue{}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return nil, ErrorList{syntaxError(file, data, err)}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, ErrorList{{File: file, Pos: Pos{1, 1}, Msg: "the file is empty (a routine needs id, name and steps)"}}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, ErrorList{{File: file, Pos: Pos{next.Line, next.Column},
			Msg: "a second YAML document (a routine file holds one routine; remove the --- and what follows, or put it in its own file)"}}
	} else if err != io.EOF {
		return nil, ErrorList{syntaxError(file, data, err)}
	}
	r = d.routine(doc.Content[0])
	r.File = file
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool {
			a, b := d.errs[i].Pos, d.errs[j].Pos
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		return nil, d.errs
	}
	return r, nil
}

// syntaxError turns a YAML syntax error into a positioned Error. yaml.v3
// names the line where it noticed the problem, which can be a line or two
// away from the mistake and has no column: the message says "near".
func syntaxError(file string, src []byte, err error) *Error {
	line, msg := 1, strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	if strings.Contains(msg, "tab character") {
		// yaml.v3 names the line before the tab: point at the tab itself.
		if l, c, ok := indentTab(src, line); ok {
			return &Error{File: file, Pos: Pos{l, c}, Msg: "a tab in the indentation (indent with spaces: YAML does not allow tabs there)"}
		}
	}
	return &Error{File: file, Pos: Pos{line, 1}, Msg: fmt.Sprintf("not valid YAML near line %d: %s (check indentation with spaces, not tabs, and the : after every key)", line, msg)}
}

// indentTab finds the first tab in the leading whitespace of a line of src
// from line on (1-based), and its column.
func indentTab(src []byte, from int) (line, col int, ok bool) {
	for i, l := range strings.Split(string(src), "\n") {
		if i+1 < from {
			continue
		}
		for j, c := range l {
			if c == '\t' {
				return i + 1, j + 1, true
			}
			if c != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

// sides reads sides: [left, right] (either order) or a count, 2 to
// MaxSides (the sides then are "1", "2", ...).
func (d *decoder) sides(n *yaml.Node) []string {
	const want = "[left, right], [right, left], or a count from 2 to 4"
	if n.Kind == yaml.ScalarNode {
		k := d.integer(n, "sides", 2, MaxSides)
		var out []string
		for i := 1; i <= k; i++ {
			out = append(out, strconv.Itoa(i))
		}
		return out
	}
	items := d.list(n, "sides")
	var out []string
	for _, it := range items {
		v, ok := d.scalar(it, "a side", "left or right")
		if !ok {
			continue
		}
		if v != "left" && v != "right" {
			d.errf(it, "side %q is not a side (sides: %s)", v, want)
			continue
		}
		if slices.Contains(out, v) {
			d.errf(it, "side %q is named twice (sides: %s)", v, want)
			continue
		}
		out = append(out, v)
	}
	if len(items) > 0 && len(out) == len(items) && len(out) != 2 {
		d.errf(n, "sides lists %d side(s) (sides: %s)", len(out), want)
	}
	return out
}

var routineKeys = []string{"id", "name", "description", "warmup", "budget", "daily", "plan", "rounds", "announce", "intro", "steps", "outro"}

func (d *decoder) routine(n *yaml.Node) *Routine {
	r := &Routine{Pos: Pos{n.Line, n.Column}}
	r.BudgetPos = r.Pos
	f, keys := d.fields(n, "the routine", routineKeys...)
	if n.Kind != yaml.MappingNode {
		return r
	}
	for _, k := range []string{"id", "name", "steps"} {
		if f[k] == nil {
			d.errf(n, "the routine has no %s (it needs id, name and steps)", k)
		}
	}
	if v := f["id"]; v != nil {
		r.ID = d.ident(v, "id")
	}
	if v := f["name"]; v != nil {
		r.Name = d.text(v, "name")
	}
	if v := f["description"]; v != nil {
		r.Description = d.text(v, "description")
	}
	if v := f["warmup"]; v != nil {
		r.Warmup = d.boolean(v, "warmup")
	}
	if v := f["budget"]; v != nil {
		r.Budget = d.single(v, "budget", time.Minute, maxBudget)
		r.BudgetPos = Pos{keys["budget"].Line, keys["budget"].Column}
		if !r.Warmup {
			d.errf(v, "budget applies to warm-up routines only (add warmup: true, or remove budget)")
		}
	} else if r.Warmup {
		r.Budget = DefaultBudget
	}
	r.Rounds = 1
	if v := f["rounds"]; v != nil {
		r.Rounds = d.rounds(v)
	}
	if v := f["plan"]; v != nil {
		r.Plan = d.plan(v)
	}
	if v := f["daily"]; v != nil {
		for _, it := range d.list(v, "daily") {
			if id := d.ident(it, "daily"); id != "" {
				r.Daily = append(r.Daily, id)
			}
		}
	}
	ann := defaultAnnounce
	if v := f["announce"]; v != nil {
		ann = d.announce(v, ann)
	}
	if v := f["intro"]; v != nil {
		r.Intro = d.cueList(v, "intro")
	}
	if v := f["outro"]; v != nil {
		r.Outro = d.cueList(v, "outro")
	}
	if v := f["steps"]; v != nil {
		r.Steps = d.steps(v, ann)
	}
	return r
}

// steps reads the list of steps, each id once.
func (d *decoder) steps(v *yaml.Node, ann Announce) []Step {
	items := d.list(v, "steps")
	if v.Kind == yaml.SequenceNode && len(items) == 0 {
		d.errf(v, "steps is empty (a routine needs at least one step)")
	}
	var out []Step
	ids := map[string]int{}
	for _, it := range items {
		s := d.step(it, ann)
		if s.ID != "" {
			if line, dup := ids[s.ID]; dup {
				d.errf(it, "step id %q is used twice (first at line %d; step ids must differ)", s.ID, line)
			}
			ids[s.ID] = it.Line
		}
		out = append(out, s)
	}
	return out
}

// rounds reads rounds: one count from 1 to MaxRounds.
func (d *decoder) rounds(v *yaml.Node) int {
	n := d.intRange(v, "rounds", 1, MaxRounds).Min
	if v.Kind == yaml.ScalarNode && strings.Contains(v.Value, "-") {
		d.errf(v, "rounds must be one count, not a range (e.g. 3)")
	}
	return n
}

// plan reads plan: a cue for any of the levels.
func (d *decoder) plan(v *yaml.Node) map[Level]*Cue {
	pf, _ := d.fields(v, "plan", strs(Levels)...)
	plan := map[Level]*Cue{}
	for _, l := range Levels {
		if cv := pf[string(l)]; cv != nil {
			if c, ok := d.cue(cv, "plan."+string(l)); ok {
				plan[l] = &c
			}
		}
	}
	return plan
}

// strs is a list of names as strings, for the valid keys of a mapping.
func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func (d *decoder) announce(n *yaml.Node, a Announce) Announce {
	f, _ := d.fields(n, "announce", "halfway", "countdown", "last_reps")
	if v := f["halfway"]; v != nil {
		a.Halfway = d.boolean(v, "halfway")
	}
	if v := f["countdown"]; v != nil {
		a.Countdown = d.integer(v, "countdown", 0, 10)
	}
	if v := f["last_reps"]; v != nil {
		a.LastReps = d.integer(v, "last_reps", 0, 5)
	}
	return a
}

func (d *decoder) cueList(n *yaml.Node, key string) []Cue {
	var cs []Cue
	for _, it := range d.list(n, key) {
		if c, ok := d.cue(it, key); ok {
			cs = append(cs, c)
		}
	}
	return cs
}

// cue reads {cue: id, say: text} and checks that an id always says the
// same text.
func (d *decoder) cue(n *yaml.Node, key string) (Cue, bool) {
	f, _ := d.fields(n, "a cue in "+key, "cue", "say", "then", "wait")
	if n.Kind != yaml.MappingNode {
		return Cue{}, false
	}
	if f["cue"] == nil || f["say"] == nil {
		d.errf(n, "a cue in %s needs both cue (its id) and say (the spoken text)", key)
		return Cue{}, false
	}
	c := Cue{ID: d.ident(f["cue"], "cue"), Text: d.text(f["say"], "say"), Pos: Pos{n.Line, n.Column}}
	if f["then"] != nil {
		c.Then = d.single(f["then"], "then", 0, MaxThen)
		c.ThenPos = Pos{f["then"].Line, f["then"].Column}
	}
	if w := f["wait"]; w != nil {
		c.WaitPos = Pos{w.Line, w.Column}
		switch v := Wait(w.Value); {
		case w.Kind == yaml.ScalarNode && (v == WaitPace || v == WaitAlways):
			c.Wait = v
		default:
			d.errf(w, "wait is %q; it must be pace (wait for the listener when the session's pace is wait) or always", w.Value)
		}
	}
	if p := SharedPrefix(c.ID); p != "" {
		d.errf(f["cue"], "cue id %q uses the prefix %q kept for the shared words (choose another id)", c.ID, p)
		return Cue{}, false
	}
	if prev, ok := d.cues[c.ID]; ok && prev.Text != c.Text {
		d.errf(f["say"], "cue %q says something else than at line %d (one id, one text: use a new id for a new text)",
			c.ID, prev.Pos.Line)
		return Cue{}, false
	}
	d.cues[c.ID] = c
	return c, c.ID != "" && c.Text != ""
}

var stepKeys = []string{"id", "name", "setup", "start", "work", "segments", "sides", "between", "oscillate", "breaths", "count", "announce"}

func (d *decoder) step(n *yaml.Node, ann Announce) Step {
	s := Step{Pos: Pos{n.Line, n.Column}, Segments: IntRange{1, 1}, Announce: ann}
	f, keys := d.fields(n, "a step", stepKeys...)
	if n.Kind != yaml.MappingNode {
		return s
	}
	for _, k := range []string{"id", "name"} {
		if f[k] == nil {
			d.errf(n, "the step has no %s (a step needs id, name, and work or breaths)", k)
		}
	}
	if v := f["id"]; v != nil {
		s.ID = d.ident(v, "id")
	}
	if v := f["name"]; v != nil {
		s.Name = d.text(v, "name")
	}
	if v := f["announce"]; v != nil {
		s.Announce = d.announce(v, ann)
	}
	if v := f["setup"]; v != nil {
		s.Setup = d.cueList(v, "setup")
	}
	if v := f["start"]; v != nil {
		if c, ok := d.cue(v, "start"); ok {
			s.Start = &c
		}
	}
	if v := f["between"]; v != nil {
		s.Between = d.cueList(v, "between")
	}
	if v := f["segments"]; v != nil {
		s.Segments = d.intRange(v, "segments", 1, maxSegments)
	}
	if v := f["sides"]; v != nil {
		s.Sides = d.sides(v)
	}
	d.stepWork(n, &s, f, keys)
	return s
}

// stepWork reads what step n does, the one of work, breaths or count it
// has, with what goes with it (oscillate, the countdown's fit, last_reps).
func (d *decoder) stepWork(n *yaml.Node, s *Step, f, keys map[string]*yaml.Node) {
	kinds := 0
	for _, k := range []string{"work", "breaths", "count"} {
		if f[k] != nil {
			if kinds++; kinds == 2 {
				d.errf(keys[k], "a step has one of work, breaths or count, not two (split it into two steps)")
			}
		}
	}
	switch {
	case kinds == 0:
		d.errf(n, "the step has neither work, breaths nor count (add work: 45s, a breaths: mapping or count: {reps: 10, tempo: 3s})")
	case kinds > 1:
	case f["count"] != nil:
		s.Count = d.count(f["count"])
		if v := f["oscillate"]; v != nil {
			d.errf(keys["oscillate"], "oscillate paces timed work, not counted reps (remove it, or use work)")
		}
		if c := s.Count; c != nil && s.Announce.LastReps > 0 && s.Announce.LastReps >= c.Reps.Min && c.Reps.Min > 0 {
			d.errf(f["count"], "last_reps %d must be fewer than the fewest reps %d (0 to %d)",
				s.Announce.LastReps, c.Reps.Min, c.Reps.Min-1)
		}
	case f["work"] != nil:
		s.Work = d.durationRange(f["work"], "work", time.Second, maxWork)
		d.checkCountdown(f["work"], *s)
		if v := f["oscillate"]; v != nil {
			s.Oscillate = d.oscillate(v)
		}
	default:
		s.Breaths = d.breaths(f["breaths"])
		if v := f["oscillate"]; v != nil {
			d.errf(keys["oscillate"], "oscillate paces timed work, not breaths (remove it, or use work)")
		}
		if b := s.Breaths; b != nil && s.Announce.LastReps >= b.Reps.Min && b.Reps.Min > 0 && s.Announce.LastReps > 0 {
			d.errf(f["breaths"], "last_reps %d must be fewer than the fewest reps %d (0 to %d)",
				s.Announce.LastReps, b.Reps.Min, b.Reps.Min-1)
		}
	}
}

// checkCountdown makes sure the countdown pips and the halfway word fit
// into the shortest segment.
func (d *decoder) checkCountdown(n *yaml.Node, s Step) {
	if s.Work.Min == 0 {
		return
	}
	if room := int(s.Work.Min / 2 / time.Second); s.Announce.Countdown > room {
		d.errf(n, "countdown %d does not fit into a %s segment (at most %d: the pips stay in the second half)",
			s.Announce.Countdown, FormatDuration(s.Work.Min), room)
	}
}

func (d *decoder) oscillate(n *yaml.Node) *Oscillate {
	f, _ := d.fields(n, "oscillate", "period", "travel")
	o := &Oscillate{}
	if n.Kind != yaml.MappingNode {
		return o
	}
	if v := f["period"]; v != nil {
		o.Period = d.single(v, "period", 500*time.Millisecond, 10*time.Second)
	} else {
		d.errf(n, "oscillate has no period (one cycle up and down, e.g. period: 2s)")
	}
	if v := f["travel"]; v != nil {
		o.Travel = d.text(v, "travel")
	}
	return o
}

var breathKeys = []string{"reps", "pattern", "inhale", "exhale", "hold", "return", "cues", "speak", "count"}

func (d *decoder) breaths(n *yaml.Node) *Breaths {
	b := &Breaths{Speak: SpeakFirst, Count: true}
	f, keys := d.fields(n, "breaths", breathKeys...)
	if n.Kind != yaml.MappingNode {
		return b
	}
	if v := f["reps"]; v != nil {
		b.Reps = d.intRange(v, "reps", 1, maxReps)
	} else {
		d.errf(n, "breaths has no reps (the number of breaths, e.g. reps: 10-15)")
	}
	if v := f["pattern"]; v != nil {
		for _, k := range []string{"inhale", "exhale", "hold", "return", "cues"} {
			if keys[k] != nil {
				d.errf(keys[k], "breaths has both pattern and %s: write every phase (and its cue) in pattern", k)
			}
		}
		b.Pattern = d.pattern(v)
	} else {
		b.Pattern = d.shortPattern(n, f, keys)
	}
	if v := f["speak"]; v != nil {
		s, _ := d.scalar(v, "speak", "first, all or none")
		switch Speak(s) {
		case SpeakFirst, SpeakAll, SpeakNone:
			b.Speak = Speak(s)
		default:
			d.errf(v, "speak %q is not a choice (first, all or none)", s)
		}
	}
	if v := f["count"]; v != nil {
		b.Count = d.boolean(v, "count")
	}
	return b
}

// count reads {reps: N, tempo: D}: reps at the listener's own movement.
func (d *decoder) count(n *yaml.Node) *Count {
	c := &Count{}
	f, _ := d.fields(n, "count", "reps", "tempo")
	if n.Kind != yaml.MappingNode {
		return c
	}
	for _, k := range []string{"reps", "tempo"} {
		if f[k] == nil {
			d.errf(n, "count has no %s (it needs reps, e.g. 10, and tempo, the time of one rep, e.g. 3s)", k)
		}
	}
	if v := f["reps"]; v != nil {
		c.Reps = d.intRange(v, "reps", 1, MaxCount)
	}
	if v := f["tempo"]; v != nil {
		c.Tempo = d.durationRange(v, "tempo", time.Second, maxPhase)
	}
	return c
}

// minPatternPhase is the shortest phase a pattern may have.
const minPatternPhase = 500 * time.Millisecond

// pattern reads a breath pattern: a list of phases, each a mapping of one
// phase name to its duration, with an optional cue (cue and say).
func (d *decoder) pattern(n *yaml.Node) []BreathPhase {
	var out []BreathPhase
	items := d.list(n, "pattern")
	if n.Kind == yaml.SequenceNode && len(items) == 0 {
		d.errf(n, "pattern is empty (e.g. [{inhale: 4s}, {hold: 4s}, {exhale: 4s}, {hold: 4s}])")
	}
	names := strs(Phases)
	seen := map[Phase]bool{}
	for _, it := range items {
		f, keys := d.fields(it, "a phase of pattern", append(names, "cue", "say")...)
		if it.Kind != yaml.MappingNode {
			continue
		}
		ph := BreathPhase{Pos: Pos{it.Line, it.Column}}
		for _, p := range Phases {
			v := f[string(p)]
			switch {
			case v == nil:
			case ph.Phase != "":
				d.errf(keys[string(p)], "a phase of pattern has both %s and %s: one phase per item", ph.Phase, p)
			default:
				ph.Phase, ph.Length = p, d.durationRange(v, string(p), minPatternPhase, maxPhase)
			}
		}
		if ph.Phase == "" {
			d.errf(it, "a phase of pattern needs one of %s with its duration (e.g. inhale: 4s)", strings.Join(names, ", "))
			continue
		}
		if f["cue"] != nil || f["say"] != nil {
			cue := &yaml.Node{Kind: yaml.MappingNode, Line: it.Line, Column: it.Column}
			for _, k := range []string{"cue", "say"} {
				if keys[k] != nil {
					cue.Content = append(cue.Content, keys[k], f[k])
				}
			}
			if c, ok := d.cue(cue, "pattern"); ok {
				ph.Cue = &c
			}
		}
		seen[ph.Phase] = true
		out = append(out, ph)
	}
	if len(out) > 0 && (!seen[Inhale] || !seen[Exhale]) {
		d.errf(n, "pattern needs at least one inhale and one exhale")
	}
	return out
}

// shortPattern reads the short keys: inhale and exhale, then hold and
// return if given, in that order, with their cues from cues.
func (d *decoder) shortPattern(n *yaml.Node, f, keys map[string]*yaml.Node) []BreathPhase {
	for _, k := range []string{"inhale", "exhale"} {
		if f[k] == nil {
			d.errf(n, "breaths has no %s (it needs inhale and exhale, hold and return are optional; or a pattern: a list of phases)", k)
		}
	}
	cues := map[Phase]*Cue{}
	if v := f["cues"]; v != nil {
		cf, _ := d.fields(v, "cues", strs(Phases)...)
		for _, p := range Phases {
			if cv := cf[string(p)]; cv != nil {
				if c, ok := d.cue(cv, "cues."+string(p)); ok && (c.Then != 0 || c.Wait != WaitNever) {
					d.errf(cv, "a breath phase cue cannot have then or wait (the phase's own length is its time)")
				} else if ok {
					cues[p] = &c
				}
			}
		}
		if cues[Hold] != nil && f["hold"] == nil {
			d.errf(keys["cues"], "a hold cue needs a hold duration (add hold: 1s-2s)")
		}
	}
	var out []BreathPhase
	for _, p := range Phases {
		v := f[string(p)]
		if v == nil {
			continue
		}
		least := time.Duration(0)
		if p == Inhale || p == Exhale {
			least = minPatternPhase
		}
		r := d.durationRange(v, string(p), least, maxPhase)
		if r.Max > 0 {
			out = append(out, BreathPhase{Phase: p, Length: r, Cue: cues[p], Pos: Pos{v.Line, v.Column}})
		}
	}
	return out
}

// SortedErrors returns the errors of err (an ErrorList or a single error)
// ordered by position, for stable output.
func SortedErrors(err error) []error {
	var l ErrorList
	if !errors.As(err, &l) {
		return []error{err}
	}
	sort.SliceStable(l, func(i, j int) bool {
		if l[i].Pos.Line != l[j].Pos.Line {
			return l[i].Pos.Line < l[j].Pos.Line
		}
		return l[i].Pos.Col < l[j].Pos.Col
	})
	return l.Unwrap()
}
