package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cued-dev/cued/audio"
	"github.com/cued-dev/cued/daemon/api"
	"github.com/cued-dev/cued/daemon/client"
	"github.com/cued-dev/cued/daemon/history"
	"github.com/cued-dev/cued/internal/needs"
	"github.com/cued-dev/cued/library"
	"github.com/cued-dev/cued/sequencer"
)

// daemonEnv is a private home for a daemon and its clients.
type daemonEnv struct {
	t      *testing.T
	home   string
	env    []string
	socket string
	serve  *exec.Cmd
	log    *syncBuffer
}

// syncBuffer is a bytes.Buffer that the daemon's stderr copier and the
// test may use at the same time.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newDaemonEnv writes a config that needs no speech synthesiser (stand-in
// tones for the cues, so a session is ready in milliseconds) and has no
// schedule.
func newDaemonEnv(t *testing.T) *daemonEnv {
	t.Helper()
	home := t.TempDir()
	e := &daemonEnv{t: t, home: home, socket: filepath.Join(home, "run", "cued", "cued.sock")}
	cfgDir := filepath.Join(home, ".config", "cued")
	os.MkdirAll(cfgDir, 0o755)
	os.WriteFile(filepath.Join(cfgDir, "config.yaml"), []byte("voice:\n  synth: none\nschedule: []\n"), 0o644)
	e.env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_STATE_HOME="+filepath.Join(home, ".state"),
		"XDG_RUNTIME_DIR="+filepath.Join(home, "run"))
	return e
}

func (e *daemonEnv) historyFile() string {
	return filepath.Join(e.home, ".state", "cued", "history.jsonl")
}

// start runs `cued serve --sink null` and waits for its socket.
func (e *daemonEnv) start() { e.startWith("--sink", "null") }

// startWith runs `cued serve` with args and waits for its socket.
func (e *daemonEnv) startWith(args ...string) {
	e.t.Helper()
	e.log = new(syncBuffer)
	e.serve = exec.Command(cuedBin, append([]string{"serve"}, args...)...)
	e.serve.Dir = e.home
	e.serve.Env = e.env
	e.serve.Stderr = e.log
	if err := e.serve.Start(); err != nil {
		e.t.Fatal(err)
	}
	stopWatch := watchMemory(e.serve.Process)
	e.t.Cleanup(func() {
		if stopWatch() {
			e.t.Errorf("cued serve used more than %d MiB and was killed; log:\n%s", memoryLimitKiB>>10, e.log)
		}
	})
	e.t.Cleanup(func() {
		if e.serve != nil && e.serve.ProcessState == nil {
			e.serve.Process.Kill()
			e.serve.Wait()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, _, code := e.run("status"); code == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("daemon did not answer within 10 s; log:\n%s", e.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (e *daemonEnv) stop() {
	e.t.Helper()
	e.serve.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.serve.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			e.t.Errorf("serve exited with %v; log:\n%s", err, e.log)
		}
	case <-time.After(5 * time.Second):
		e.t.Fatalf("serve did not stop on SIGTERM; log:\n%s", e.log)
	}
}

// run runs the CLI in the environment.
func (e *daemonEnv) run(args ...string) (string, string, int) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cuedBin, args...)
	cmd.Dir = e.home
	cmd.Env = e.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err, overMemory := runBounded(cmd)
	if overMemory {
		e.t.Fatalf("cued %v used more than %d MiB (killed); stderr: %s", args, memoryLimitKiB>>10, stderr.String())
	}
	if ctx.Err() != nil {
		e.t.Fatalf("cued %v did not exit within %v (killed); stderr: %s", args, cliTimeout, stderr.String())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return stdout.String(), stderr.String(), ee.ExitCode()
	} else if err != nil {
		e.t.Fatal(err)
	}
	return stdout.String(), stderr.String(), 0
}

// mustRun runs the CLI and fails the test on a non-zero exit.
func (e *daemonEnv) mustRun(args ...string) string {
	e.t.Helper()
	out, errOut, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("cued %v: exit %d: %s%s", args, code, out, errOut)
	}
	return out
}

// curl runs curl on the socket and returns the HTTP code and body.
func (e *daemonEnv) curl(method, path, body string) (int, string) {
	e.t.Helper()
	args := []string{"-s", "-o", "-", "-w", "\n%{http_code}", "--unix-socket", e.socket, "-X", method}
	if body != "" {
		args = append(args, "-H", "Content-Type: application/json", "--data-binary", "@-")
	}
	cmd := exec.Command("curl", append(append(args, "--max-time", "30"), "http://cued"+path)...)
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.Output()
	if err != nil {
		e.t.Fatalf("curl %s %s: %v", method, path, err)
	}
	s := strings.TrimRight(string(out), "\n")
	i := strings.LastIndexByte(s, '\n')
	var code int
	json.Unmarshal([]byte(s[i+1:]), &code)
	return code, s[:max(i, 0)]
}

func hasCurl() bool { _, err := exec.LookPath("curl"); return err == nil }

func needCurl(t *testing.T) { needs.Program(t, "curl", "curl") }

func TestServeVerbs(t *testing.T) {
	e := newDaemonEnv(t)
	if _, errOut, code := e.run("status"); code == 0 || !strings.Contains(errOut, "no cued daemon is running") {
		t.Errorf("status without daemon: exit %d, %q", code, errOut)
	}
	if out, _, code := e.run("schedule"); code != 0 || !strings.Contains(out, "nothing is scheduled") {
		t.Errorf("schedule without daemon: exit %d, %q", code, out)
	}
	e.start()
	if out := e.mustRun("status"); !strings.HasPrefix(out, "idle\naudio: idle") {
		t.Errorf("idle status: %q", out)
	}
	if _, errOut, code := e.run("pause"); code == 0 || !strings.Contains(errOut, "nothing is playing") {
		t.Errorf("pause while idle: exit %d, %q", code, errOut)
	}
	_, errOut, code := e.run("serve", "--sink", "null")
	if code == 0 || !strings.Contains(errOut, "another cued daemon is running (pid") {
		t.Errorf("second serve: exit %d, %q", code, errOut)
	}

	// Start through the client function cued play uses.
	t.Setenv("XDG_RUNTIME_DIR", filepath.Join(e.home, "run"))
	handled, err := newApp(io.Discard).tryDaemonPlay(api.PlayRequest{Routine: "tspine-3way", Level: "gentle"})
	if !handled || err != nil {
		t.Fatalf("tryDaemonPlay: %v %v", handled, err)
	}
	var st api.Status
	if err := json.Unmarshal([]byte(e.mustRun("status", "--json")), &st); err != nil || st.State != api.StatePlaying || st.Routine != "tspine-3way" || st.Parts != 3 {
		t.Fatalf("status --json: %+v %v", st, err)
	}
	steps := []struct {
		verb, want string
	}{
		{"pause", "paused tspine-3way (gentle)"},
		{"resume", "playing tspine-3way"},
		{"toggle", "paused"},
		{"toggle", "playing"},
		{"next", "playing"},
		{"prev", "playing"},
		{"reload", "reloaded"},
	}
	for _, s := range steps {
		if out := e.mustRun(s.verb); !strings.Contains(out, s.want) {
			t.Errorf("cued %s: %q, want %q", s.verb, out, s.want)
		}
	}
	follow := exec.Command(cuedBin, "status", "--follow")
	follow.Env, follow.Dir = e.env, e.home
	var fout bytes.Buffer
	follow.Stdout = &fout
	follow.Start()
	time.Sleep(1500 * time.Millisecond)
	e.mustRun("stop")
	time.Sleep(200 * time.Millisecond)
	follow.Process.Signal(os.Interrupt)
	follow.Wait()
	if s := fout.String(); !strings.Contains(s, "status ") || !strings.Contains(s, "progress") || !strings.Contains(s, "stop ") {
		t.Errorf("status --follow:\n%s", s)
	}
	if out := e.mustRun("history"); !strings.Contains(out, "tspine-3way gentle  stopped at") {
		t.Errorf("history: %q", out)
	}
	if out := e.mustRun("schedule"); !strings.Contains(out, "nothing is scheduled") {
		t.Errorf("schedule: %q", out)
	}
	e.stop()
	if _, err := os.Stat(e.socket); !os.IsNotExist(err) {
		t.Errorf("socket left after SIGTERM: %v", err)
	}
}

func TestServeCurl(t *testing.T) {
	needCurl(t)
	e := newDaemonEnv(t)
	e.start()
	defer e.stop()
	tests := []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"GET", "/status", "", 200, `"state":"idle"`},
		{"GET", "/routines", "", 200, `"id":"tspine-basic"`},
		{"GET", "/schedule", "", 200, `[]`},
		{"POST", "/status", "", 405, `"error":"POST /status is not allowed (use GET)"`},
		{"GET", "/stop", "", 405, `use POST`},
		{"GET", "/bogus", "", 404, `"error":"no endpoint \"/bogus\"`},
		{"POST", "/play", `{"routine":`, 400, `malformed play request`},
		{"POST", "/play", `{"routine":"tspine-basic","level":"loud"}`, 400, `level \"loud\" is not a level`},
		{"POST", "/play", `{"routine":"nope"}`, 400, `no such routine`},
		{"POST", "/play", `{"routine":"` + strings.Repeat("a", 70000) + `"}`, 413, `larger than 65536 bytes`},
		{"POST", "/play", `{"routine":"tspine-basic","level":"gentle","work_ms":30000}`, 200, `"state":"playing"`},
		{"POST", "/pause", "", 200, `"paused":true`},
		{"POST", "/resume", "", 200, `"paused":false`},
		{"POST", "/next", "", 200, `"state":"playing"`},
		{"POST", "/prev", "", 200, `"state":"playing"`},
		{"POST", "/toggle", "", 200, `"state":"paused"`},
		{"POST", "/stop", "", 200, `"state":"idle"`},
		{"POST", "/stop", "", 409, `"error":"nothing is playing"`},
		{"POST", "/reload", "", 200, `"ok":true`},
		{"GET", "/status", "", 200, `"state":"idle"`},
	}
	for _, tt := range tests {
		code, body := e.curl(tt.method, tt.path, tt.body)
		if code != tt.code || !strings.Contains(body, tt.want) {
			t.Errorf("curl -X %s %s: %d %s; want %d with %s", tt.method, tt.path, code, body, tt.code, tt.want)
		}
	}
	// The event stream: curl -N prints the first event and is cut by --max-time.
	out, _ := exec.Command("curl", "-s", "-N", "--max-time", "1", "--unix-socket", e.socket, "http://cued/events").Output()
	if !strings.HasPrefix(string(out), "event: status\ndata: {\"type\":\"status\"") {
		t.Errorf("curl /events: %q", out)
	}
}

// TestServeCrash kills a daemon with SIGKILL mid-session and checks that
// the history keeps every earlier line, that a torn last line (a write cut
// by the crash) is skipped with a warning, and that the restarted daemon
// appends after it. (TestServeKilledMidSession checks what the killed
// session's lines say.)
func TestServeCrash(t *testing.T) {
	e := newDaemonEnv(t)
	e.start()
	c := client.New(e.socket)
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic", Level: "gentle"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	e.mustRun("stop")
	first, err := os.ReadFile(e.historyFile())
	if recs, _ := history.Read(e.historyFile(), nil); err != nil || len(recs) != 1 {
		t.Fatalf("history after one session: %q %v", first, err)
	}
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	e.serve.Process.Kill()
	e.serve.Wait()
	after, _ := os.ReadFile(e.historyFile())
	if !bytes.HasPrefix(after, first) {
		t.Fatalf("kill -9 changed earlier lines:\n%q\nwas\n%q", after, first)
	}
	tornLine := fmt.Sprintf("history.jsonl:%d: damaged line skipped", bytes.Count(after, []byte("\n"))+1)
	// A write torn by a crash.
	torn := `{"routine":"tspine-basic","start":"2026-`
	f, _ := os.OpenFile(e.historyFile(), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(torn)
	f.Close()

	e.start() // the stale socket and lock of the killed daemon are reclaimed
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "tspine-basic"}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	e.mustRun("stop")
	e.stop()
	if !strings.Contains(e.log.String(), tornLine) {
		t.Errorf("restarted daemon did not warn of the torn line; log:\n%s", e.log)
	}
	final, _ := os.ReadFile(e.historyFile())
	if !bytes.HasPrefix(final, append(append([]byte(nil), after...), torn+"\n"...)) {
		t.Errorf("earlier lines changed:\n%s", final)
	}
	out, errOut, code := e.run("history")
	if code != 0 || !strings.Contains(errOut, "warning: ") || !strings.Contains(errOut, tornLine) ||
		strings.Count(out, "tspine-basic") != 3 {
		t.Errorf("history: exit %d\n%s%s", code, out, errOut)
	}
	var warned []string
	recs, err := history.Read(e.historyFile(), func(w string) { warned = append(warned, w) })
	if err != nil || len(recs) != 3 || len(warned) != 1 {
		t.Errorf("history.Read: %d records, warnings %q, %v", len(recs), warned, err)
	}
}

// TestServeReload adds routine files while the daemon runs: a good one
// appears after `cued reload`; a broken one is reported with its position
// and a broken file keeps its previous version; SIGHUP reloads too.
func TestServeReload(t *testing.T) {
	e := newDaemonEnv(t)
	e.start()
	defer e.stop()
	dir := filepath.Join(e.home, ".config", "cued", "routines")
	os.MkdirAll(dir, 0o755)
	good, _ := os.ReadFile("../../library/tspine-basic.yaml")
	os.WriteFile(filepath.Join(dir, "mine.yaml"), bytes.Replace(good, []byte("id: tspine-basic"), []byte("id: mine"), 1), 0o644)
	if out := e.mustRun("reload"); !strings.Contains(out, "reloaded") {
		t.Errorf("reload: %q", out)
	}
	c := client.New(e.socket)
	defer c.Close()
	ctx := context.Background()
	rs, err := c.Routines(ctx)
	if err != nil || !strings.Contains(fmt.Sprint(rs), "mine") {
		t.Fatalf("routines after reload: %+v %v", rs, err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("id: x\nname: X\nsteps:\n  - id: a\n    name: A\n    work: 60s-30s\n"), 0o644)
	_, errOut, code := e.run("reload")
	if code == 0 || !strings.Contains(errOut, bad+":6:11: work 60s-30s") {
		t.Errorf("reload with a broken file: exit %d, %q", code, errOut)
	}
	mine := filepath.Join(dir, "mine.yaml")
	os.WriteFile(mine, []byte("id: mine\nname: broken mid-edit\nsteps: [\n"), 0o644)
	_, errOut, code = e.run("reload")
	if code == 0 || !strings.Contains(errOut, mine+":") || !strings.Contains(errOut, `the previous version of routine "mine" stays in use`) {
		t.Errorf("reload with mine.yaml broken: exit %d, %q", code, errOut)
	}
	if _, err := c.Play(ctx, api.PlayRequest{Routine: "mine", Level: "gentle"}); err != nil {
		t.Errorf("play after a failed reload: %v", err)
	}
	e.serve.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(e.log.String(), "reloaded with problems") {
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload; log:\n%s", e.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if s, err := c.Status(ctx); err != nil || s.State != api.StatePlaying || s.Routine != "mine" {
		t.Errorf("session after reloads: %+v %v", s, err)
	}
}

// clipStub is a voice bank of one-second silent clips.
type clipStub struct{}

func (clipStub) Clip(string) ([]float32, bool) { return make([]float32, 44100), true }
func (clipStub) ClipLength(string) (time.Duration, bool) {
	return time.Second, true
}

// TestInviteTimeline: the prompt's sound is the chime, then the routine's
// first intro cue, and the mixer accepts it.
func TestInviteTimeline(t *testing.T) {
	r, err := library.ParseFile("../../library/tspine-basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tl := inviteTimeline(&Config{}, r, clipStub{})
	if len(tl.Events) != 3 || tl.Events[1].Tone != sequencer.ToneChime || tl.Events[2].Cue != r.Intro[0].ID {
		t.Fatalf("events %+v", tl.Events)
	}
	s, err := audio.NewSession(tl, clipStub{}, audio.Options{Rate: 44100, DuckDB: -9,
		Tones: map[string]audio.Tone{sequencer.ToneChime: {Freq: 660, FreqEnd: 990}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Time(s.Len()); got < 2*time.Second {
		t.Errorf("invitation lasts %v", got)
	}
}

// newNoDeviceEnv is a daemon environment where ALSA and PulseAudio point at
// nothing, so that a machine with sound has none for the test.
func newNoDeviceEnv(t *testing.T) *daemonEnv {
	e := newDaemonEnv(t)
	e.env = append(e.env, "PULSE_SERVER=unix:"+filepath.Join(e.home, "no-pulse"), "PULSE_CLIENTCONFIG=/dev/null",
		"ALSA_CONFIG_PATH="+filepath.Join(e.home, "no-alsa.conf"))
	os.WriteFile(filepath.Join(e.home, "no-alsa.conf"), nil, 0o644)
	return e
}

// TestServeNoDevice runs the daemon with its real output (a `cued sink`
// child per session) where no sound server runs: it starts and answers,
// and a play is refused at once with one line saying there is no device.
func TestServeNoDevice(t *testing.T) {
	e := newNoDeviceEnv(t)
	e.startWith()
	defer e.stop()
	c := client.New(e.socket)
	defer c.Close()
	t0 := time.Now()
	_, err := c.Play(context.Background(), api.PlayRequest{Routine: "tspine-basic"})
	if err == nil {
		t.Skip("a sound device is present after all: nothing to test")
	}
	if d := time.Since(t0); d > 5*time.Second || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), "no audio") {
		t.Errorf("play without a device: %q after %v", err, d)
	}
	out, errOut, code := e.run("status")
	if code != 0 || !strings.Contains(out, "audio: no device: ") {
		t.Errorf("status: exit %d %q %q", code, out, errOut)
	}
	t0 = time.Now()
	if _, err := c.Play(context.Background(), api.PlayRequest{Routine: "tspine-basic"}); err == nil || time.Since(t0) > 500*time.Millisecond {
		t.Errorf("second play: %v after %v (want a fast refusal)", err, time.Since(t0))
	}
}
