#!/usr/bin/env bash
# Makes the awkward clip files that voice's tests decode. Run once; the
# outputs are committed (each under 30 KB). Needs festival,
# festvox-us-slt-hts, lame, sox, ffmpeg and python3.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "One, two, three." >"$tmp/text.txt"
text2wave -eval '(voice_cmu_us_slt_arctic_hts)' "$tmp/text.txt" -o "$tmp/speech.wav" # 32 kHz mono

# Mono 22.05 kHz MP3 (MPEG-2 Layer III), with a LAME tag.
sox -R "$tmp/speech.wav" -r 22050 "$tmp/s22.wav"
lame --quiet --noreplaygain -m m -b 32 "$tmp/s22.wav" mono22k.mp3

# 48 kHz stereo MP3: 440 Hz in the left channel, 660 Hz in the right.
sox -R -n -r 48000 -c 2 "$tmp/st.wav" synth 0.5 sine 440 sine 660 gain -6
lame --quiet --noreplaygain -m s -b 96 --resample 48 "$tmp/st.wav" stereo48k.mp3

# VBR MP3 at 44.1 kHz (Xing tag with a frame count).
sox -R "$tmp/speech.wav" -r 44100 "$tmp/s44.wav"
lame --quiet --noreplaygain -V 7 --resample 44.1 "$tmp/s44.wav" vbr.mp3

# An MP3 behind a large ID3v2 tag holding a picture (16 KB of PNG noise).
head -c 12000 /dev/urandom >"$tmp/noise.raw"
ffmpeg -nostdin -y -loglevel error -f rawvideo -pix_fmt gray -s 100x120 -i "$tmp/noise.raw" -frames:v 1 "$tmp/pic.png"
lame --quiet --noreplaygain -m m -b 32 --ti "$tmp/pic.png" --tt "A title" "$tmp/s22.wav" id3pic.mp3

# A truncated MP3: the first 60% of a 32 kHz file, cut mid-frame.
lame --quiet --noreplaygain -m m -b 48 "$tmp/speech.wav" "$tmp/full.mp3"
head -c $(($(stat -c %s "$tmp/full.mp3") * 6 / 10 + 77)) "$tmp/full.mp3" >truncated.mp3

# Not audio at all.
printf '<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n<body>Not Found</body></html>\n' >html.mp3
: >empty.mp3

# MPEG-2.5 at 8 kHz, which go-mp3 cannot decode.
sox -R "$tmp/speech.wav" -r 8000 "$tmp/s8.wav"
lame --quiet --noreplaygain -m m -b 16 "$tmp/s8.wav" mpeg25_8k.mp3

# Layer II (MP2) named .mp3.
ffmpeg -nostdin -y -loglevel error -i "$tmp/s22.wav" -c:a mp2 -b:a 64k -f mp2 layer2.mp3

# A WAV whose header claims 500,000,000 frames (16-bit mono) and holds none.
python3 - <<'EOF'
import struct
fmt = struct.pack('<HHIIHH', 1, 1, 44100, 88200, 2, 16)
data_size = 1000000000
hdr = b'RIFF' + struct.pack('<I', 4 + 8 + len(fmt) + 8 + data_size) + b'WAVE'
hdr += b'fmt ' + struct.pack('<I', len(fmt)) + fmt + b'data' + struct.pack('<I', data_size)
open('hugeheader.wav', 'wb').write(hdr)
EOF

# Float32 WAVE_FORMAT_EXTENSIBLE WAV (ffmpeg writes pcm_f32le that way).
ffmpeg -nostdin -y -loglevel error -i "$tmp/speech.wav" -t 0.2 -c:a pcm_f32le -f wav float_ext.wav

# 24-bit stereo PCM WAV at 44.1 kHz.
sox -R -n -r 44100 -c 2 -b 24 pcm24.wav synth 0.1 sine 1000 gain -6

# Clicks for the gapless test: a 1 kHz burst centred on sample 10000 of a
# one-second WAV, at 32 kHz (MPEG-1) and 22.05 kHz (MPEG-2).
for rate in 32000 22050; do
	python3 - "$rate" "$tmp/click$rate.wav" <<'EOF'
import math, struct, sys
rate, n = int(sys.argv[1]), int(sys.argv[1])
s = [0.0] * n
for i in range(-64, 65):
    s[10000 + i] = 0.8 * math.cos(2 * math.pi * 1000 * i / rate) * (0.5 + 0.5 * math.cos(math.pi * i / 64))
data = b''.join(struct.pack('<h', int(x * 32767)) for x in s)
hdr = b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVE'
hdr += b'fmt ' + struct.pack('<IHHIIHH', 16, 1, 1, rate, rate * 2, 2, 16) + b'data' + struct.pack('<I', len(data))
open(sys.argv[2], 'wb').write(hdr + data)
EOF
done
lame --quiet --noreplaygain -m m -b 48 "$tmp/click32000.wav" click32k.mp3
lame --quiet --noreplaygain -m m -b 64 "$tmp/click22050.wav" click22k.mp3

ls -l
