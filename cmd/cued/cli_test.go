package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cued-dev/cued/sequencer"
)

// cliTimeout bounds every run of the CLI in these tests, so that a command
// that would hang fails its test instead.
const cliTimeout = 60 * time.Second

// memoryLimitKiB bounds the resident memory of every cued process these
// tests start: one that grows past it is killed and fails its test.
const memoryLimitKiB = 1 << 20

// runBounded runs cmd (whose context bounds its time) and kills it if its
// resident memory passes memoryLimitKiB, which it then reports.
func runBounded(cmd *exec.Cmd) (err error, overMemory bool) {
	if err := cmd.Start(); err != nil {
		return err, false
	}
	stop := watchMemory(cmd.Process)
	err = cmd.Wait()
	return err, stop()
}

// watchMemory polls p's resident memory every 20 ms and kills p when it
// passes memoryLimitKiB. The function it returns stops the watch and
// reports whether it killed p.
func watchMemory(p *os.Process) func() bool {
	done := make(chan struct{})
	killed := make(chan bool, 1)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				killed <- false
				return
			case <-tick.C:
				if residentKiB(p.Pid) > memoryLimitKiB {
					p.Kill()
					<-done
					killed <- true
					return
				}
			}
		}
	}()
	return func() bool { close(done); return <-killed }
}

// residentKiB returns the resident memory of process pid (VmRSS), 0 when
// it cannot be read (the process is gone).
func residentKiB(pid int) int { return procStatusKiB(pid, "VmRSS") }

// procStatusKiB returns a kB field of /proc/PID/status (VmRSS, VmHWM), 0
// when it cannot be read.
func procStatusKiB(pid int, field string) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// cuedBin is the cued binary built once for these tests: they run the CLI
// as a user would.
var cuedBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cued-cli")
	if err != nil {
		panic(err)
	}
	cuedBin = filepath.Join(dir, "cued")
	out, err := exec.Command("go", "build", "-o", cuedBin, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs cued with a private home and config dir and returns stdout,
// stderr and the exit status.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runIn(t, t.TempDir(), args...)
}

// runIn is run with home as the private home (its .state, .config ...).
func runIn(t *testing.T, home string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, cuedBin, args...)
	cmd.Dir = home
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_STATE_HOME="+filepath.Join(home, ".state"),
		"XDG_RUNTIME_DIR="+filepath.Join(home, "run"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err, overMemory := runBounded(cmd)
	if overMemory {
		t.Fatalf("cued %v used more than %d MiB (killed); stderr: %s", args, memoryLimitKiB>>10, stderr.String())
	}
	if ctx.Err() != nil {
		t.Fatalf("cued %v did not exit within %v (killed); stderr: %s", args, cliTimeout, stderr.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// runCLI runs the CLI in this process as main does (newRootCmd with
// cobra's SetArgs, SetOut and SetErr), with home as the private home,
// config, state and working directory, and returns stdout, stderr and the
// exit status. The tests of what a command says use it; those of the
// daemon and of hard inputs run the real binary (run).
func runCLI(t *testing.T, home string, args ...string) (string, string, int) {
	t.Helper()
	for k, v := range map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, ".config"),
		"XDG_CACHE_HOME": filepath.Join(home, ".cache"), "XDG_STATE_HOME": filepath.Join(home, ".state"),
		"XDG_RUNTIME_DIR": filepath.Join(home, "run")} {
		t.Setenv(k, v)
	}
	t.Chdir(home)
	var stdout, stderr bytes.Buffer
	root := newRootCmd(newApp(&stderr))
	root.SetArgs(args)
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	code := 0
	if err := root.ExecuteContext(ctx); err != nil {
		var ec exitCode
		if asExit(err, &ec) {
			code = int(ec)
		} else {
			fmt.Fprintln(&stderr, "cued:", err)
			code = 1
		}
	}
	return stdout.String(), stderr.String(), code
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("id: x\nname: X\nsteps:\n  - id: a\n    name: A\n    work: 60s-30s\n    colour: red\n"), 0o644)
	good, _ := filepath.Abs("../../library/tspine-basic.yaml")
	warm := filepath.Join(dir, "warm.yaml")
	os.WriteFile(warm, []byte("id: w\nname: W\nwarmup: true\nbudget: 1m\nsteps:\n  - {id: a, name: A, work: 30s-2m}\n"), 0o644)
	quiet := filepath.Join(dir, "quiet.yaml")
	os.WriteFile(quiet, []byte("id: quiet\nname: Quiet\nannounce: {halfway: false, countdown: 0}\nsteps:\n"+
		"  - id: lie\n    name: Lie still\n    start: {cue: lie, say: Lie still.}\n    work: 30s\n"+
		"  - id: breathe\n    name: Fast breaths\n    breaths: {reps: 5, inhale: 0.5s, exhale: 2s}\n"), 0o644)

	tests := []struct {
		file string
		code int
		want []string
	}{
		{quiet, 0, []string{quiet + ": ok:",
			quiet + `:7:12: warning: 30.`, `s of silence at 0:02 in part 1 "Lie still" (level gentle), after the voice lie: a listener with eyes closed may think the session stopped`,
			quiet + `:11:32: warning: the inhale of part "Fast breaths" lasts 0.5s at level gentle, too short to follow by its tone (at least 1s)`}},
		{bad, 1, []string{bad + ":6:11: work 60s-30s has its low end above its high end (write it low-high, e.g. 30s-1m)",
			bad + `:7:5: unknown key "colour" in a step (valid: id, name, setup, start, work, segments, sides, between, oscillate, breaths, count, announce)`}},
		{good, 0, []string{good + `: ok: tspine-basic "Basic thoracic spine roll", 1 parts,`}},
		{warm, 0, []string{warm + ": ok:", warm + ":4:1: warning: at level full the session lasts"}},
		{filepath.Join(dir, "missing.yaml"), 1, []string{"missing.yaml: no such file"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			out, _, code := runCLI(t, t.TempDir(), "check", tt.file)
			if code != tt.code {
				t.Errorf("check %s: exit %d, want %d\n%s", tt.file, code, tt.code, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("check %s: output lacks %q:\n%s", tt.file, w, out)
				}
			}
			if tt.file == good && strings.Contains(out, "warning") {
				t.Errorf("check of the built-in basic roll warns:\n%s", out)
			}
		})
	}
}

func TestTimelineJSON(t *testing.T) {
	out, errOut, code := runCLI(t, t.TempDir(), "timeline", "tspine-3way", "--json", "--level", "full", "--reps", "13")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var tl sequencer.Timeline
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatal(err)
	}
	if tl.Routine != "tspine-3way" || tl.Level != "full" || tl.Steps[2].Reps != 13 {
		t.Errorf("got routine %q level %q steps %+v", tl.Routine, tl.Level, tl.Steps)
	}
	if err := sequencer.Check(&tl); err != nil {
		t.Error(err)
	}
	text, _, _ := runCLI(t, t.TempDir(), "timeline", "tspine-basic")
	if !strings.HasPrefix(text, "# tspine-basic: Basic thoracic spine roll (level standard)") {
		t.Errorf("text form starts %q", text[:min(80, len(text))])
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"timeline", "nope"}, `no such routine "nope" (known: test-sound, tspine-3way, tspine-basic)`},
		{[]string{"timeline", "tspine-basic", "--work", "2m"}, `--work 2m is outside step "roll"'s range 30s-1m`},
		{[]string{"timeline", "tspine-basic", "--level", "max"}, `level "max" is not a level (gentle, standard or full)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, t.TempDir(), tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("cued %v: exit %d, stderr %q; want %q", tt.args, code, errOut, tt.want)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte("session:\n  levle: full\naudio:\n  rate: 22050\n"), 0o644)
	_, errOut, code := runCLI(t, t.TempDir(), "--config", cfgPath, "routines")
	if code == 0 || !strings.Contains(errOut, "levle") {
		t.Errorf("unknown key: exit %d, stderr %q", code, errOut)
	}
	os.WriteFile(cfgPath, []byte("audio:\n  rate: 22050\n"), 0o644)
	_, errOut, code = runCLI(t, t.TempDir(), "--config", cfgPath, "routines")
	if code == 0 || !strings.Contains(errOut, "audio.rate 22050 is not supported (44100 or 48000)") {
		t.Errorf("bad rate: exit %d, stderr %q", code, errOut)
	}
}

func TestRoutinesList(t *testing.T) {
	out, _, code := runCLI(t, t.TempDir(), "routines")
	if code != 0 || !strings.Contains(out, "tspine-basic") || !strings.Contains(out, "GENTLE") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestStepOverrideFlags: --work, --reps and --segments take part=value for
// one part beside a plain value for all, each checked against its part.
func TestStepOverrideFlags(t *testing.T) {
	out, errOut, code := runCLI(t, t.TempDir(), "timeline", "tspine-3way", "--json", "--level", "gentle", "--work", "arm-hug=40s", "--reps", "extension=13")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var tl sequencer.Timeline
	if err := json.Unmarshal([]byte(out), &tl); err != nil {
		t.Fatal(err)
	}
	if tl.Steps[0].Work != 30*time.Second || tl.Steps[1].Work != 40*time.Second || tl.Steps[2].Reps != 13 {
		t.Errorf("steps %+v: want 30s (gentle), 40s and 13 reps (the overrides)", tl.Steps)
	}
	for _, tt := range []struct{ flag, want string }{
		{"--work=hug=40s", `no step "hug" (its steps: arms-extended, arm-hug, extension)`},
		{"--work=arm-hug=50s", `arm-hug=50s is outside step "arm-hug"'s range 30s-45s`},
		{"--work=arm-hug=4x", `--work "arm-hug=4x" is not a length (e.g. 45s, or arm-hug=40s for one part)`},
		{"--reps=arm-hug=12", `arm-hug=12 reps: step "arm-hug" has no reps`},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			_, errOut, code := runCLI(t, t.TempDir(), "timeline", "tspine-3way", tt.flag)
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want an error saying %q", code, errOut, tt.want)
			}
		})
	}
}

// TestHistoryDaily: once tspine-3way is in use, cued history says whether
// the basic roll was done today (tspine-3way's daily: list).
func TestHistoryDaily(t *testing.T) {
	home := t.TempDir()
	dir := filepath.Join(home, ".state", "cued")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	rec := func(id, routine string) string {
		return fmt.Sprintf(`{"id":%q,"event":"end","routine":%q,"level":"standard","start":%q,"end":%q,"completed":true,"final":true,"length_ms":1000,"reached_ms":1000}`+"\n",
			id, routine, now, now)
	}
	path := filepath.Join(dir, "history.jsonl")
	for _, tt := range []struct{ add, want string }{
		{rec("a", "tspine-3way"), "daily: tspine-basic not yet today (tspine-3way is in use: tspine-basic at least once a day)"},
		{rec("b", "tspine-basic"), "daily: tspine-basic done today (tspine-3way is in use: tspine-basic at least once a day)"},
	} {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(tt.add)
		f.Close()
		if out, stderr, code := runCLI(t, home, "history"); code != 0 || !strings.Contains(out, tt.want) {
			t.Errorf("cued history: exit %d, stderr %q, output:\n%s\nwant a line %q", code, stderr, out, tt.want)
		}
	}
}
