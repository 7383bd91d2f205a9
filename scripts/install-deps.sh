#!/usr/bin/env bash
# Installs what Elegy needs to build and test on Debian 12: the C libraries it links (libsndfile, libFLAC, ALSA),
# the real components its tests drive (mpc, mpd, python-mpd2, PulseAudio for a paced output, sox/flac/lame/
# oggenc/opusenc for test audio, systemd-analyze for the units). Idempotent; quiet when all is present.
set -euo pipefail

apt_packages=(
    libsndfile1-dev libflac-dev libasound2-dev libasound2-plugins alsa-utils
    pulseaudio pulseaudio-utils
    mpc mpd python3-mpd python3-pytest
    sox libsox-fmt-mp3 flac lame vorbis-tools opus-tools
    systemd procps util-linux make
)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian starts mpd on install where it can; our tests start their own.
    $sudo pkill -x mpd 2>/dev/null || true
fi

python3 -c "import mpd, pytest" 2>/dev/null || python3 -m pip install -q python-mpd2 pytest
