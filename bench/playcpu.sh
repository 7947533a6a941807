#!/usr/bin/env bash
# CPU while playing in real time: plays a routine through a private
# PulseAudio null sink (test/soundserver) with `cued play` and measures the
# process's CPU time over a window of steady playback (clip cache warm),
# split by thread: Go's own threads, cued's ALSA writer thread (cued-alsa,
# playback/out.c), and the threads libpulse starts inside the process
# (for ALSA's PulseAudio plugin, or the pulse output's main loop).
# Goal: under 1 % of one core. CUED_AUDIO_OUTPUT=pulse|alsa|beep picks
# the output (default: the config's, pulse on Linux).
#
#   bench/playcpu.sh [ROUTINE] [SECONDS]     (default tspine-basic, 30)
#
# Environment: BUFFERS="40 100" lists the device buffers (ms) to measure.
# DAEMON=1 measures a session played through `cued serve` instead: the
# daemon and its `cued sink` child, each process on a line. AFTER=1 (with
# DAEMON=1) measures after the session instead: it is stopped 3 s in, and
# the window starts 7 s later, while the child stays open for the next
# session (daemon linger) with its device stopped (playback's idleStop,
# 5 s); context switches a second are printed too. APLAY=1 also plays
# the routine's render with aplay at the same buffer through the same
# server, in the same run, as the reference (CPU and context switches).
set -euo pipefail
cd "$(dirname "$0")/.."
routine=${1:-tspine-basic}
window=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/cued-playcpu.XXXXXX")
serve=
cleanup() {
	[[ -z $serve ]] || { kill -TERM "$serve" 2>/dev/null; wait "$serve" 2>/dev/null || true; }
	test/soundserver stop "$work/ss" >/dev/null 2>&1 || true
	rm -rf "$work"
}
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
# report LABEL PID...: CPU of each process's threads between snapshots a
# and b, split as above.
switches() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/{s+=$2} END{print s}'; }
snap() { for p in "$@"; do for t in /proc/$p/task/*; do awk -v t="$(cat "$t/comm")" '{print t, $14 + $15}' "$t/stat"; done; done; }
report() {
	awk -v hz="$hz" -v w="$window" -v label="$1" '
		NR == FNR { a[$1] += $2; next } { b[$1] += $2 }
		END {
			for (t in b) { d = (b[t] - a[t]) / hz; tot += d; if (t == "cued-alsa") wr += d; else if (t ~ /^cued/) go += d; else other += d }
			printf "%s: %.2f %% of one core (Go threads %.2f %%, ALSA writer thread %.2f %%, libpulse threads (ALSA plugin or pulse output) %.2f %%) over %d s\n",
				label, 100 * tot / w, 100 * go / w, 100 * wr / w, 100 * other / w, w
		}' "$work/a" "$work/b"
}
# aplay_ref BUF: with APLAY=1, the reference: aplay of the same session's
# render at the same buffer, measured as cued is (after it, on the same
# server).
aplay_ref() {
	[[ ${APLAY:-0} == 1 ]] || return 0
	local buf=$1 apid acs0 acs1
	[[ -f $work/ref.wav ]] || "$work/cued" render -o "$work/ref.wav" "$routine"
	aplay -q -D default --buffer-time=$((buf * 1000)) "$work/ref.wav" 2>/dev/null &
	apid=$!
	sleep 3
	snap $apid >"$work/a"; acs0=$(switches $apid)
	sleep "$window"
	snap $apid >"$work/b"; acs1=$(switches $apid)
	kill $apid; wait $apid 2>/dev/null || true
	echo "buffer $buf ms, aplay (reference): context switches a second: $(((acs1 - acs0) / window))"
	report "buffer $buf ms, aplay (reference)"
}
for buf in ${BUFFERS:-40 100}; do
	if [[ ${DAEMON:-0} == 1 ]]; then
		export XDG_RUNTIME_DIR=$work/run XDG_STATE_HOME=$work/state
		mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
		CUED_AUDIO_BUFFER_MS=$buf "$work/cued" serve 2>"$work/serve.log" &
		serve=$!
		for _ in $(seq 50); do "$work/cued" status >/dev/null 2>&1 && break; sleep 0.1; done
		"$work/cued" play -q "$routine" </dev/null
		sleep 3
		child=$(pgrep -P "$serve" | sed -n 1p)
		if [[ ${AFTER:-0} == 1 ]]; then
			"$work/cued" stop >/dev/null
			sleep 7
		fi
		snap "$serve" >"$work/a"; snap "$child" >"$work/ca"
		cs0=$(switches "$serve"); ccs0=$(switches "$child")
		sleep "$window"
		snap "$serve" >"$work/b"; snap "$child" >"$work/cb"
		cs1=$(switches "$serve"); ccs1=$(switches "$child")
		echo "buffer $buf ms${AFTER:+, after the session}: context switches a second: daemon $(((cs1 - cs0) / window)), child $(((ccs1 - ccs0) / window))"
		"$work/cued" stop >/dev/null 2>&1 || true
		kill -TERM "$serve"; wait "$serve" || true
		serve=
		report "buffer $buf ms, daemon (cued serve)"
		mv "$work/ca" "$work/a"; mv "$work/cb" "$work/b"
		report "buffer $buf ms, its sink child (cued sink)"
		aplay_ref "$buf"
		continue
	fi
	CUED_AUDIO_BUFFER_MS=$buf "$work/cued" play -q "$routine" </dev/null &
	pid=$!
	sleep 3 # past start-up: the device is open and playing
	snap $pid >"$work/a"
	sleep "$window"
	snap $pid >"$work/b"
	kill -INT $pid; wait $pid || true
	report "buffer $buf ms"
	aplay_ref "$buf"
done
