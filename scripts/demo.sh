#!/usr/bin/env bash
# The README's run command: on a fresh Debian 12 machine, install what Elegy needs, build it, generate a small
# demo library of synthesized clips tagged as curated songs (plus decoys), start elegyd on it, show which curated
# songs were found, start the "farewell" mood and show the status while it plays. Cleans up after itself.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
echo "==> building (release)"
swift build -c release -q 2>&1 | grep -v "^\[" || true
bin=$(swift build -c release --show-bin-path)

demo=$(mktemp -d /tmp/elegy-demo.XXXXXX)
export HOME="$demo/home" XDG_RUNTIME_DIR="$demo/run" XDG_CACHE_HOME="$demo/cache" XDG_STATE_HOME="$demo/state" \
    XDG_DATA_HOME="$demo/data" XDG_CONFIG_HOME="$demo/config"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
socket="$XDG_RUNTIME_DIR/elegy/socket"
daemon_pid=""
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    rm -rf "$demo"
}
trap cleanup EXIT

echo "==> generating a demo library in $demo/music"
scripts/demo-library.sh "$demo/music"

# Play to the sound card when there is one; otherwise ALSA's null device (which plays at decoding speed).
device=default
if ! timeout 3 aplay -q -D default -d 1 -t raw -f S16_LE -r 44100 -c 2 /dev/zero >/dev/null 2>&1; then
    device=null
    echo "==> no usable 'default' ALSA device here: playing to 'null' (silent, and faster than real time)"
fi

"$bin/elegyd" --socket "$socket" --music-dir "$demo/music" --output "$device" 2>"$demo/elegyd.log" &
daemon_pid=$!
elegy() { "$bin/elegy" --socket "$socket" "$@"; }
for _ in $(seq 100); do elegy status >/dev/null 2>&1 && break; sleep 0.05; done
elegy update --wait >/dev/null

echo "==> which curated songs are in this library (elegy resolve tearjerkers)"
elegy resolve tearjerkers || true
echo
echo "==> elegy resolve, all playlists: summary"
elegy resolve | tail -n 1 || true
echo
echo "==> elegy mood farewell"
elegy mood farewell
for _ in 1 2 3; do
    elegy status
    echo
    sleep 1
done
echo "==> elegy queue"
elegy queue | head -n 12
echo "==> done; daemon log: $demo/elegyd.log (removed on exit)"
