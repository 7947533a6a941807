package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/history"
)

func newHistoryCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show today's sessions against the daily goal, and the streak",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			recs, err := history.Read(historyPath(), func(w string) {
				fmt.Fprintln(cmd.ErrOrStderr(), "cued: warning: "+w)
			})
			if err != nil {
				return err
			}
			playing := a.playingSession()
			for i := range recs {
				if recs[i].ID == playing && playing != "" {
					recs[i].Interrupted = false // it plays: it has not counted yet
				}
			}
			sum := history.Summarize(recs, time.Now(), a.cfg.Daemon.DailyGoal)
			sum.Daily = history.Dailies(recs, time.Now(), a.dailyRules())
			w := cmd.OutOrStdout()
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
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
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
