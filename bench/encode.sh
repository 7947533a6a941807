#!/usr/bin/env bash
# Encode benchmark: `cued render ROUTINE -o FILE.mp3` (the mix piped into
# LAME, tag and chapters written) beside its parts and a reference, in one
# run: the WAV render alone, LAME alone on that WAV, and ffmpeg's
# libmp3lame on the same WAV at the same bit rate. Prints wall time, the
# realtime factor (session length / time) and the size per minute.
#
#   bench/encode.sh [ROUTINE]     (default tspine-3way)
#
# Environment: RUNS (default 3; the best run counts), BITRATE (default
# 128). Needs lame and ffmpeg (apt-get install lame ffmpeg). cued is built
# once and the clip cache warmed before timing.
set -euo pipefail
cd "$(dirname "$0")/.."

routine=${1:-tspine-3way}
runs=${RUNS:-3}
br=${BITRATE:-128}
for p in lame ffmpeg; do
	command -v $p >/dev/null || { echo "encode.sh: $p is not installed (apt-get install $p)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/cued-encode.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/cued" ./cmd/cued
"$work/cued" render "$routine" -o /dev/null --format raw # warm the clip cache
len_ms=$("$work/cued" timeline --json "$routine" | sed -n 's/^  "length_ms": *\([0-9]*\).*/\1/p' | head -n1)

# best CMD...: the shortest wall time of $runs runs, in ms.
best() {
	local b= t0 ms
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		ms=$((($(date +%s%N) - t0) / 1000000))
		[[ -n $b && $b -le $ms ]] || b=$ms
	done
	echo "$b"
}
row() { # NAME MS [FILE]
	local size=""
	[[ -z ${3:-} ]] || size=$(awk -v b="$(stat -c %s "$3")" -v l="$len_ms" 'BEGIN{printf "%.2f MB a minute", b/1e6/(l/60000)}')
	awk -v n="$1" -v ms="$2" -v l="$len_ms" -v s="$size" 'BEGIN{printf "%-44s %6d ms  %6.0fx realtime  %s\n", n, ms, l/(ms>0?ms:1), s}'
}

echo "encode.sh: $routine, $(awk -v l="$len_ms" 'BEGIN{printf "%d:%06.3f", l/60000, (l%60000)/1000}') of session, $br kbit/s, best of $runs"
row "cued render -o FILE.wav (the mix alone)" "$(best "$work/cued" render "$routine" -o "$work/s.wav")" "$work/s.wav"
row "cued render -o FILE.mp3 (mix, LAME, tag)" "$(best "$work/cued" render "$routine" --bitrate "$br" -o "$work/s.mp3")" "$work/s.mp3"
row "lame on the WAV (the encoder alone)" "$(best lame --silent --noreplaygain --cbr -b "$br" "$work/s.wav" "$work/l.mp3")" "$work/l.mp3"
row "ffmpeg -c:a libmp3lame on the WAV" "$(best ffmpeg -nostdin -y -loglevel error -i "$work/s.wav" -c:a libmp3lame -b:a "${br}k" "$work/f.mp3")" "$work/f.mp3"
