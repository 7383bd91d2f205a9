#!/usr/bin/env bash
# Installs what Elegy needs to build and test on Debian 12: the C libraries it links (libsndfile, libFLAC, ALSA,
# utf8proc, FFmpeg's libavformat/libavcodec, TagLib), the real components its tests drive (mpc, mpd, python-mpd2,
# PulseAudio for a paced output, sox/flac/lame/oggenc/opusenc/ffmpeg/wavpack for test audio, systemd-analyze for
# the units). Idempotent; quiet when all is present, and
# when it installs, it prints the packages first.
#
# It never stops a process it did not start: Debian's mpd package starts the system mpd on install, so the
# install runs with a policy-rc.d that refuses service starts (exit 101, invoke-rc.d's documented "action
# forbidden"), and a policy-rc.d that was already there is put back afterwards.
set -euo pipefail

apt_packages=(
    libsndfile1-dev libflac-dev libasound2-dev libasound2-plugins alsa-utils libutf8proc-dev
    libavformat-dev libavcodec-dev libavutil-dev libtag1-dev
    pulseaudio pulseaudio-utils
    mpc mpd python3-mpd python3-pytest python3-mutagen
    sox libsox-fmt-mp3 flac lame vorbis-tools opus-tools ffmpeg wavpack
    systemd procps util-linux make
)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "install-deps: apt-get install ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    policy=/usr/sbin/policy-rc.d
    saved=""
    if [ -e "$policy" ]; then
        saved=$(mktemp)
        $sudo cp -p "$policy" "$saved"
    fi
    restore_policy() {
        if [ -n "$saved" ]; then $sudo mv "$saved" "$policy"; else $sudo rm -f "$policy"; fi
    }
    trap restore_policy EXIT
    printf '#!/bin/sh\n# written by elegy scripts/install-deps.sh for the length of one apt-get install\nexit 101\n' \
        | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    restore_policy
    trap - EXIT
fi

if ! python3 -c "import mpd, pytest, mutagen" 2>/dev/null; then
    echo "install-deps: pip install python-mpd2 pytest mutagen"
    python3 -m pip install -q python-mpd2 pytest mutagen
fi
