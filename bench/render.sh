#!/usr/bin/env bash
# Render benchmark: cued's mixer against ffmpeg doing the same mix (every
# clip and tone delayed with adelay and summed with amix), on the same
# timeline. Goal: cued at least 10x faster than ffmpeg.
#
#   bench/render.sh --synthetic   a synthetic ~290 s session (bench/cmd/synth),
#                                 rendered by bench/cmd/cuedmix; works today
#   bench/render.sh ROUTINE       a real routine: `cued timeline --json` and
#                                 `cued render` (clip cache warm); ffmpeg gets
#                                 the built-in pack as WAV (or CLIPS=DIR of
#                                 <cue>.wav), converted before timing
#
# Environment: RUNS (default 3; the best run counts), KEEP=1 keeps the work
# folder (outputs, timeline, filtergraph), RATE (default 44100).
# Needs ffmpeg. Binaries are built once before timing, so compiling is not
# counted.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
rate=${RATE:-44100}
mode=${1:---synthetic}
command -v ffmpeg >/dev/null || { echo "render.sh: ffmpeg is not installed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/cued-bench.XXXXXX")
if [[ ${KEEP:-} == 1 ]]; then
	echo "work folder: $work"
else
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work/bin"
go build -o "$work/bin/" ./bench/cmd/synth ./bench/cmd/ffmix ./bench/cmd/cuedmix

if [[ $mode == --synthetic ]]; then
	"$work/bin/synth" -out "$work/synth" -rate "$rate" >/dev/null
	timeline=$work/synth/timeline.json
	clips=$work/synth/clips
	cued=("$work/bin/cuedmix" -timeline "$timeline" -clips "$clips" -rate "$rate" -out "$work/cued.wav")
else
	routine=$mode
	clips=${CLIPS:-}
	if [[ -z $clips ]]; then
		# The built-in pack as WAV at the output rate, made before timing, so
		# ffmpeg decodes nothing either (cued reads its clip cache).
		clips=$work/clips
		mkdir -p "$clips"
		for f in sounds/default/*.mp3; do
			ffmpeg -nostdin -loglevel error -y -i "$f" -ar "$rate" -ac 1 "$clips/$(basename "$f" .mp3).wav"
		done
	fi
	go build -o "$work/bin/cued" ./cmd/cued
	"$work/bin/cued" render -o /dev/null "$routine" # warm the clip cache
	timeline=$work/timeline.json
	"$work/bin/cued" timeline --json "$routine" >"$timeline"
	cued=("$work/bin/cued" render -o "$work/cued.wav" "$routine")
fi

mapfile -t ffargs < <("$work/bin/ffmix" -timeline "$timeline" -clips "$clips" -rate "$rate" -script "$work/graph.txt")
ffmpeg=(ffmpeg -nostdin -hide_banner -loglevel error -y "${ffargs[@]}" -ar "$rate" -c:a pcm_s16le "$work/ffmpeg.wav")

# best RUNS wall-clock seconds of a command
best() {
	local best=
	for ((i = 0; i < runs; i++)); do
		local t0 t1
		t0=$(date +%s%N)
		"$@" 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
		t1=$(date +%s%N)
		local ms=$(((t1 - t0) / 1000000))
		if [[ -z $best || $ms -lt $best ]]; then best=$ms; fi
	done
	echo "$best"
}

length_ms=$(grep -o '"length_ms": *[0-9]*' "$timeline" | sed -n 1p | grep -o '[0-9]*$')
events=$(grep -c '"kind"' "$timeline" || true)
cued_ms=$(best "${cued[@]}")
ff_ms=$(best "${ffmpeg[@]}")

awk -v len="$length_ms" -v ev="$events" -v c="$cued_ms" -v f="$ff_ms" -v runs="$runs" 'BEGIN {
	c = (c < 1 ? 1 : c); f = (f < 1 ? 1 : f)
	printf "session: %.1f s, %d events (best of %d runs, wall clock, whole process)\n", len / 1000, ev, runs
	printf "cued:    %6d ms  %7.0fx realtime\n", c, len / c
	printf "ffmpeg:  %6d ms  %7.0fx realtime\n", f, len / f
	printf "cued is %.1fx faster than ffmpeg (goal: 10x)\n", f / c
}'
for f in cued ffmpeg; do
	printf '%s.wav: ' "$f"
	ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/$f.wav" 2>/dev/null || echo "?"
done
