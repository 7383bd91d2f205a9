#!/bin/sh
# Issue 11's benchmark: elegyd against Debian's MPD on one generated 100,000-song library (FLAC, MP3 and M4A with
# compilations, multi-disc albums, Japanese and romaji titles), every operation timed on both daemons in turn and
# every answer compared (bench/big.py). Builds elegyd in release first; generates the library once under
# $ELEGY_BIG_LIB (default /tmp/elegy-big; about a minute, 2 GB) and reuses it.
#
#   bench/big.sh [--songs N] [--reps N] [--reuse-index]
#
# --reuse-index keeps both daemons' indexes from the last run (in /tmp/elegy-big-work) and skips the scans.
set -eu
cd "$(dirname "$0")/.."
songs=100000
reps=3
extra=""
while [ $# -gt 0 ]; do
    case "$1" in
        --songs) songs=$2; shift 2 ;;
        --reps) reps=$2; shift 2 ;;
        --reuse-index) extra="--reuse-index"; shift ;;
        *) echo "usage: bench/big.sh [--songs N] [--reps N] [--reuse-index]" >&2; exit 64 ;;
    esac
done
library=${ELEGY_BIG_LIB:-/tmp/elegy-big}
command -v mpd >/dev/null 2>&1 || { echo "big.sh: Debian's mpd is required (scripts/install-deps.sh)" >&2; exit 69; }
swift build -c release --product elegyd --scratch-path .build-release >&2
marker="$library/.complete-$songs"
if [ ! -f "$marker" ]; then
    rm -rf "$library"
    python3 bench/biglibrary.py --songs "$songs" "$library" >&2
    touch "$marker"
fi
exec python3 bench/big.py --elegyd "$(pwd)/.build-release/release/elegyd" --library "$library" --songs "$songs" \
    --reps "$reps" $extra
