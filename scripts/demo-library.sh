#!/usr/bin/env bash
# demo-library.sh DIR — build a small, deliberately messy demo music library in DIR.
#
# Every clip is a few seconds of synthesized sound (soft sine chords or plucks with fades,
# 44.1 kHz, 16-bit, stereo), so nothing copyrighted is involved. The files are named and
# tagged like a real collection of some of the curated songs: full tags, tags only in the
# path, Japanese-script titles, "(TV Size)" and "[FLAC]" suffixes, one song in two formats,
# plus decoys that share a title with a curated song but not its artist.
#
# Needs sox, flac, lame and oggenc. Prints nothing but errors; exits non-zero on failure.
set -euo pipefail

if [[ $# -ne 1 || -z "$1" ]]; then
    echo "usage: $0 DIR" >&2
    exit 64
fi
for tool in sox flac lame oggenc; do
    command -v "$tool" >/dev/null || { echo "$0: $tool is required" >&2; exit 69; }
done

out=$1
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# synth WAV SECONDS KIND F1 F2 F3 — a soft three-note chord ("sine") or plucked chord ("pluck"),
# spread over two channels, normalised to -6 dBFS, with gentle fades.
synth() {
    local wav=$1 seconds=$2 kind=$3 f1=$4 f2=$5 f3=$6
    sox -q -n -r 44100 -b 16 -c 2 "$wav" \
        synth "$seconds" "$kind" "$f1" "$kind" "$f2" "$kind" "$f3" \
        remix 1,2v0.6 2v0.6,3 \
        tremolo 3 20 \
        gain -n -6 \
        fade q 0.4 "$seconds" 1.2
}

# clip SECONDS KIND F1 F2 F3 — synthesise a clip into a new temporary file and print its path.
clip() {
    local wav
    wav=$(mktemp -p "$work" --suffix=.wav clip.XXXXXX)
    synth "$wav" "$@"
    printf '%s\n' "$wav"
}

# flac_tagged OUT WAV TITLE ARTIST ALBUM [TRACK] — FLAC with Vorbis comments.
flac_tagged() {
    local dest=$1 wav=$2 title=$3 artist=$4 album=$5 track=${6:-}
    mkdir -p "$(dirname "$dest")"
    local tags=(-T "TITLE=$title" -T "ARTIST=$artist" -T "ALBUM=$album")
    [[ -n $track ]] && tags+=(-T "TRACKNUMBER=$track")
    flac -s -f -8 "${tags[@]}" -o "$dest" "$wav"
}

# flac_bare OUT WAV — FLAC whose only metadata is its path.
flac_bare() {
    mkdir -p "$(dirname "$1")"
    flac -s -f -8 -o "$1" "$2"
}

# mp3_tagged OUT WAV TITLE ARTIST ALBUM — MP3 with ID3v2 (UTF-16, so Japanese survives).
mp3_tagged() {
    mkdir -p "$(dirname "$1")"
    lame --quiet -b 192 --id3v2-only --id3v2-utf16 --tt "$3" --ta "$4" --tl "$5" "$2" "$1"
}

# mp3_bare OUT WAV — MP3 without tags.
mp3_bare() {
    mkdir -p "$(dirname "$1")"
    lame --quiet -b 192 "$2" "$1"
}

# ogg_tagged OUT WAV TITLE ARTIST ALBUM — Ogg Vorbis with comments.
ogg_tagged() {
    mkdir -p "$(dirname "$1")"
    oggenc -Q -q 5 -t "$3" -a "$4" -l "$5" -o "$1" "$2"
}

# ogg_bare OUT WAV
ogg_bare() {
    mkdir -p "$(dirname "$1")"
    oggenc -Q -q 5 -o "$1" "$2"
}

# --- Curated songs (farewell: 1-3, 5-10) -----------------------------------------------------

# 1. Full tags, Japanese title with a version suffix; the same song also as MP3 (below).
w=$(clip 5 sine 261.63 329.63 392.00)
flac_tagged "$out/LiSA/Angel Beats! Keep The Beats!/08 - 一番の宝物 ~Yui final ver.~.flac" "$w" \
    "一番の宝物 ~Yui final ver.~" "LiSA" "Keep The Beats!" 8
mp3_tagged "$out/mp3/LiSA - Ichiban no Takaramono.mp3" "$w" \
    "Ichiban no Takaramono" "LiSA" "Keep The Beats!"

# 2. Tags only in the path, with a "(TV Size)" suffix.
w=$(clip 4 pluck 293.66 369.99 440.00)
flac_bare "$out/7!!/Shigatsu wa Kimi no Uso/02 - Orange (TV Size).flac" "$w"

# 3. Artist - Title.mp3, Japanese title, no tags.
w=$(clip 4.5 sine 246.94 311.13 369.99)
mp3_bare "$out/mp3/ZONE - secret base ~君がくれたもの~.mp3" "$w"

# 4. Full tags, short English title (decoy below shares it).
w=$(clip 6 sine 196.00 246.94 293.66)
flac_tagged "$out/The Seatbelts/Cowboy Bebop Blue/17 - Blue.flac" "$w" \
    "Blue" "The Seatbelts feat. Mai Yamane" "Cowboy Bebop Blue" 17

# 5. Ogg with Japanese title in the tags.
w=$(clip 5 pluck 349.23 440.00 523.25)
ogg_tagged "$out/Key/AIR/鳥の詩.ogg" "$w" "鳥の詩" "Lia" "AIR Original Soundtrack"

# 6. "[FLAC]" suffix, path only.
w=$(clip 4 sine 220.00 277.18 329.63)
flac_bare "$out/LiSA - シルシ [FLAC].flac" "$w"

# 7. MP3 with Japanese title tag.
w=$(clip 5.5 pluck 329.63 415.30 493.88)
mp3_tagged "$out/mp3/himawari.mp3" "$w" \
    "ひまわりの約束" "Motohiro Hata" "Himawari no Yakusoku - Single"

# 8. Artist/Album/NN - Title with a fictional-singer credit in the folder name.
w=$(clip 4 sine 233.08 293.66 349.23)
flac_bare "$out/Sheryl Nome starring May'n/Macross Frontier/05 - ダイアモンド クレバス.flac" "$w"

# 9. Full tags, Japanese title.
w=$(clip 4.5 pluck 261.63 311.13 392.00)
flac_tagged "$out/Alisa Takigawa/Owarimonogatari ED/01 - さよならのゆくえ.flac" "$w" \
    "さよならのゆくえ" "瀧川ありさ (Alisa Takigawa)" "Sayonara no Yukue" 1

# 10. Ogg, path only, "(TV Size)".
w=$(clip 3.5 sine 293.66 349.23 440.00)
ogg_bare "$out/Minori Chihara - Michishirube (TV Size).ogg" "$w"

# 10b. Same song, off-vocal (karaoke) version: must never stand in for the vocal song.
w=$(clip 3.5 sine 293.66 349.23 440.00)
ogg_bare "$out/Minori Chihara - Michishirube (Off Vocal).ogg" "$w"

# 2b. A cover of "Orange" by someone else, fully tagged: must never stand in for 7!!'s recording.
w=$(clip 4 pluck 293.66 369.99 440.00)
mp3_tagged "$out/mp3/Jane Doe - Orange (Piano Cover).mp3" "$w" "Orange (Piano Cover)" "Jane Doe" "Covers Vol. 2"

# --- Curated songs in other moods -------------------------------------------------------------

w=$(clip 5 sine 174.61 220.00 261.63)
flac_tagged "$out/RADWIMPS/Kimi no Na wa. OST/18 - カタワレ時.flac" "$w" \
    "カタワレ時" "RADWIMPS" "君の名は。" 18
w=$(clip 6 sine 164.81 196.00 246.94)
mp3_tagged "$out/mp3/Kumiko Noma - Lilium.mp3" "$w" \
    "LILIUM" "Kumiko Noma" "Elfen Lied OST"
w=$(clip 3 pluck 392.00 493.88 587.33)
flac_bare "$out/Chata/CLANNAD/01 - だんご大家族.flac" "$w"
w=$(clip 4 pluck 196.00 246.94 293.66)
mp3_bare "$out/mp3/Akeboshi - Wind.mp3" "$w"
w=$(clip 5 sine 185.00 220.00 277.18)
flac_tagged "$out/Naruto OST/12 - Sadness and Sorrow.flac" "$w" \
    "Sadness and Sorrow" "Toshio Masuda" "Naruto Original Soundtrack" 12

# --- Decoys: same titles, different artists, or not curated at all ---------------------------

w=$(clip 4 sine 207.65 261.63 311.13)
flac_tagged "$out/Joni Mitchell/Blue/04 - Blue.flac" "$w" \
    "Blue" "Joni Mitchell" "Blue" 4
w=$(clip 3.5 pluck 277.18 349.23 415.30)
mp3_tagged "$out/mp3/Maroon 5 - Memories.mp3" "$w" \
    "Memories" "Maroon 5" "Memories - Single"
w=$(clip 3 sine 311.13 392.00 466.16)
mp3_bare "$out/mp3/The Placeholders - Sunday Errands.mp3" "$w"
w=$(clip 4 pluck 155.56 196.00 233.08)
ogg_tagged "$out/Home Recordings/Untitled Sketch 4.ogg" "$w" \
    "Untitled Sketch 4" "Home Recordings" "Sketches"
w=$(clip 3 sine 369.99 440.00 554.37)
flac_tagged "$out/Kitchen Tapes/Weather/03 - Orange Sky.flac" "$w" \
    "Orange Sky" "Kitchen Tapes" "Weather" 3
