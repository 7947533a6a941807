package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
)

// newVerbCmds are the control verbs: each sends one request to the
// running daemon.
func newVerbCmds(a *app) []*cobra.Command {
	short := map[api.Verb]string{
		"pause":  "Pause the session the daemon plays",
		"resume": "Resume the paused session",
		"toggle": "Pause or resume; start a scheduled session that waits",
		"next":   "Skip to the next part or segment",
		"prev":   "Go back to the start of this part (or the previous one near its start)",
		"stop":   "Stop the session (it is recorded in the history as far as it got)",
		"snooze": "Put off the scheduled session that waits (10 minutes; it comes back with its chime)",
		"where":  "Say over the session where it is: the part, the breath or the time left",
		"repeat": "Say the part's last cue again (its set-up or start), over the session",
	}
	var cmds []*cobra.Command
	for _, verb := range api.Verbs {
		cmds = append(cmds, &cobra.Command{
			Use:   string(verb),
			Short: short[verb],
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				c := a.newClient()
				defer c.Close()
				ctx, cancel := context.WithTimeout(cmd.Context(), clientTimeout)
				defer cancel()
				st, err := c.Verb(ctx, string(verb))
				if err != nil {
					return clientError(err)
				}
				if st.Said != "" {
					fmt.Fprintf(cmd.OutOrStdout(), "saying: %s\n", st.Said)
				}
				fmt.Fprintln(cmd.OutOrStdout(), statusLine(st))
				return nil
			},
		})
	}
	return cmds
}

// newReloadCmd is `cued reload`.
func newReloadCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "reload",
		Short: "Make the daemon re-read its configuration and routines (as SIGHUP does)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := a.newClient()
			defer c.Close()
			ctx, cancel := context.WithTimeout(cmd.Context(), clientTimeout)
			defer cancel()
			r, err := c.Reload(ctx)
			if err != nil {
				return clientError(err)
			}
			if r.OK {
				fmt.Fprintln(cmd.OutOrStdout(), "reloaded")
				return nil
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "cued: reload had problems (what did not load is left out; a broken file keeps its previous version):")
			for _, p := range r.Problems {
				fmt.Fprintln(cmd.ErrOrStderr(), p)
			}
			return exitCode(1)
		},
	}
}

// newStatusCmd is `cued status [--json] [--follow]`.
func newStatusCmd(a *app) *cobra.Command {
	var asJSON, follow bool
	status := &cobra.Command{
		Use:   "status",
		Short: "Show what the daemon plays; --follow for a live display",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c := a.newClient()
			defer c.Close()
			if follow {
				return followStatus(cmd, c, asJSON)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), clientTimeout)
			defer cancel()
			st, err := c.Status(ctx)
			if err != nil {
				return clientError(err)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			printStatus(cmd.OutOrStdout(), st)
			return nil
		},
	}
	status.Flags().BoolVar(&asJSON, "json", false, "print the status (with --follow: every event) as JSON (docs/protocol.md)")
	status.Flags().BoolVarP(&follow, "follow", "f", false, "keep showing progress, parts, pauses and audio faults until interrupted")
	return status
}

// clientError words a client error for the user.
func clientError(err error) error {
	if errors.Is(err, client.ErrNoDaemon) {
		return fmt.Errorf("%w; start it with `cued serve` (or systemctl --user start cued)", err)
	}
	var e *api.Error
	if errors.As(err, &e) {
		return errors.New(e.Message)
	}
	return err
}

// clock is m:ss of milliseconds.
func clock(ms int64) string {
	s := (ms + 500) / 1000
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// statusLine is the status in one line.
func statusLine(st api.Status) string {
	var b strings.Builder
	switch st.State {
	case api.StateIdle:
		b.WriteString("idle")
	case api.StateStarting:
		b.WriteString("starting")
	case api.StatePrompt:
		fmt.Fprintf(&b, "waiting: %s is due (cued toggle to start, cued snooze to put it off, cued stop to dismiss)", st.Prompt.Routine)
	default:
		fmt.Fprintf(&b, "%s %s (%s)", st.State, st.Routine, st.Level)
		if st.Part != "" {
			fmt.Fprintf(&b, ", part %d/%d %s", st.PartIndex+1, st.Parts, st.Part)
		}
		fmt.Fprintf(&b, ", %s of %s, %s left", clock(st.ElapsedMS), clock(st.LengthMS), clock(st.RemainingMS))
		if st.Waiting && !st.Paused {
			b.WriteString("; waiting for you (cued toggle or cued next goes on)")
		}
	}
	if st.Snoozed != nil {
		fmt.Fprintf(&b, "; %s snoozed until %s", st.Snoozed.Routine, st.Snoozed.At.Local().Format("15:04"))
	}
	if st.Device.State == api.DeviceFault {
		fmt.Fprintf(&b, "; no audio device (%s), retrying", st.Device.Error)
	}
	return b.String()
}

// printStatus prints the status, the audio device and the next scheduled
// session.
func printStatus(w io.Writer, st api.Status) {
	fmt.Fprintln(w, statusLine(st))
	switch st.Device.State {
	case api.DeviceFault:
		fmt.Fprintf(w, "audio: no device: %s (retrying since %s)\n", st.Device.Error, st.Device.Since.Local().Format("15:04:05"))
	case api.DeviceOK:
		fmt.Fprintln(w, "audio: ok")
	default:
		fmt.Fprintln(w, "audio: idle")
	}
	if st.Next != nil {
		fmt.Fprintf(w, "next: %s %s (%s)\n", st.Next.At.Local().Format("Mon 15:04"), st.Next.Routine, st.Next.Mode)
	}
}

// progressBar draws done/total in width cells.
func progressBar(done, total int64, width int) string {
	n := 0
	if total > 0 {
		n = int(min(done, total) * int64(width) / total)
	}
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

// followStatus renders the event stream: on a terminal one line redrawn in
// place (and a line of its own for each part, pause, end and fault),
// elsewhere one line per event.
func followStatus(cmd *cobra.Command, c *client.Client, asJSON bool) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	w := cmd.OutOrStdout()
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	live := false
	err := c.Events(ctx, func(e api.Event) error {
		if asJSON {
			return json.NewEncoder(w).Encode(e)
		}
		line := statusLine(e.Status)
		if e.Status.State == api.StatePlaying || e.Status.State == api.StatePaused {
			line = progressBar(e.Status.ElapsedMS, e.Status.LengthMS, 20) + " " + line
		}
		stamp := e.Time.Local().Format("15:04:05")
		if !tty {
			msg := ""
			if e.Message != "" {
				msg = " — " + e.Message
			}
			_, err := fmt.Fprintf(w, "%s %-9s %s%s\n", stamp, e.Type, line, msg)
			return err
		}
		if e.Type == api.EventProgress || e.Type == api.EventStatus {
			fmt.Fprintf(w, "\r\033[K%s", line)
			live = true
			return nil
		}
		if live {
			fmt.Fprint(w, "\r\033[K")
		}
		what := string(e.Type)
		if e.Message != "" {
			what += ": " + e.Message
		}
		fmt.Fprintf(w, "%s %s\n%s", stamp, what, line)
		live = true
		return nil
	})
	if tty && live {
		fmt.Fprintln(w)
	}
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("the daemon went away")
		}
		return clientError(err)
	}
	return nil
}
