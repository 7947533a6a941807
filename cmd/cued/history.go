package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/picture"
)

func newHistoryCmd(a *app) *cobra.Command {
	var asJSON bool
	var pic historyPic
	cmd := &cobra.Command{
		Use:   "history [--json | --week | --month] [--svg|--png [-o FILE]]",
		Short: "Show today's sessions against the daily goal, and the streak",
		Long: `Show today's sessions against the daily goal (daemon.daily_goal), the streak
of days meeting it, and the routines' daily rules.

--week and --month draw the last 7 days, or the month to today, as a grid of
days by slot: ● a session that counts (completed, or interrupted in its last
segment; a number after it when more than one did), ◐ sessions of which none
counts (stopped, or interrupted earlier), · none; ▸ marks today. Each day has
its count against the goal and, where a daily rule applies (a routine's
daily: list, once that routine is in use), whether it was done. The slots are
the schedule's times (schedule: at, 07:30, 12:30 and 21:00 by default): a
session belongs to the slot whose time is nearest its start on the day it
started (the later one on a tie); with no schedule, morning before 11:00,
noon before 17:00, night from then on. Colours only on a terminal (not with
NO_COLOR set); the glyphs read without them.

--svg draws the same picture as SVG to -o FILE, or to standard output
without -o; --png -o FILE.png as PNG (through rsvg-convert, Debian's
librsvg2-bin). Either draws the week unless --month is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			recs, playing, err := a.readHistory(cmd)
			if err != nil {
				return err
			}
			if pic.week || pic.month || pic.any() || pic.out != "" {
				return a.drawHistory(cmd, recs, pic)
			}
			return a.writeSummary(cmd.OutOrStdout(), recs, playing, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().BoolVar(&pic.week, "week", false, "draw the last 7 days as a grid of days by slot")
	cmd.Flags().BoolVar(&pic.month, "month", false, "draw the month to today as a grid of days by slot")
	pic.register(cmd)
	cmd.MarkFlagsMutuallyExclusive("json", "week", "month")
	cmd.MarkFlagsMutuallyExclusive("json", "svg", "png")
	return cmd
}

// readHistory reads the daemon's history, warnings on cmd's stderr, and
// returns it with the id of the session the daemon plays now ("" for
// none), which is not counted as interrupted: it has not ended yet.
func (a *app) readHistory(cmd *cobra.Command) ([]history.Record, string, error) {
	recs, err := history.Read(historyPath(), func(w string) {
		fmt.Fprintln(cmd.ErrOrStderr(), "cued: warning: "+w)
	})
	if err != nil {
		return nil, "", err
	}
	playing := a.playingSession()
	for i := range recs {
		if recs[i].ID == playing && playing != "" {
			recs[i].Interrupted = false // it plays: it has not counted yet
		}
	}
	return recs, playing, nil
}

// writeSummary writes today's sessions against the goal, the streak and
// the daily rules on w, as text or JSON.
func (a *app) writeSummary(w io.Writer, recs []history.Record, playing string, asJSON bool) error {
	sum := history.Summarize(recs, time.Now(), a.cfg.Daemon.DailyGoal)
	sum.Daily = history.Dailies(recs, time.Now(), a.dailyRules())
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	fmt.Fprintf(w, "today: %d of %d sessions done\n", sum.Completed, sum.Goal) // Record.Counts: completed, or interrupted in the last segment
	for _, r := range sum.Today {
		fmt.Fprintf(w, "  %s  %s %s  %s\n", r.Start.Local().Format("15:04"), r.Routine, r.Level, howFar(r, playing))
	}
	unit := "days"
	if sum.Streak == 1 {
		unit = "day"
	}
	fmt.Fprintf(w, "streak: %d %s meeting the goal\n", sum.Streak, unit)
	for _, d := range sum.Daily {
		switch {
		case !d.InUse:
		case d.Today > 0:
			fmt.Fprintf(w, "daily: %s done today (%s is in use: %s at least once a day)\n", d.Routine, d.Because, d.Routine)
		default:
			fmt.Fprintf(w, "daily: %s not yet today (%s is in use: %s at least once a day)\n", d.Routine, d.Because, d.Routine)
		}
	}
	return nil
}

// historyPic holds the picture flags of `cued history`: the days to
// draw, and the picture's form and file (none: text on stdout).
type historyPic struct {
	week, month bool
	picFlags
}

// drawHistory draws recs as the grid that pic asks for: as text on
// stdout, or as a picture where pic's --svg, --png and -o say.
func (a *app) drawHistory(cmd *cobra.Command, recs []history.Record, pic historyPic) error {
	slots, err := scheduleSlots(a.cfg.Schedule)
	if err != nil {
		return err
	}
	now := time.Now()
	days := 7
	if pic.month {
		days = monthDays(now)
	}
	g := picture.History(recs, picture.HistoryOptions{Now: now, Days: days, Goal: a.cfg.Daemon.DailyGoal,
		Slots: slots, Rules: a.dailyRules()})
	if pic.any() {
		return pic.write(cmd, g.SVG)
	}
	if pic.out != "" {
		return errors.New("-o goes with --svg or --png")
	}
	out := cmd.OutOrStdout()
	return g.Text(out, colorOK(out))
}

// scheduleSlots are the slots of the schedule's times (picture.SlotsAt:
// the default slots for an empty schedule).
func scheduleSlots(entries []ScheduleEntry) ([]picture.Slot, error) {
	var ats []time.Duration
	for i, e := range entries {
		t, err := time.Parse("15:04", e.At)
		if err != nil {
			return nil, fmt.Errorf("schedule[%d]: at %q is not a time of day (HH:MM): %w", i, e.At, err)
		}
		ats = append(ats, time.Duration(t.Hour())*time.Hour+time.Duration(t.Minute())*time.Minute)
	}
	return picture.SlotsAt(ats), nil
}

// monthDays is the number of days from a month before now's day (not
// included) to now's day (included): 28 to 31.
func monthDays(now time.Time) int {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	// The same day last month, or that month's last day where it has
	// none (AddDate would run 31 March back to 3 March).
	last := time.Date(y, m, 0, 12, 0, 0, 0, time.UTC).Day()
	before := time.Date(y, m-1, min(d, last), 12, 0, 0, 0, time.UTC)
	return int(today.Sub(before).Hours() / 24)
}

// colorOK reports whether w is a terminal that colours may go to: not
// with NO_COLOR set or TERM=dumb.
func colorOK(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isTerminal(f) && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// howFar says how a session of the history ended; playing is the id of
// the session the daemon plays now ("" for none).
func howFar(r history.Record, playing string) string {
	at := fmt.Sprintf("%s of %s", clock(r.ReachedMS), clock(r.LengthMS))
	if r.Part != "" {
		at += " (" + r.Part + ")"
	}
	switch {
	case r.Completed:
		return "completed"
	case r.ID != "" && r.ID == playing:
		return "playing now"
	case r.Interrupted && r.Counts():
		return "interrupted at " + at + ": the daemon ended under it; it counts, being in its last segment"
	case r.Interrupted:
		return "interrupted at " + at + ": the daemon ended under it"
	}
	return "stopped at " + at
}

// playingSession returns the history id of the session a running daemon
// plays, or "" when none plays or no daemon answers.
func (a *app) playingSession() string {
	c := a.newClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		return ""
	}
	return st.Session
}

// dailyRules are the daily: lists of the routines that load (none if they
// do not: the history shows without them).
func (a *app) dailyRules() []history.DailyRule {
	set, _ := a.loadRoutines()
	if set == nil {
		return nil
	}
	var rules []history.DailyRule
	for _, src := range set.All() {
		for _, id := range src.Routine.Daily {
			rules = append(rules, history.DailyRule{Routine: id, Because: src.Routine.ID})
		}
	}
	return rules
}
