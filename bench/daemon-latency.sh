#!/usr/bin/env bash
# bench/daemon-latency.sh: how fast the daemon is heard, through the real
# stack (cued serve -> cued sink child -> its ALSA writer thread -> ALSA -> a private
# PulseAudio server, test/soundserver), measured at the sink's monitor:
#
#   play -> first sound   from sending POST /play to the first sound at the
#                         sink (tspine-basic: its chime starts 300 ms into
#                         the session, so subtract 300 ms for the system);
#                         the first run is cold (the sink child killed
#                         before it: a new child and its device), the
#                         others warm (the daemon keeps its sink child);
#   pause -> silence      from sending POST /pause mid-speech to the start
#                         of silence at the sink.
#
# Beside them, in the same run, the reference: aplay playing the session's
# render (cued render) to the same server with the same buffer, first as
# the server's first stream (a fresh PulseAudio starts its first stream
# late: the daemon's runs come after it), then again.
#
# Usage: bench/daemon-latency.sh [RUNS]   (default 5; env CUED_AUDIO_BUFFER_MS
# changes audio.buffer_ms). Needs python3 (for the monitor timing); prints
# "daemon-latency: skipped: ..." and exits 0 when it cannot run here.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
say() { echo "daemon-latency: $*"; }
command -v python3 >/dev/null || { say "skipped: python3 is not installed"; exit 0; }
command -v curl >/dev/null || { say "skipped: curl is not installed"; exit 0; }
command -v aplay >/dev/null || { say "skipped: aplay (alsa-utils) is not installed"; exit 0; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cued-daemon-latency.XXXXXX")
cleanup() {
	[[ -s $WORK/serve.pid ]] && kill "$(cat "$WORK/serve.pid")" 2>/dev/null || true
	test/soundserver stop "$WORK/pulse" >/dev/null 2>&1 || true
	rm -rf "$WORK"
}
trap cleanup EXIT
go build -o "$WORK/cued" ./cmd/cued
"$WORK/cued" render tspine-basic --level gentle -o "$WORK/session.wav" >/dev/null
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}
set +e
env_lines=$(test/soundserver start "$WORK/pulse")
rc=$?
set -e
[[ $rc == 77 ]] && { say "skipped: no sound server can run here"; exit 0; }
[[ $rc != 0 ]] && { say "FAIL: the sound server did not start"; exit 1; }
eval "$env_lines"
export HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home/.config XDG_STATE_HOME=$WORK/state \
	XDG_CACHE_HOME=$CACHE XDG_RUNTIME_DIR=$WORK/run
mkdir -p "$XDG_CONFIG_HOME/cued" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
printf 'schedule: []\n' >"$XDG_CONFIG_HOME/cued/config.yaml"
BUFFER_MS=${CUED_AUDIO_BUFFER_MS:-$(sed -n 's/^ *buffer_ms: *\([0-9]*\).*/\1/p' config.yaml)}
say "audio.buffer_ms=$BUFFER_MS, $RUNS runs"
PYTHONPATH=bench python3 - "$WORK" "$RUNS" "$BUFFER_MS" <<'PY'
import os, subprocess, sys, time
from sinkclock import Recorder, ms
work, runs, buffer_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sock = os.environ["XDG_RUNTIME_DIR"] + "/cued/cued.sock"
rec = Recorder()
for name in ("the server's first stream", "again"):
    t = time.time()
    p = subprocess.Popen(["aplay", "-q", "-D", "default", "--buffer-time=%d" % (buffer_ms * 1000), work + "/session.wav"],
                         stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    p.terminate(); p.wait()
    time.sleep(0.5)
    f = rec.first_sound(t)
    print("daemon-latency: aplay (%s): start -> first sound %s" % (name, ms(f and f - t)))
serve = subprocess.Popen([work + "/cued", "serve"], stderr=open(work + "/serve.log", "w"))
open(work + "/serve.pid", "w").write(str(serve.pid))
for _ in range(100):
    if os.path.exists(sock):
        break
    time.sleep(0.05)
else:
    sys.exit("daemon-latency: FAIL: the daemon did not start")
time.sleep(1.0)  # its device probe
def post(path, body=None):
    args = ["curl", "-s", "--unix-socket", sock, "-X", "POST"] + (["-d", body] if body else []) + ["http://cued" + path]
    subprocess.run(args, capture_output=True)
for i in range(runs):
    if i == 0:
        subprocess.run(["pkill", "-f", work + "/cued sink"])
        time.sleep(0.5)
    t_play = time.time()
    post("/play", '{"routine":"tspine-basic","level":"gentle"}')
    time.sleep(2.0)  # mid-speech (the intro cue plays from 1.3 s)
    t_pause = time.time()
    post("/pause")
    time.sleep(1.0)
    post("/stop")
    time.sleep(0.5)
    first, quiet = rec.first_sound(t_play), rec.silence(t_pause)
    print("daemon-latency: run %d (%s): play -> first sound %s, pause -> silence %s" % (
        i, "cold" if i == 0 else "warm", ms(first and first - t_play), ms(quiet and quiet - t_pause)))
rec.close()
serve.terminate()
serve.wait()
PY
