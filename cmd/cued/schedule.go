package main

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
	"github.com/cued-dev/cued/daemon/schedule"
)

func newScheduleCmd(a *app) *cobra.Command {
	var n int
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Show the next scheduled sessions (from the daemon if it runs, else from the config)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || n > 100 {
				return fmt.Errorf("-n %d is out of range (1 to 100)", n)
			}
			items, from, err := a.upcoming(cmd.Context(), n)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if len(items) == 0 {
				fmt.Fprintln(w, "nothing is scheduled (add entries under schedule: in config.yaml)")
				return nil
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "WHEN\tROUTINE\tMODE\tLEVEL")
			for _, it := range items {
				lv := it.Level
				if lv == "" {
					lv = "(default)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", it.At.Local().Format("Mon Jan 2 15:04"), it.Routine, it.Mode, lv)
			}
			tw.Flush()
			fmt.Fprintf(w, "(%s)\n", from)
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "n", "n", 5, "how many to show")
	return cmd
}

// upcoming asks the daemon, or computes from the config when none runs.
func (a *app) upcoming(ctx context.Context, n int) ([]api.Scheduled, string, error) {
	c := a.newClient()
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, clientTimeout)
	defer cancel()
	items, err := c.Schedule(ctx, n)
	if err == nil {
		return items, "from the running daemon", nil
	}
	if !errors.Is(err, client.ErrNoDaemon) {
		return nil, "", clientError(err)
	}
	entries, err := schedule.Parse(scheduleEntries(a.cfg.Schedule))
	if err != nil {
		return nil, "", fmt.Errorf("config %s: %w", a.cfgFile, err)
	}
	for _, o := range schedule.Upcoming(entries, time.Now(), n) {
		items = append(items, api.Scheduled{At: o.Time, Routine: o.Routine, Mode: o.Mode, Level: o.Level})
	}
	return items, "no daemon is running: from the config; start it with cued serve", nil
}
