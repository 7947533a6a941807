package main

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/history"
)

func init() {
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
			sum := history.Summarize(recs, time.Now(), cfg.Daemon.DailyGoal)
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(sum)
			}
			fmt.Fprintf(w, "today: %d of %d sessions completed\n", sum.Completed, sum.Goal)
			for _, r := range sum.Today {
				how := "completed"
				if !r.Completed {
					how = fmt.Sprintf("stopped at %s of %s", clock(r.ReachedMS), clock(r.LengthMS))
					if r.Part != "" {
						how += " (" + r.Part + ")"
					}
				}
				fmt.Fprintf(w, "  %s  %s %s  %s\n", r.Start.Local().Format("15:04"), r.Routine, r.Level, how)
			}
			unit := "days"
			if sum.Streak == 1 {
				unit = "day"
			}
			fmt.Fprintf(w, "streak: %d %s meeting the goal\n", sum.Streak, unit)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	rootCmd.AddCommand(cmd)
}
