#!/usr/bin/env bash
# CPU while playing in real time: plays a routine through a private
# PulseAudio null sink (test/soundserver) with `cued play` and measures the
# process's CPU time over a window of steady playback (clip cache warm),
# split by thread: Go's own threads, cued's ALSA writer thread (cued-alsa,
# playback/out.c), and the threads that ALSA's PulseAudio plugin starts
# inside the process. Goal: under 1 % of one core.
#
#   bench/playcpu.sh [ROUTINE] [SECONDS]     (default tspine-basic, 30)
#
# Environment: BUFFERS="40 100" lists the speaker buffers (ms) to measure.
set -euo pipefail
cd "$(dirname "$0")/.."
routine=${1:-tspine-basic}
window=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/cued-playcpu.XXXXXX")
cleanup() { test/soundserver stop "$work/ss" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/cued" ./cmd/cued
set +e
env_lines=$(test/soundserver start "$work/ss")
rc=$?
set -e
if [ $rc -eq 77 ]; then echo "playcpu: skipped: no sound server can be started here"; exit 0; fi
[ $rc -eq 0 ] || exit $rc
eval "$env_lines"
"$work/cued" render -o /dev/null "$routine" # warm the clip cache
hz=$(getconf CLK_TCK)
for buf in ${BUFFERS:-40 100}; do
	CUED_AUDIO_BUFFER_MS=$buf "$work/cued" play -q "$routine" </dev/null &
	pid=$!
	sleep 3 # past start-up: the device is open and playing
	snap() { for t in /proc/$pid/task/*; do awk -v t="$(cat "$t/comm")" '{print t, $14 + $15}' "$t/stat"; done; }
	snap >"$work/a"
	sleep "$window"
	snap >"$work/b"
	kill -INT $pid; wait $pid || true
	awk -v hz="$hz" -v w="$window" -v buf="$buf" '
		NR == FNR { a[$1] += $2; next } { b[$1] += $2 }
		END {
			for (t in b) { d = (b[t] - a[t]) / hz; tot += d; if (t == "cued-alsa") wr += d; else if (t ~ /^cued/) go += d; else other += d }
			printf "buffer %4d ms: %.2f %% of one core (Go threads %.2f %%, ALSA writer thread %.2f %%, PulseAudio plugin threads %.2f %%) over %d s\n",
				buf, 100 * tot / w, 100 * go / w, 100 * wr / w, 100 * other / w, w
		}' "$work/a" "$work/b"
done
