package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/routine"
	"github.com/cued-dev/cued/sequencer"
)

func newCheckCmd(a *app) *cobra.Command {
	var limit time.Duration
	cmd := &cobra.Command{
		Use:   "check FILE...",
		Short: "Validate routine files: every problem as file:line:col, exit status 1 if any",
		Long: "Check parses and compiles each routine file at every level and prints every\n" +
			"problem as file:line:col, or a one-line summary. It warns (exit status 0) about\n" +
			"a warm-up over its budget, a silence longer than --silence-limit in which a\n" +
			"listener with eyes closed may think the session stopped, and a breath phase\n" +
			"shorter than 1s.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit <= 0 {
				return fmt.Errorf("--silence-limit %v must be positive (e.g. 10s)", limit)
			}
			bad := false
			for _, f := range args {
				if !a.checkFile(cmd, f, limit) {
					bad = true
				}
			}
			if bad {
				return exitCode(1)
			}
			return nil
		},
	}
	cmd.Flags().DurationVar(&limit, "silence-limit", 10*time.Second, "warn about silences longer than this")
	return cmd
}

// minPhase is the shortest breath phase a listener can follow by its tone.
const minPhase = time.Second

// checkFile prints the problems of one routine file, or a one-line summary
// (and any budget warning) when it is valid. It reports whether it was.
func (a *app) checkFile(cmd *cobra.Command, path string, limit time.Duration) bool {
	w := cmd.OutOrStdout()
	r, err := library.ParseFile(path)
	if err != nil {
		for _, e := range routine.SortedErrors(err) {
			fmt.Fprintln(w, e)
		}
		return false
	}
	clips, err := a.clipLengths(cmd.Context(), r)
	if err != nil {
		fmt.Fprintf(w, "%s: %v\n", path, err)
		return false
	}
	c, problem := compileLevels(path, r, clips, limit)
	if problem != "" {
		fmt.Fprintln(w, problem)
		return false
	}
	held := ""
	if c.waits > 0 {
		held = fmt.Sprintf("; %d wait(s) at pace wait", c.waits)
	}
	parts := fmt.Sprintf("%d parts", len(r.Steps))
	if r.Rounds > 1 {
		parts += fmt.Sprintf(" × %d rounds", r.Rounds)
	}
	fmt.Fprintf(w, "%s: ok: %s %q, %s, %s / %s / %s (gentle / standard / full)%s\n",
		path, r.ID, r.Name, parts, c.lengths[0], c.lengths[1], c.lengths[2], held)
	if r.Warmup && c.longest.Timed() > r.Budget {
		fmt.Fprintf(w, "%s:%d:%d: warning: at level %s the session lasts %s (waits not counted), over its warm-up budget of %s (shorten the talk or the ranges, or raise budget)\n",
			path, r.BudgetPos.Line, r.BudgetPos.Col, c.longest.Level, shortClock(c.longest.Timed()), routine.FormatDuration(r.Budget))
	}
	for _, m := range c.warnings {
		fmt.Fprintln(w, m)
	}
	for _, m := range shortPhases(path, r) {
		fmt.Fprintln(w, m)
	}
	return true
}

// compiled is what check learns from compiling a routine at every level:
// the length of each (on the clock), the longest timeline (timed or at
// pace wait), the silence warnings, each once, and the waits at pace wait.
type compiled struct {
	lengths  []string
	longest  *sequencer.Timeline
	warnings []string
	waits    int
}

// compileLevels compiles r at every level, timed and at pace wait; a
// routine that does not compile is the problem line it returns instead.
func compileLevels(path string, r *routine.Routine, clips sequencer.ClipLengths, limit time.Duration) (compiled, string) {
	var c compiled
	seen := map[string]bool{}
	for _, l := range routine.Levels {
		tl, err := sequencer.Compile(r, sequencer.Options{Level: l}, clips)
		if err != nil {
			return c, fmt.Sprintf("%s:%d:%d: %v", path, r.Pos.Line, r.Pos.Col, err)
		}
		// At pace wait the session holds at more points; what it takes
		// on the clock (Timed) stays what the budget bounds.
		paced, err := sequencer.Compile(r, sequencer.Options{Level: l, Pace: sequencer.PaceWait}, clips)
		if err != nil {
			return c, fmt.Sprintf("%s:%d:%d: at pace wait: %v", path, r.Pos.Line, r.Pos.Col, err)
		}
		c.waits = len(paced.Waits())
		c.lengths = append(c.lengths, shortClock(tl.Timed()))
		for _, t := range []*sequencer.Timeline{tl, paced} {
			if c.longest == nil || t.Timed() > c.longest.Timed() {
				c.longest = t
			}
		}
		for _, sl := range tl.Silences(limit) {
			if msg := silenceWarning(path, r, tl, sl, l); !seen[msg.key] {
				seen[msg.key] = true
				c.warnings = append(c.warnings, msg.text)
			}
		}
	}
	return c, ""
}

// warning is a check warning and what makes it the same at another level.
type warning struct{ key, text string }

// silenceWarning says where a silence is: at the cue before it when there
// is one, else at its part.
func silenceWarning(path string, r *routine.Routine, tl *sequencer.Timeline, sl sequencer.Silence, l routine.Level) warning {
	pos := r.Pos
	if sl.Step >= 0 && len(r.Steps) > 0 {
		pos = r.Steps[sl.Step%len(r.Steps)].Pos // with rounds, a part is a step's copy
	}
	after := "at the start"
	if a := sl.After; a.Kind != "" {
		after = fmt.Sprintf("after the %s %s%s", a.Kind, a.Cue, a.Tone)
		for _, c := range r.Cues() {
			if c.ID == a.Cue {
				pos = c.Pos
			}
		}
	}
	part := ""
	if sl.Step >= 0 && sl.Step < len(tl.Steps) {
		part = fmt.Sprintf(" in part %d %q", sl.Step+1, tl.Steps[sl.Step].Name)
	}
	text := fmt.Sprintf("%s:%d:%d: warning: %.1f s of silence at %s%s (level %s), %s: a listener with eyes closed may think the session stopped (add pacing, a countdown or a cue; --silence-limit sets the limit)",
		path, pos.Line, pos.Col, (sl.End - sl.Start).Seconds(), shortClock(sl.Start), part, l, after)
	return warning{key: fmt.Sprintf("%d:%d %s", pos.Line, pos.Col, after), text: text}
}

// shortPhases warns about breath phases shorter than minPhase at the low
// end of their range.
func shortPhases(path string, r *routine.Routine) []string {
	var out []string
	for _, s := range r.Steps {
		b := s.Breaths
		if b == nil {
			continue
		}
		for _, ph := range b.Pattern {
			if d := ph.Length.Min; d > 0 && d < minPhase {
				out = append(out, fmt.Sprintf("%s:%d:%d: warning: the %s of part %q lasts %s at level gentle, too short to follow by its tone (at least %s)",
					path, ph.Pos.Line, ph.Pos.Col, ph.Phase, s.Name, routine.FormatDuration(d), routine.FormatDuration(minPhase)))
			}
		}
	}
	return out
}
