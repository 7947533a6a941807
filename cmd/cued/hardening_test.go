//go:build unix

package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
	"github.com/cued-dev/cued/daemon/history"
)

// badFiles makes the files a user may point cued at by mistake: a FIFO
// nobody writes, a character device that never ends, a directory, and a
// regular file over the 1 MiB cap. Each is named like a routine file.
func badFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.yaml")
	os.Mkdir(folder, 0o755)
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte(strings.Repeat("# padding\n", 2<<20/10)), 0o644)
	return map[string]string{
		"/dev/zero": "/dev/zero: is a character device, not a regular file (a routine file must be a regular file)",
		fifo:        fifo + ": is a named pipe (FIFO), not a regular file",
		folder:      folder + ": is a directory, not a regular file",
		big:         big + ": larger than 1 MiB, the most a routine file may have",
	}
}

// TestBadRoutineFiles: `cued check`, `cued timeline` and `cued play`
// (in-process) refuse each bad file at once with one line naming it.
func TestBadRoutineFiles(t *testing.T) {
	files := badFiles(t, t.TempDir())
	for path, want := range files {
		for _, args := range [][]string{{"check", path}, {"timeline", path}, {"play", "--local", "-q", path}} {
			t.Run(args[0]+" "+filepath.Base(path), func(t *testing.T) {
				t0 := time.Now()
				out, errOut, code := run(t, args...)
				msg := strings.TrimSpace(out + errOut)
				if d := time.Since(t0); d > 2*time.Second {
					t.Errorf("answered after %v (want within 2 s)", d)
				}
				if code == 0 || !strings.Contains(msg, want) || strings.Count(msg, "\n") > 0 {
					t.Errorf("exit %d, output %q; want one line with %q", code, msg, want)
				}
			})
		}
	}
}

// TestServeBadRoutineFiles: the same files through the daemon, by `cued
// play` and by curl: each answered 400 within 2 s with one line, and the
// daemon stays small and idle, ready for the next play.
func TestServeBadRoutineFiles(t *testing.T) {
	e := newDaemonEnv(t)
	e.start()
	defer e.stop()
	files := badFiles(t, e.home)
	// No subtests: e.run and e.curl fail the test that owns e.
	for path, want := range files {
		t0 := time.Now()
		_, errOut, code := e.run("play", path)
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("cued play %s: answered after %v", path, d)
		}
		if msg := strings.TrimSpace(errOut); code == 0 || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("cued play %s: exit %d, stderr %q; want one line with %q", path, code, msg, want)
		}
		if !hasCurl() {
			continue
		}
		body, _ := json.Marshal(api.PlayRequest{Routine: path})
		t0 = time.Now()
		status, answer := e.curl("POST", "/play", string(body))
		if d := time.Since(t0); d > 2*time.Second {
			t.Errorf("POST /play %s: answered after %v", path, d)
		}
		var out string
		json.Unmarshal([]byte(answer), &struct{ Error *string }{&out})
		if status != 400 || !strings.Contains(out, want) {
			t.Errorf("POST /play %s: %d %s; want 400 with %q", path, status, answer, want)
		}
	}
	if kib := procStatusKiB(e.serve.Process.Pid, "VmHWM"); kib == 0 || kib > 100<<10 {
		t.Errorf("daemon's peak RSS %d KiB, over 100 MB", kib)
	}
	c := client.New(e.socket)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if s, err := c.Status(ctx); err != nil || s.State != api.StateIdle {
		t.Fatalf("after the bad files: %+v %v; want idle", s, err)
	}
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic"}); err != nil {
		t.Errorf("a good play after the bad files: %v", err)
	}
}

// TestServeFIFOInRoutineFolder: a FIFO among the user's routine files does
// not hold the daemon's start or a reload: it is reported and skipped, and
// the other routines are there.
func TestServeFIFOInRoutineFolder(t *testing.T) {
	e := newDaemonEnv(t)
	dir := filepath.Join(e.home, ".config", "cued", "routines")
	os.MkdirAll(dir, 0o755)
	good, _ := os.ReadFile("../../library/tspine-basic.yaml")
	os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(strings.Replace(string(good), "id: tspine-basic", "id: mine", 1)), 0o644)
	fifo := filepath.Join(dir, "pipe.yaml")
	syscall.Mkfifo(fifo, 0o644)
	e.start() // fails the test if the daemon does not answer within 10 s
	defer e.stop()
	if !strings.Contains(e.log.String(), fifo+": is a named pipe (FIFO)") {
		t.Errorf("start did not report the FIFO; log:\n%s", e.log)
	}
	fifo2 := filepath.Join(dir, "pipe2.yaml")
	syscall.Mkfifo(fifo2, 0o644)
	t0 := time.Now()
	_, errOut, code := e.run("reload")
	if d := time.Since(t0); d > 2*time.Second || code == 0 || !strings.Contains(errOut, fifo2+": is a named pipe (FIFO)") {
		t.Errorf("reload: exit %d after %v, %q", code, d, errOut)
	}
	if out := e.mustRun("routines"); !strings.Contains(out, "mine") {
		t.Errorf("routines after reload:\n%s", out)
	}
}

// TestServeValidatesBeforeDevice: with no sound server, a play request
// with its own mistake is answered with that mistake (400), and only a
// valid one with the missing device (503).
func TestServeValidatesBeforeDevice(t *testing.T) {
	e := newNoDeviceEnv(t)
	e.startWith()
	defer e.stop()
	needCurl(t)
	tests := []struct {
		body string
		code int
		want string
	}{
		{`{"routine":"nosuch"}`, 400, `no such routine "nosuch"`},
		{`{"routine":"tspine-basic","work_ms":300000}`, 400, `--work 5m is outside step "roll"'s range 30s-1m`},
		{`{"routine":"tspine-basic","level":"max"}`, 400, `level "max" is not a level`},
		{`{"routine":"tspine-basic"}`, 503, "no audio"},
		{`{"routine":"nosuch"}`, 400, `no such routine "nosuch"`}, // and once the device is known down
	}
	for _, tt := range tests {
		code, body := e.curl("POST", "/play", tt.body)
		var answer struct{ Error string }
		json.Unmarshal([]byte(body), &answer)
		if code == 200 && tt.code == 503 {
			t.Skip("a sound device is present after all: nothing to test")
		}
		if code != tt.code || !strings.Contains(answer.Error, tt.want) {
			t.Errorf("POST /play %s: %d %s; want %d with %q", tt.body, code, body, tt.code, tt.want)
		}
	}
	if _, errOut, code := e.run("play", "nosuch"); code == 0 || !strings.Contains(errOut, `no such routine "nosuch"`) {
		t.Errorf("cued play nosuch: exit %d, %q", code, errOut)
	}
	out := e.mustRun("status")
	if !strings.HasPrefix(out, "idle") {
		t.Errorf("status after the refusals:\n%s", out)
	}
}

// TestServeKilledMidSession: a daemon killed with SIGKILL in the middle of
// a session leaves it in the history as interrupted, with the part it had
// reached; the lines before it are intact, and the restarted daemon adds
// after them.
func TestServeKilledMidSession(t *testing.T) {
	e := newDaemonEnv(t)
	e.start()
	c := client.New(e.socket)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic", Level: "gentle"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	e.mustRun("stop")
	before, _ := os.ReadFile(e.historyFile())
	// The next session is killed 1.5 s into its part: seek there first
	// (next skips the spoken introduction to the part's mark).
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic", Level: "gentle"}); err != nil {
		t.Fatal(err)
	}
	e.mustRun("next")
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := c.Status(ctx)
		if err == nil && s.Part != "" && s.ElapsedMS > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never reached a part: %+v %v", s, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond)
	e.serve.Process.Kill()
	e.serve.Wait()
	after, _ := os.ReadFile(e.historyFile())
	if !strings.HasPrefix(string(after), string(before)) {
		t.Fatalf("kill -9 changed earlier lines:\n%s\nwas\n%s", after, before)
	}
	recs, err := history.Read(e.historyFile(), nil)
	if err != nil || len(recs) != 2 {
		t.Fatalf("history: %d sessions, %v: %+v", len(recs), err, recs)
	}
	if r := recs[0]; r.Interrupted || r.Completed || r.ReachedMS == 0 && r.Part != "" {
		t.Errorf("the stopped session: %+v", r)
	}
	killed := recs[1]
	if !killed.Interrupted || killed.Completed || killed.Part != "Segment roll" || killed.ReachedMS <= 0 {
		t.Errorf("the killed session: %+v; want interrupted in Segment roll", killed)
	}

	e.start()
	defer e.stop()
	out := e.mustRun("history")
	if !strings.Contains(out, "interrupted at ") || !strings.Contains(out, "(Segment roll): the daemon ended under it") ||
		!strings.Contains(out, "stopped at ") {
		t.Errorf("cued history after the kill:\n%s", out)
	}
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic", Level: "gentle"}); err != nil {
		t.Fatal(err)
	}
	if out := e.mustRun("history"); !strings.Contains(out, "playing now") {
		t.Errorf("cued history while a session plays:\n%s", out)
	}
	e.mustRun("stop")
	final, _ := os.ReadFile(e.historyFile())
	if !strings.HasPrefix(string(final), string(after)) {
		t.Errorf("the restarted daemon changed earlier lines")
	}
}

// TestBadConfigFiles: --config naming a FIFO, a device, a folder or a file
// over 1 MiB is refused at once with one line naming it.
func TestBadConfigFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "config.yaml")
	syscall.Mkfifo(fifo, 0o644)
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte(strings.Repeat("# padding\n", 2<<20/10)), 0o644)
	tests := []struct{ path, want string }{
		{fifo, fifo + ": is a named pipe (FIFO), not a regular file (a config file must be a regular file)"},
		{"/dev/zero", "/dev/zero: is a character device"},
		{dir, dir + ": is a directory"},
		{big, big + ": larger than 1 MiB, the most a config file may have"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			t0 := time.Now()
			_, errOut, code := run(t, "--config", tt.path, "routines")
			msg := strings.TrimSpace(errOut)
			if d := time.Since(t0); d > 2*time.Second || code == 0 || !strings.Contains(msg, tt.want) || strings.Contains(msg, "\n") {
				t.Errorf("exit %d after %v, stderr %q; want one line with %q", code, d, msg, tt.want)
			}
		})
	}
}
