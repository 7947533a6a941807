#!/usr/bin/env bash
# bench/play-latency.sh: how fast `cued play` (in-process, no daemon) answers
# its keys, through the real stack (ALSA writer thread -> ALSA -> a private
# PulseAudio server, test/soundserver), measured at the sink's monitor:
#
#   pause -> silence   from the space key, pressed mid-speech through tmux,
#                      to the start of silence at the sink;
#   resume -> sound    from the second space key to sound again.
#
# cued mixes half a second ahead of the device; a key cuts that back, so
# both should come within about the device buffer (audio.buffer_ms) plus the
# sound server's own latency, not half a second later.
#
# Usage: bench/play-latency.sh [RUNS]   (default 3; env CUED_AUDIO_BUFFER_MS
# changes audio.buffer_ms). Needs python3 and tmux; prints
# "play-latency: skipped: ..." and exits 0 when it cannot run here.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
say() { echo "play-latency: $*"; }
command -v python3 >/dev/null || { say "skipped: python3 is not installed"; exit 0; }
command -v tmux >/dev/null || { say "skipped: tmux is not installed"; exit 0; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cued-play-latency.XXXXXX")
TMUX_SOCK=cued-play-latency-$$
cleanup() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	test/soundserver stop "$WORK/pulse" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
go build -o "$WORK/cued" ./cmd/cued
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}
set +e
env_lines=$(test/soundserver start "$WORK/pulse")
rc=$?
set -e
[[ $rc == 77 ]] && { say "skipped: no sound server can run here"; exit 0; }
[[ $rc != 0 ]] && { say "FAIL: the sound server did not start"; exit 1; }
eval "$env_lines"
export XDG_CACHE_HOME=$CACHE
"$WORK/cued" render -o /dev/null tspine-basic --level gentle # warm the clip cache
say "audio.buffer_ms=${CUED_AUDIO_BUFFER_MS:-config default}, $RUNS runs"
PYTHONPATH=bench python3 - "$WORK/cued" "$TMUX_SOCK" "$RUNS" <<'PY'
import subprocess, sys, time
from sinkclock import Recorder, ms
cued, sock, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rec = Recorder()
def tmux(*args):
    subprocess.run(["tmux", "-L", sock] + list(args), capture_output=True)
for i in range(runs):
    tmux("new-session", "-d", "-s", "p", "-x", "100", "-y", "5",
         cued + " play tspine-basic --level gentle --local")
    time.sleep(2.3)  # mid-speech (the intro cue plays from about 1.3 s)
    t_pause = time.time()
    tmux("send-keys", "-t", "p", " ")
    time.sleep(1.0)
    t_resume = time.time()
    tmux("send-keys", "-t", "p", " ")
    time.sleep(1.0)
    tmux("send-keys", "-t", "p", "q")
    time.sleep(1.0)
    tmux("kill-server")
    quiet, back = rec.silence(t_pause), rec.first_sound(t_resume)
    print("play-latency: run %d: pause -> silence %s, resume -> sound %s" % (
        i, ms(quiet and quiet - t_pause), ms(back and back - t_resume)))
rec.close()
PY
