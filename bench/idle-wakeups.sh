#!/usr/bin/env bash
# Wake-ups of an idle daemon: starts `cued serve` (null sink, no schedule,
# nothing playing) in a private home and counts the context switches of
# all its threads over a window. Goal: none beyond timers that are due
# (here: none at all, as nothing is scheduled).
#
#   bench/idle-wakeups.sh [SECONDS]     (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
window=${1:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/cued-idle.XXXXXX")
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/cued" ./cmd/cued
mkdir -p "$work/home/.config/cued"
printf 'voice:\n  synth: none\nschedule: []\n' >"$work/home/.config/cued/config.yaml"
(cd "$work/home" && HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_RUNTIME_DIR=$work/run \
	XDG_STATE_HOME=$work/state exec "$work/cued" serve --sink null 2>"$work/serve.log") &
pid=$!
sleep 3 # start-up done
switches() { cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/{s+=$2} END{print s}'; }
a=$(switches)
sleep "$window"
b=$(switches)
echo "idle daemon: $((b - a)) context switches in $window s ($(awk -v n=$((b - a)) -v w="$window" 'BEGIN{printf "%.1f", n/w}') a second)"
