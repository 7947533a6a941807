#!/usr/bin/env bash
# test/real-playback.sh: play a session through the real stack (ALSA writer thread
# -> ALSA -> a private PulseAudio server, test/soundserver) and check
# what arrived at the sink against the session's timeline and render
# (test/cmd/soundcheck, package test/internal/soundcheck):
#
#   1. no sound server: `cued play` fails within REAL_PLAYBACK_NOSERVER_MAX
#      seconds (default 2) with one line on stderr that names `cued render`;
#      with a wedged server (accepts, never answers) the same within
#      REAL_PLAYBACK_WEDGED_MAX (default 3: the 2 s open timeout + 1 s);
#      it never hangs;
#   2. real playback of test/testdata/allkinds.yaml (every kind of event):
#      every event found, in order, each onset within 10 ms of the timeline
#      relative to the first event, no dropout or glitch (the recording must
#      equal the render sample for sample, event by event), no clipping,
#      every tone at its pitch; the start-up delay (command to the first
#      sample of the first event at the sink) is reported and must stay
#      under REAL_PLAYBACK_MAX_STARTUP (default 3s);
#   2a. the wake-up hum (audio.wake, on for test/testdata/quiet.yaml): each
#      hum arrived, not digital silence, within 1 dB of the render, no
#      louder than its level; the session otherwise as in 2;
#   3. the daemon: test/daemon-playback.sh (cued serve without a sound
#      server, then pause/resume/next, then the server killed and
#      restarted mid-session, each recording checked against the render
#      sample for sample); REAL_PLAYBACK_DAEMON=0 leaves it out.
#
# REAL_PLAYBACK_OUTPUT=pulse|alsa|beep picks the output (audio.output) for all
# of it (default: the config's, alsa on Linux); scripts/test runs alsa and beep.
# beep's speaker cannot tell a missing device from a slow one, so its
# no-server limit is 3 s (its 1.75 s wait for a first pull, plus start-up).
#
# Usage: test/real-playback.sh [--keep]     (--keep: keep the work folder)
#
# Exit status 0 when everything passed, or when the test cannot run here
# (not root and the sound server's Debian packages are missing): then it
# prints one line "real-playback: skipped: <why>". 1 on any failure, with a
# report. The whole run takes about five minutes (the daemon part about
# three of them); every process it starts is
# stopped on exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly ROOT=$PWD
readonly ROUTINE=test/testdata/allkinds.yaml
readonly CONFIG=$ROOT/config.yaml
OUTPUT=${REAL_PLAYBACK_OUTPUT:-}
if [[ -n $OUTPUT ]]; then
	export CUED_AUDIO_OUTPUT=$OUTPUT CUED_PLAYBACK_OUTPUT=$OUTPUT
fi
noserver_default=2
[[ $OUTPUT != beep ]] || noserver_default=3
readonly NOSERVER_MAX=${REAL_PLAYBACK_NOSERVER_MAX:-$noserver_default}
readonly WEDGED_MAX=${REAL_PLAYBACK_WEDGED_MAX:-3} # playback.OpenTimeout (2 s) + 1 s
readonly MAX_STARTUP=${REAL_PLAYBACK_MAX_STARTUP:-3s}

KEEP=0
[[ ${1:-} == --keep ]] && KEEP=1

say() { echo "real-playback${OUTPUT:+ ($OUTPUT)}: $*"; }
fail() {
	echo "real-playback: FAIL: $*" >&2
	echo "real-playback: load average at failure: $(cut -d' ' -f1-3 /proc/loadavg); work folder kept: $WORK" >&2
	KEEP=1
	exit 1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cued-real-playback.XXXXXX")
cleanup() {
	local rc=$?
	test/soundserver stop "$WORK/pa" >/dev/null 2>&1 || true
	if [[ -s $WORK/wedgesock.pid ]]; then
		kill "$(cat "$WORK/wedgesock.pid")" 2>/dev/null || true
	fi
	if ((KEEP == 0)); then
		rm -rf "$WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# A command that fails outside a check (set -e) names itself, not just the exit.
trap '_rc=$?; [[ $- != *e* ]] || echo "real-playback: FAIL: line $LINENO: exit $_rc from: $BASH_COMMAND" >&2' ERR

# Clips are cached under XDG_CACHE_HOME: keep the caller's cache for every
# command (the sound server's private HOME must not make cued synthesise
# the voice again, and render and play must use the same clips).
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-$HOME/.cache}

# --- the sound server -------------------------------------------------------
set +e
test/soundserver start "$WORK/pa" >"$WORK/pa.env" 2>"$WORK/pa.err"
rc=$?
set -e
if ((rc == 77)); then
	say "skipped: $(sed 's/^soundserver: //' "$WORK/pa.err" | sed -n 1p)"
	exit 0
elif ((rc != 0)); then
	fail "the sound server did not start: $(cat "$WORK/pa.err")"
fi

# --- tools and the session's reference ---------------------------------------
say "building (load average $(cut -d' ' -f1-3 /proc/loadavg))"
mkdir -p "$WORK/bin"
for t in cmd/cued test/cmd/soundcheck test/cmd/rawrec test/cmd/wedgesock; do
	go build -o "$WORK/bin/$(basename "$t")" "./$t" || fail "go build ./$t failed"
done
CUED=$WORK/bin/cued

# REAL_PLAYBACK_NICE=N runs the player at that nice level (diagnosis: is
# a failure CPU starvation?); REAL_PLAYBACK_BUFFER_MS overrides
# audio.buffer_ms.
buffer_ms=$(awk '/^audio:/{a=1} a && /^ *buffer_ms:/{print $2; exit}' "$CONFIG")
buffer_ms=${REAL_PLAYBACK_BUFFER_MS:-${buffer_ms:-40}}
NICE=()
[[ -z ${REAL_PLAYBACK_NICE:-} ]] || NICE=(nice -n "$REAL_PLAYBACK_NICE")
PLAY=("${NICE[@]}" "$CUED" --config "$CONFIG" play "$ROUTINE" --quiet)
PLAYER="cued play"
[[ -z ${REAL_PLAYBACK_BUFFER_MS:-} ]] || export CUED_AUDIO_BUFFER_MS=$REAL_PLAYBACK_BUFFER_MS

# --- 1. no sound server -------------------------------------------------------
# A private HOME whose ALSA default is pulse, and a pulse server address
# where (a) nothing listens: what a user without a running sound server
# gets; (b) a server accepts and never answers (test/cmd/wedgesock): a
# wedged server must not hang cued either.
ns=$WORK/noserver
mkdir -p "$ns/home" "$ns/run"
chmod 700 "$ns/run"
printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$ns/home/.asoundrc"
echo "autospawn = no" >"$ns/client.conf"

# noserver CASE SOCKET LIMIT_S: the player must exit non-zero within
# LIMIT_S seconds with one line on stderr that mentions `cued render`.
noserver() {
	local name=$1 sock=$2 limit=$3 t0 rc ms lines
	t0=$(date +%s%N)
	set +e
	env HOME="$ns/home" XDG_RUNTIME_DIR="$ns/run" XDG_CONFIG_HOME="$ns/home/.config" \
		PULSE_SERVER="unix:$sock" PULSE_CLIENTCONFIG="$ns/client.conf" \
		PULSE_RUNTIME_PATH="$ns/run/pulse" \
		timeout -k 2 15 "${PLAY[@]}" </dev/null >"$ns/$name.stdout" 2>"$ns/$name.stderr"
	rc=$?
	set -e
	ms=$((($(date +%s%N) - t0) / 1000000))
	lines=$(grep -c . "$ns/$name.stderr" || true)
	say "$name: $PLAYER exited $rc after $ms ms with $lines line(s) on stderr: $(head -n1 "$ns/$name.stderr")"
	((rc != 124 && rc != 137)) || fail "$name: $PLAYER hung (killed after 15 s)"
	((rc != 0)) || fail "$name: $PLAYER exited 0 although there is no working sound server"
	((lines == 1)) || fail "$name: want exactly one line on stderr, got $lines:
$(head -n 30 "$ns/$name.stderr")"
	grep -q 'render' "$ns/$name.stderr" ||
		fail "$name: the error does not say that \`cued render\` works without a device: $(cat "$ns/$name.stderr")"
	awk -v ms="$ms" -v max="$limit" 'BEGIN{exit !(ms <= max*1000)}' ||
		fail "$name: $PLAYER took $ms ms to fail (limit $limit s)"
}
noserver "no server" "$ns/run/no-such-server" "$NOSERVER_MAX"
"$WORK/bin/wedgesock" -for 30s "$ns/run/wedged" &
echo $! >"$WORK/wedgesock.pid"
for ((i = 0; i < 50; i++)); do
	[[ -S $ns/run/wedged ]] && break
	sleep 0.1
done
[[ -S $ns/run/wedged ]] || fail "wedgesock did not start"
noserver "wedged server" "$ns/run/wedged" "$WEDGED_MAX"
kill "$(cat "$WORK/wedgesock.pid")" 2>/dev/null || true
rm -f "$WORK/wedgesock.pid"

# --- 2. real playback ------------------------------------------------------------
eval "$(cat "$WORK/pa.env")"
test/soundserver busy "$WORK/pa" || fail "cannot keep the sink busy"
export SOUNDSERVER_RAWREC=$WORK/bin/rawrec

# played NAME ROUTINE: renders ROUTINE, plays it with `cued play` while the
# sink's monitor is recorded, and checks the recording against the
# timeline and the render (files $WORK/NAME.*).
played() {
	local name=$1 routine=$2 w=$WORK/$1 rc length_s t_cmd
	"$CUED" --config "$CONFIG" timeline --json "$routine" >"$w.timeline.json" 2>"$w.timeline.err" ||
		fail "cued timeline failed: $(cat "$w.timeline.err")"
	"$CUED" --config "$CONFIG" render "$routine" -o "$w.render.wav" 2>"$w.render.err" ||
		fail "cued render failed: $(cat "$w.render.err")"
	[[ ! -s $w.render.err ]] || say "note: cued render said: $(head -c 300 "$w.render.err")"
	test/soundserver record "$WORK/pa" "$w.rec.wav" || fail "cannot record the sink's monitor"
	length_s=$(awk 'match($0, /"length_ms": *[0-9]+/){s=substr($0, RSTART, RLENGTH); sub(/.*: */, "", s); print int(s/1000)+1; exit}' "$w.timeline.json")
	say "playing $routine (${length_s} s) with $PLAYER"
	t_cmd=$(date +%s.%N)
	set +e
	timeout -k 2 $((length_s + 30)) "${NICE[@]}" "$CUED" --config "$CONFIG" play "$routine" --quiet </dev/null >"$w.play.out" 2>"$w.play.err"
	rc=$?
	set -e
	sleep 0.5 # the last buffers reach the monitor
	test/soundserver stoprec "$WORK/pa" || fail "the recording did not finish"
	((rc == 0)) || fail "$PLAYER exited $rc: $(head -n 20 "$w.play.err")"
	[[ ! -s $w.play.err ]] || say "note: $PLAYER wrote on stderr: $(head -c 300 "$w.play.err")"
	set +e
	"$WORK/bin/soundcheck" -config "$CONFIG" -timeline "$w.timeline.json" -render "$w.render.wav" \
		-rec "$w.rec.wav" -cmd-at "$t_cmd" -rec-t0 "$(cat "$w.rec.wav.t0")" \
		-max-startup "$MAX_STARTUP" >"$w.report.txt" 2>&1
	rc=$?
	set -e
	if ((rc != 0)); then
		cat "$w.report.txt" >&2
		if grep -q 'dropout' "$w.report.txt"; then
			say "hint: runs of digital silence inside sounds (replacing content, or delaying what follows) are underruns: the player did not keep the device fed (device buffer $buffer_ms ms; on this 2-core machine 40 ms underran under a load average of 3-5 and played cleanly when idle; REAL_PLAYBACK_BUFFER_MS=500 compares)" >&2
		fi
		fail "what arrived at the sink is not the session (report above; recording $w.rec.wav)"
	fi
	grep -E '^(ok:|start-up:|note: [0-9]+ wake-up)' "$w.report.txt" | sed 's/^/real-playback: /'
}
played main "$ROUTINE"
say "every event arrived whole, on time and in order, the first one included (sample for sample as rendered)"
say "passed ($PLAYER)"

# --- 2a. the wake-up hum --------------------------------------------------------
# audio.wake on (a 1 s pre-roll after 3 s of quiet, and the keep-alive):
# test/testdata/quiet.yaml has 4 s stretches of quiet; every hum must
# arrive (not digital silence, within 1 dB of the render, no louder than
# its level) and the rest of the session as before.
(
	export CUED_AUDIO_WAKE_PREROLL=1s CUED_AUDIO_WAKE_AFTER=3s CUED_AUDIO_WAKE_KEEPALIVE=true
	played wake test/testdata/quiet.yaml
	grep -q 'note: 5 wake-up hum(s) arrived' "$WORK/wake.report.txt" ||
		fail "the wake-up hums were not all checked: $(grep -i 'wake' "$WORK/wake.report.txt" | head -3)"
)
say "the wake-up hum arrived before the first cue, before each sound after long quiet and through it (keep-alive)"

# --- 2b. a session that sounds from its very first sample -------------------------
# The routine above starts with 300 ms of lead-in, so frames lost at the
# start of a stream would go unheard there; playback's TestDevice plays a
# session loud from sample 0, records the monitor and wants every frame,
# then pauses, seeks and resumes.
say "playback.TestDevice: a session loud from its first sample, recorded"
CUED_PLAYBACK_TEST=device CUED_PLAYBACK_BUFFER_MS=$buffer_ms go test -count=1 -run '^TestDevice$' -v ./playback >"$WORK/device.txt" 2>&1 ||
	{ cat "$WORK/device.txt" >&2; fail "playback.TestDevice failed (above)"; }
grep -E 'recording:' "$WORK/device.txt" | sed 's/^ */real-playback: /'

# --- 3. the daemon ------------------------------------------------------------------
# test/daemon-playback.sh: cued serve without a sound server, then play,
# pause, resume and next through it, then the server killed and restarted
# mid-session; every recording checked against the render sample for
# sample. REAL_PLAYBACK_DAEMON=0 leaves it out.
if [[ ${REAL_PLAYBACK_DAEMON:-1} != 0 ]]; then
	test/soundserver stop "$WORK/pa" >/dev/null 2>&1 || true
	keep=()
	((KEEP == 0)) || keep=(--keep)
	test/daemon-playback.sh "${keep[@]}" || fail "the daemon checks failed (test/daemon-playback.sh, report above)"
else
	say "daemon checks left out (REAL_PLAYBACK_DAEMON=0)"
fi
