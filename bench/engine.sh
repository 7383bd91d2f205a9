#!/bin/sh
# Issue 2's benchmark. Builds elegy-bench in release mode and runs `elegy-bench engine`: the Elegy playback engine
# and a bare libsndfile → snd_pcm_writei loop each play a 20-minute 44.1 kHz 16-bit FLAC and a 192 kb/s MP3 to
# ALSA `null` (unpaced) in child processes; CPU (user+sys) and peak RSS from wait4, medians. Then heap allocations
# per chunk (LD_PRELOAD counter, bench/malloc-count.c) and, as context, MPD playing the same files.
# Usage: bench/engine.sh [--reps N]     (ELEGY_BENCH_AUDIO: where the test audio is cached, /tmp/elegy-bench-audio)
# Set ELEGY_BENCH_NO_MPD=1 to skip the MPD part.
set -eu
cd "$(dirname "$0")/.."
swift build -c release --product elegy-bench
bin="$(swift build -c release --show-bin-path)"
audio=${ELEGY_BENCH_AUDIO:-/tmp/elegy-bench-audio}
mkdir -p "$audio"
shim="$audio/malloc-count.so"
if [ ! -f "$shim" ] || [ bench/malloc-count.c -nt "$shim" ]; then
    cc -O2 -shared -fPIC -o "$shim" bench/malloc-count.c || clang -O2 -shared -fPIC -o "$shim" bench/malloc-count.c
fi
ELEGY_BENCH_MALLOC_SHIM="$shim" "$bin/elegy-bench" engine "$@"
if [ "${ELEGY_BENCH_NO_MPD:-0}" != 1 ] && command -v mpd >/dev/null 2>&1; then
    "$bin/elegy-bench" make-audio >/dev/null
    python3 bench/daemon.py mpd-play --flac "$audio/long-20min.flac" --mp3 "$audio/long-20min.mp3" --reps 3
fi
