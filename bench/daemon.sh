#!/bin/sh
# Issue 3's benchmark: elegyd against Debian's mpd on the same 5,000-FLAC library (bench/library-scan.sh), in one run.
# Builds release, makes the corpus and the 20-minute test audio if missing, then runs bench/daemon.py, which prints
# Markdown tables: startup (empty cache and cached index), scan, idle CPU, RSS, `status` round-trips with 1 and
# 32 clients (elegy-bench roundtrips), CPU to play a 20-minute FLAC and MP3 unpaced (elegyd: ALSA null; mpd: null
# output, sync "no"). Usage: bench/daemon.sh [scan|roundtrips] [--reps N]   (needs mpd, sox, flac, lame, python3)
# `scan` measures only the `update` re-reading all 5,000 files, both daemons side by side (daemon.py scan);
# `roundtrips` only the `status` round-trips with 1 and 32 clients, both daemons alternately.
set -eu
cd "$(dirname "$0")/.."
mode=all
case "${1:-}" in
scan | roundtrips)
    mode=$1
    shift
    ;;
esac
for tool in mpd python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "daemon.sh: $tool is required" >&2; exit 69; }
done
swift build -c release --product elegyd
swift build -c release --product elegy-bench
bin="$(swift build -c release --show-bin-path)"
lib=${ELEGY_BENCH_LIB:-/tmp/elegy-bench-lib}
ELEGY_BENCH_LIB="$lib" sh bench/library-scan.sh >&2
audio=${ELEGY_BENCH_AUDIO:-/tmp/elegy-bench-audio}
"$bin/elegy-bench" make-audio >/dev/null
# Warm the page cache for both daemons alike.
find "$lib" -type f -name '*.flac' -exec cat {} + >/dev/null
exec python3 bench/daemon.py "$mode" --elegyd "$bin/elegyd" --bench "$bin/elegy-bench" --library "$lib" \
    --playlists "$PWD/Playlists" --flac "$audio/long-20min.flac" --mp3 "$audio/long-20min.mp3" "$@"
