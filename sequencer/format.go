package sequencer

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Clock formats d as m:ss.mmm, the way the timeline dump shows times.
func Clock(d time.Duration) string {
	ms := d.Milliseconds()
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Sprintf("%s%d:%02d.%03d", sign, ms/60000, ms/1000%60, ms%1000)
}

// Format writes the canonical text dump of the timeline: a header, the
// steps, then one line per event with its start, length, kind, what it
// is (cue id, tone or mark label), its place (step.segment and rep), its
// gain, and "ducked" where it sits under speech. Golden files compare this.
func (t *Timeline) Format(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s (level %s)\n", t.Routine, t.Name, t.Level)
	fmt.Fprintf(&b, "# length %s, %d parts, %d events\n", Clock(t.Length), len(t.Steps), len(t.Events))
	if ws := t.Waits(); len(ws) > 0 {
		fmt.Fprintf(&b, "# %d wait(s) of %s: a player holds at each until play or next, its reminder sounding every %s; a render plays each once (%s without them)\n",
			len(ws), Clock(ws[0].Length), Clock(ws[0].Length), Clock(t.Timed()))
	}
	if ws := t.ofKind(KindWake); len(ws) > 0 {
		var d time.Duration
		for _, w := range ws {
			d += w.Length
		}
		fmt.Fprintf(&b, "# %d wake-up hum(s) for outputs that sleep in silence, %s in all at %+.1f dB (audio.wake)\n", len(ws), Clock(d), ws[0].GainDB)
	}
	for i, s := range t.Steps {
		what := fmt.Sprintf("%d segment(s)", s.Segments)
		switch {
		case s.Reps > 0 && s.Tempo > 0:
			what += fmt.Sprintf(" of %d reps, one every %s", s.Reps, Clock(s.Tempo))
		case s.Reps > 0:
			what += fmt.Sprintf(" of %d breaths", s.Reps)
		case s.Work > 0:
			what += fmt.Sprintf(" of %s", Clock(s.Work))
		}
		fmt.Fprintf(&b, "# part %d %s %q: %s to %s, %s\n", i+1, s.ID, s.Name, Clock(s.Start), Clock(s.End), what)
	}
	for _, s := range t.Estimated {
		fmt.Fprintf(&b, "# estimated length (no clip): %s\n", s)
	}
	fmt.Fprintf(&b, "%9s %9s  %-6s  %-28s %-9s %6s\n", "start", "length", "kind", "what", "part.seg", "gain")
	for _, e := range t.Events {
		what := e.Cue
		if e.Kind != KindVoice {
			what = e.Tone
		}
		if e.Kind == KindMark || e.Kind == KindWait {
			what = e.Label
		}
		place := fmt.Sprintf("%d.%d", e.Step+1, e.Segment+1)
		if e.Rep > 0 {
			place += fmt.Sprintf(" r%d", e.Rep)
		}
		gain := ""
		if e.Audible() {
			gain = fmt.Sprintf("%+.1f", e.GainDB)
		}
		flag := ""
		if e.Ducked {
			flag = " ducked"
		}
		line := fmt.Sprintf("%9s %9s  %-6s  %-28s %-9s %6s%s", Clock(e.Start), Clock(e.Length), e.Kind, what, place, gain, flag)
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
