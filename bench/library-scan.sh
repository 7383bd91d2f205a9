#!/bin/sh
# Generates the library-scan benchmark corpus: 5,000 small tagged FLACs (0.2 s, 44.1 kHz stereo 16-bit) in an
# Artist/Album/NN - Title.flac layout (100 artists x 5 albums x 10 tracks), under $ELEGY_BENCH_LIB
# (default /tmp/elegy-bench-lib). An existing complete corpus is reused. Timing elegyd against MPD over it is
# done elsewhere; this script only prints where the corpus is.
#
# Needs sox, flac's metaflac and xargs. One file is encoded once, then copied and re-tagged in parallel.
set -eu

dir=${ELEGY_BENCH_LIB:-/tmp/elegy-bench-lib}
artists=100
albums=5
tracks=10
total=$((artists * albums * tracks))
marker="$dir/.complete-$total"

if [ -f "$marker" ]; then
    echo "$dir: $total files (reused)"
    exit 0
fi

for tool in sox metaflac xargs; do
    command -v "$tool" >/dev/null 2>&1 || { echo "library-scan.sh: $tool is required" >&2; exit 69; }
done

rm -rf "$dir"
mkdir -p "$dir"
template="$dir/.template.flac"
sox -n -r 44100 -b 16 -c 2 "$template" synth 0.2 sine 440 vol 0.3

# Copy the template into place and write one line per file for the tagging pass:
# path<TAB>artist<TAB>album<TAB>track<TAB>title
list="$dir/.tags"
: >"$list"
a=1
while [ "$a" -le "$artists" ]; do
    artist=$(printf 'Artist %03d' "$a")
    b=1
    while [ "$b" -le "$albums" ]; do
        album=$(printf 'Album %03d-%d' "$a" "$b")
        mkdir -p "$dir/$artist/$album"
        t=1
        while [ "$t" -le "$tracks" ]; do
            title=$(printf 'Song %03d-%d-%02d' "$a" "$b" "$t")
            path=$(printf '%s/%s/%s/%02d - %s.flac' "$dir" "$artist" "$album" "$t" "$title")
            printf '%s\t%s\t%s\t%d\t%s\n' "$path" "$artist" "$album" "$t" "$title" >>"$list"
            t=$((t + 1))
        done
        b=$((b + 1))
    done
    a=$((a + 1))
done

# Copy and tag in parallel, one metaflac per file (copies first so that metaflac edits each file in place).
jobs=$(nproc 2>/dev/null || echo 2)
tr '\n' '\0' <"$list" | xargs -0 -P "$jobs" -n 50 sh -c '
    template=$0
    for line in "$@"; do
        IFS="$(printf "\t")" read -r path artist album track title <<EOT
$line
EOT
        cp "$template" "$path"
        metaflac --remove-all-tags --set-tag="ARTIST=$artist" --set-tag="ALBUM=$album" \
            --set-tag="TRACKNUMBER=$track" --set-tag="TITLE=$title" --set-tag="DATE=2024" "$path"
    done
' "$template"

rm -f "$list" "$template"
count=$(find "$dir" -name '*.flac' -type f | wc -l)
if [ "$count" -ne "$total" ]; then
    echo "library-scan.sh: made $count files, expected $total" >&2
    exit 1
fi
touch "$marker"
echo "$dir: $total files"
