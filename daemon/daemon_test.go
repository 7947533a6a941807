package daemon_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/cued-dev/cued/daemon"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
	"github.com/cued-dev/cued/daemon/history"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestVerbs(t *testing.T) {
	h := start(t, nil)
	ctx := context.Background()
	s := h.status()
	if s.State != api.StateIdle || s.Device.State != api.DeviceIdle {
		t.Fatalf("idle status %+v", s)
	}
	for _, v := range api.Verbs {
		if _, err := h.c.Verb(ctx, string(v)); !isCode(err, 409) {
			t.Errorf("%s while idle: %v, want 409", v, err)
		}
	}
	s, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"})
	if err != nil || s.State != api.StatePlaying || s.Routine != "r1" || s.Parts != 3 || s.Device.State != api.DeviceOK {
		t.Fatalf("play: %+v, %v", s, err)
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); !isCode(err, 409) {
		t.Errorf("second play: %v, want 409", err)
	}
	h.waitFor("elapsed > 200ms", func(s api.Status) bool { return s.ElapsedMS > 200 })

	s, err = h.c.Verb(ctx, "pause")
	if err != nil || !s.Paused || s.State != api.StatePaused {
		t.Fatalf("pause: %+v %v", s, err)
	}
	time.Sleep(50 * time.Millisecond)
	p1 := h.status().ElapsedMS
	time.Sleep(200 * time.Millisecond)
	if p2 := h.status().ElapsedMS; p2 != p1 {
		t.Errorf("paused position moved from %d to %d ms", p1, p2)
	}
	if s, err = h.c.Verb(ctx, "toggle"); err != nil || s.Paused {
		t.Fatalf("toggle (resume): %+v %v", s, err)
	}
	if s, err = h.c.Verb(ctx, "resume"); err != nil || s.State != api.StatePlaying {
		t.Fatalf("resume while playing: %+v %v", s, err)
	}
	if _, err = h.c.Verb(ctx, "next"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("part two", func(s api.Status) bool { return s.PartIndex == 1 && s.Part == "two" })
	if _, err = h.c.Verb(ctx, "prev"); err != nil {
		t.Fatal(err)
	}
	h.waitFor("back to part one", func(s api.Status) bool { return s.PartIndex == 0 })
	if s, err = h.c.Verb(ctx, "stop"); err != nil || s.State != api.StateIdle {
		t.Fatalf("stop: %+v %v", s, err)
	}
	recs, err := history.Read(h.hist, nil)
	if err != nil || len(recs) != 1 || recs[0].Routine != "r1" || recs[0].Completed || recs[0].Part != "one" {
		t.Errorf("history after stop: %+v %v", recs, err)
	}
	rs, err := h.c.Routines(ctx)
	if err != nil || len(rs) != 1 || rs[0].ID != "r1" {
		t.Errorf("routines: %+v %v", rs, err)
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "nope"}); !isCode(err, 400) || !strings.Contains(err.Error(), `no such routine "nope"`) {
		t.Errorf("unknown routine: %v", err)
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{}); !isCode(err, 400) {
		t.Errorf("play without routine: %v", err)
	}
	if r, err := h.c.Reload(ctx); err != nil || !r.OK {
		t.Errorf("reload: %+v %v", r, err)
	}
}

func TestPlayToEnd(t *testing.T) {
	h := start(t, func(o *daemon.Options) { o.Prepare = prepare(0.3) })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var types []string
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- h.c.Events(ctx, func(e api.Event) error {
			if e.Type == api.EventStatus {
				close(ready)
			}
			types = append(types, string(e.Type))
			if e.Type == api.EventEnd {
				return errStop
			}
			return nil
		})
	}()
	<-ready
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, errStop) {
		t.Fatalf("events: %v", err)
	}
	got := strings.Join(types, " ")
	for _, w := range []string{"status", "start", "part", "end"} {
		if !strings.Contains(got, w) {
			t.Errorf("events %q lack %q", got, w)
		}
	}
	recs, _ := history.Read(h.hist, nil)
	if len(recs) != 1 || !recs[0].Completed || recs[0].ReachedMS != recs[0].LengthMS || recs[0].LengthMS != 300 {
		t.Errorf("history: %+v", recs)
	}
}

var errStop = errors.New("stop")

func isCode(err error, code int) bool {
	var e *api.Error
	return errors.As(err, &e) && e.Status == code
}

func TestBadRequests(t *testing.T) {
	h := start(t, nil)
	big := `{"routine":"` + strings.Repeat("x", api.MaxBody) + `"}`
	tests := []struct {
		name               string
		method, path, body string
		code               int
		want               string
	}{
		{"unknown endpoint", "GET", "/nope", "", 404, `no endpoint "/nope"`},
		{"GET play", "GET", "/play", "", 405, "GET /play is not allowed (use POST)"},
		{"POST status", "POST", "/status", "", 405, "use GET"},
		{"DELETE stop", "DELETE", "/stop", "", 405, "use POST"},
		{"play with cut-off JSON", "POST", "/play", "{", 400, "malformed play request"},
		{"play with a number for routine", "POST", "/play", `{"routine": 3}`, 400, "malformed play request"},
		{"play with an unknown field", "POST", "/play", `{"routine":"r1","colour":"red"}`, 400, `unknown field "colour"`},
		{"play with two JSON values", "POST", "/play", `{"routine":"r1"} {}`, 400, "more than one JSON value"},
		{"play with an unknown level", "POST", "/play", `{"routine":"r1","level":"max"}`, 400, `level "max" is not a level`},
		{"play body too large", "POST", "/play", big, 413, "larger than 65536 bytes"},
		{"pause body too large", "POST", "/pause", big, 413, "larger than"},
		{"pause body not JSON", "POST", "/pause", "not json", 400, "malformed JSON body"},
		{"schedule n not a number", "GET", "/schedule?n=zero", "", 400, "n must be a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The same daemon, with this case's t, so that a failed
			// request stops only this case.
			h := *h
			h.t = t
			code, body := h.raw(tt.method, tt.path, strings.NewReader(tt.body))
			var e struct{ Error string }
			if code != tt.code || json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tt.want) {
				t.Errorf("%s %s: %d %s; want %d with %q", tt.method, tt.path, code, body, tt.code, tt.want)
			}
		})
	}
	if s := h.status(); s.State != api.StateIdle {
		t.Errorf("daemon state after bad requests: %+v", s)
	}
}

func TestConcurrentClients(t *testing.T) {
	h := start(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const watchers, pollers = 20, 40
	var got sync.WaitGroup
	got.Add(watchers)
	var wg sync.WaitGroup
	errs := make(chan error, watchers+pollers)
	subscribed := make(chan struct{}, watchers)
	for range watchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client.New(h.socket)
			defer c.Close()
			seen := false
			err := c.Events(ctx, func(e api.Event) error {
				if e.Type == api.EventStatus {
					subscribed <- struct{}{}
				}
				if e.Type == api.EventStart && !seen {
					seen = true
					got.Done()
				}
				return nil
			})
			if err != nil {
				errs <- err
			}
		}()
	}
	for range watchers {
		<-subscribed
	}
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	var pw sync.WaitGroup
	for range pollers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			c := client.New(h.socket)
			defer c.Close()
			for range 20 {
				if s, err := c.Status(ctx); err != nil || s.State != api.StatePlaying {
					errs <- errors.Join(err, errors.New("state "+string(s.State)))
					return
				}
			}
		}()
	}
	pw.Wait()
	got.Wait()
	cancel()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestShutdownMidSession(t *testing.T) {
	h := start(t, nil)
	ctx := context.Background()
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	evDone := make(chan error, 1)
	go func() {
		c := client.New(h.socket)
		defer c.Close()
		evDone <- c.Events(ctx, func(api.Event) error { return nil })
	}()
	// Status extrapolates from the device's last report, and a report that
	// comes late (a busy machine) puts it back by its delay: wait past
	// 150 ms for a reached position of at least 100.
	h.waitFor("elapsed > 150ms", func(s api.Status) bool { return s.ElapsedMS > 150 })
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	if err := <-evDone; err == nil {
		t.Error("event stream ended without error at shutdown")
	}
	if _, err := os.Stat(h.socket); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
	recs, err := history.Read(h.hist, nil)
	if err != nil || len(recs) != 1 || recs[0].Completed || recs[0].ReachedMS < 100 {
		t.Errorf("history after shutdown: %+v %v", recs, err)
	}
}

func TestSecondDaemon(t *testing.T) {
	h := start(t, nil)
	d2, err := daemon.New(daemon.Options{Socket: h.socket, Prepare: prepare(1), Output: h.out, Logger: quietLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	err = d2.Run(context.Background())
	if !errors.Is(err, daemon.ErrRunning) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second daemon: %v", err)
	}
	if s := h.status(); s.State != api.StateIdle {
		t.Errorf("first daemon: %+v", s)
	}
}

func TestNoDevice(t *testing.T) {
	h := start(t, func(o *daemon.Options) { o.ProbeRate = rate })
	h.out.down.Store(true)
	ctx := context.Background()
	_, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"})
	if !isCode(err, 503) || !strings.Contains(err.Error(), "no audio device") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("play with no device: %v", err)
	}
	s := h.status()
	if s.Device.State != api.DeviceFault || s.State != api.StateIdle {
		t.Fatalf("status: %+v", s)
	}
	t0 := time.Now()
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); !isCode(err, 503) || time.Since(t0) > 100*time.Millisecond {
		t.Fatalf("second play: %v after %v", err, time.Since(t0))
	}
	h.out.down.Store(false)
	h.waitFor("device back", func(s api.Status) bool { return s.Device.State != api.DeviceFault })
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	for i, r := range h.out.rates {
		if r != rate {
			t.Fatalf("open %d of %v at %d Hz: the probe must open at the sessions' rate %d", i, h.out.rates, r, rate)
		}
	}
}

func TestRecoveryMidSession(t *testing.T) {
	for _, rewind := range []time.Duration{0, 150 * time.Millisecond} {
		t.Run(fmt.Sprint("rewind ", rewind), func(t *testing.T) { testRecovery(t, rewind) })
	}
}

// testRecovery kills the output mid-session: the session must go on, on a
// new stream, from the frame the dead one had played less rewind.
func testRecovery(t *testing.T, rewind time.Duration) {
	h := start(t, func(o *daemon.Options) { o.FaultRewind = rewind })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var mu sync.Mutex
	var types []string
	sub := make(chan struct{})
	go h.c.Events(ctx, func(e api.Event) error {
		if e.Type == api.EventStatus {
			close(sub)
		}
		mu.Lock()
		types = append(types, string(e.Type))
		mu.Unlock()
		return nil
	})
	<-sub
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("elapsed > 300ms", func(s api.Status) bool { return s.ElapsedMS > 300 })
	if _, err := h.c.Verb(ctx, "next"); err != nil { // a seek before the fault: the new device's positions must still count
		t.Fatal(err)
	}
	h.waitFor("part two", func(s api.Status) bool { return s.PartIndex == 1 })
	h.out.down.Store(true)
	first := h.out.last()
	heard := int(h.status().ElapsedMS * rate / 1000)
	first.kill()
	s := h.waitFor("fault", func(s api.Status) bool { return s.Device.State == api.DeviceFault })
	if s.State != api.StatePlaying {
		t.Errorf("state during fault: %s", s.State)
	}
	time.Sleep(100 * time.Millisecond)
	h.out.down.Store(false)
	h.waitFor("recovered", func(s api.Status) bool { return s.Device.State == api.DeviceOK })
	second := h.out.last()
	if second == first {
		t.Fatal("no new device")
	}
	// The new device starts the session at the sample the dead one had
	// reported, less the rewind (give or take the reports between the
	// status read and the death, and the status's move in real time past
	// the last report: a null device reports every 20 ms).
	back := int(int64(rate) * int64(rewind) / int64(time.Second))
	log := second.log()
	var from int
	var paused bool
	if len(log) == 0 {
		t.Fatal("the new device got nothing")
	}
	if _, err := fmt.Sscanf(log[0], "play r1 from %d paused %v", &from, &paused); err != nil || paused {
		t.Fatalf("the new device's first control %q, want the session playing", log[0])
	}
	if want := heard - back; from < want-rate/20 || from > want+rate/10 {
		t.Errorf("resumed at sample %d; the dead device had reported %d, rewind %d frames", from, heard, back)
	}
	at := h.status().ElapsedMS
	h.waitFor("the position moving on the new device", func(s api.Status) bool { return s.ElapsedMS > at+100 })
	h.c.Verb(ctx, "stop")
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	got := strings.Join(types, " ")
	mu.Unlock()
	if !strings.Contains(got, "fault") || !strings.Contains(got, "recovered") {
		t.Errorf("events %q lack fault and recovered", got)
	}
}

// TestControlsReachTheDevice: pause, resume, next, prev and stop reach the
// device as the controls of the session it plays, next and prev as moves
// to the marks (the fades are the child's player's, tested in package
// playback).
func TestControlsReachTheDevice(t *testing.T) {
	h := start(t, nil)
	ctx := context.Background()
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"pause", "resume", "next"} {
		if _, err := h.c.Verb(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	// More than the grace (0.2 s) into part two: prev goes back to its start.
	h.waitFor("0.4 s into part two", func(s api.Status) bool { return s.ElapsedMS > 1400 })
	h.c.Verb(ctx, "prev")
	h.c.Verb(ctx, "stop")
	got := strings.Join(h.out.last().log(), "; ")
	if want := "play r1 from 0 paused false; pause; resume; move 8000; move 8000; stop"; got != want {
		t.Errorf("the device got %q, want %q", got, want)
	}
}

// TestNextPastTheEnd skips past the last part: the session ends as stopped,
// never as completed, and the history says so.
func TestNextPastTheEnd(t *testing.T) {
	h := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	for part := 1; part <= 2; part++ {
		if _, err := h.c.Verb(ctx, "next"); err != nil {
			t.Fatal(err)
		}
		h.waitFor(fmt.Sprintf("part %d", part+1), func(s api.Status) bool { return s.PartIndex == part })
	}
	s, err := h.c.Verb(ctx, "next")
	if err != nil || s.State != api.StateIdle {
		t.Fatalf("next on the last part: %+v %v, want idle", s, err)
	}
	recs, err := history.Read(h.hist, nil)
	if err != nil || len(recs) != 1 || recs[0].Completed {
		t.Errorf("history after skipping past the end: %+v %v; want one session, not completed", recs, err)
	}
}

// TestWaitIsReleasedByPlayToggleAndNext: while the session is inside a
// wait, status says waiting, and resume, toggle and next each release it
// (a seek to the wait's end) where toggle would otherwise pause.
func TestWaitIsReleasedByPlayToggleAndNext(t *testing.T) {
	const end = rate * 3 * 9 / 10 // prepare(3): the wait ends at 90 % of 3 s
	for _, verb := range []api.Verb{api.VerbResume, api.VerbToggle, api.VerbNext} {
		t.Run(string(verb), func(t *testing.T) {
			h := start(t, nil)
			ctx := t.Context()
			if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "wait"}); err != nil {
				t.Fatal(err)
			}
			h.waitFor("waiting", func(s api.Status) bool { return s.Waiting })
			s, err := h.c.Verb(ctx, string(verb))
			if err != nil {
				t.Fatal(err)
			}
			if s.State != api.StatePlaying || s.Paused || s.Waiting {
				t.Fatalf("after %s at a wait: state %s paused %v waiting %v; want playing on", verb, s.State, s.Paused, s.Waiting)
			}
			want := fmt.Sprintf("move %d", end)
			if log := h.out.last().log(); !slices.Contains(log, want) || slices.Contains(log, "pause") {
				t.Fatalf("device controls %q; want %q and no pause", log, want)
			}
		})
	}
	// Outside a wait, toggle pauses as ever.
	h := start(t, nil)
	if _, err := h.c.Play(t.Context(), api.PlayRequest{Routine: "r1"}); err != nil {
		t.Fatal(err)
	}
	if s, err := h.c.Verb(t.Context(), string(api.VerbToggle)); err != nil || !s.Paused {
		t.Fatalf("toggle outside a wait: %+v, %v; want paused", s, err)
	}
}

// TestLatencyOffset: the status's elapsed is what the output reports less
// Options.LatencyOffset (what the listener hears of it, a Bluetooth
// headset's delay later), never below zero.
func TestLatencyOffset(t *testing.T) {
	const offset = time.Second
	plain := start(t, nil)
	late := start(t, func(o *daemon.Options) { o.LatencyOffset = offset })
	for _, h := range []*harness{plain, late} {
		if _, err := h.c.Play(t.Context(), api.PlayRequest{Routine: "r1"}); err != nil {
			t.Fatal(err)
		}
	}
	if s := late.status(); s.ElapsedMS != 0 {
		t.Errorf("elapsed %d ms at the start with a %v offset, want 0 (never below zero)", s.ElapsedMS, offset)
	}
	late.waitFor("elapsed > 0", func(s api.Status) bool { return s.ElapsedMS > 0 })
	a, b := plain.status().ElapsedMS, late.status().ElapsedMS
	if d := a - b; d < offset.Milliseconds()-200 || d > offset.Milliseconds()+200 { // the two daemons started apart, a busy machine between
		t.Errorf("elapsed %d ms without the offset, %d with it: %d ms apart, want about %d", a, b, d, offset.Milliseconds())
	}
}

// TestWaitLimit: a session held at a wait longer than Options.WaitLimit is
// paused, with a pause event that says why; play then goes on from it.
func TestWaitLimit(t *testing.T) {
	h := start(t, func(o *daemon.Options) { o.WaitLimit = 300 * time.Millisecond })
	ctx := t.Context()
	if _, err := h.c.Play(ctx, api.PlayRequest{Routine: "wait"}); err != nil {
		t.Fatal(err)
	}
	h.waitFor("waiting", func(s api.Status) bool { return s.Waiting })
	s := h.waitFor("paused", func(s api.Status) bool { return s.State == api.StatePaused })
	if !s.Waiting {
		t.Errorf("paused outside the wait: %+v", s)
	}
	s, err := h.c.Verb(ctx, string(api.VerbResume))
	if err != nil || s.State != api.StatePlaying || s.Waiting {
		t.Fatalf("resume after the wait limit: %+v, %v; want playing on from the wait's end", s, err)
	}
	if want := fmt.Sprintf("move %d", rate*3*9/10); !slices.Contains(h.out.last().log(), want) {
		t.Errorf("device controls %q; want %q (the wait's end)", h.out.last().log(), want)
	}
}
