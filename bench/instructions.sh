#!/bin/bash
# User-space instructions per request, elegyd vs. mpd, counted by valgrind's callgrind: repeatable whatever else the
# machine is doing (wall-clock round-trips on a shared 2-core machine move by 2x between runs).
# Usage: bench/instructions.sh [REQUESTS] [COMMAND]   (default 5000 status; needs valgrind, mpd, python3)
# Both daemons serve the 5,000-FLAC bench library (bench/library-scan.sh); each runs under callgrind, gets 200
# warm-up requests, its counters are zeroed, then REQUESTS sequential requests from one client, then a dump.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-5000}
command=${2:-status}
for tool in valgrind callgrind_control callgrind_annotate mpd python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "instructions.sh: $tool is required" >&2; exit 69; }
done
swift build -c release --product elegyd >&2
bin="$(swift build -c release --show-bin-path)"
lib=${ELEGY_BENCH_LIB:-/tmp/elegy-bench-lib}
ELEGY_BENCH_LIB="$lib" sh bench/library-scan.sh >&2
work=$(mktemp -d /tmp/elegy-instr-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

client() { # socket count
    python3 - "$1" "$2" "$command" <<'PY'
import socket, sys, time
path, count, line = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode() + b"\n"
deadline = time.time() + 300
while True:
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(path); break
    except OSError:
        if time.time() > deadline: raise
        time.sleep(0.2)
f = s.makefile("rb"); f.readline()
for _ in range(count):
    s.sendall(line)
    while True:
        reply = f.readline()
        if reply == b"OK\n" or reply.startswith(b"ACK") or not reply: break
PY
}

wait_ready() { # socket: until `status` has no updating_db
    python3 - "$1" <<'PY'
import socket, sys, time
deadline = time.time() + 600
while time.time() < deadline:
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); f = s.makefile("rb"); f.readline()
        s.sendall(b"status\n"); lines = []
        while (line := f.readline()) not in (b"OK\n", b""): lines.append(line)
        s.close()
        if not any(l.startswith(b"updating_db") for l in lines): sys.exit(0)
    except OSError:
        pass
    time.sleep(0.5)
sys.exit(1)
PY
}

measure() { # name socket pid
    wait_ready "$2"
    client "$2" 200
    callgrind_control -z "$3" >/dev/null
    client "$2" "$requests"
    callgrind_control -d "$3" >/dev/null
    sleep 1
    local total
    total=$(callgrind_annotate "$work/$1.out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    echo "$1 $total"
    kill "$3"; wait "$3" 2>/dev/null || true
}

# elegyd: a private XDG tree; the index is built by a first, uninstrumented run so the instrumented one starts cached.
mkdir -p "$work/e"/{cache,state,config,data,run,home}
export XDG_CACHE_HOME="$work/e/cache" XDG_STATE_HOME="$work/e/state" XDG_CONFIG_HOME="$work/e/config"
export XDG_DATA_HOME="$work/e/data" XDG_RUNTIME_DIR="$work/e/run" HOME="$work/e/home"
"$bin/elegyd" --socket "$work/e/sock" --music-dir "$lib" --output null 2>"$work/e.log" &
wait_ready "$work/e/sock"; kill $!; wait $! 2>/dev/null || true
# valgrind cannot read the DWARF 5 of Swift 6.3's debug info: a copy without it keeps the symbols.
strip --strip-debug -o "$work/elegyd" "$bin/elegyd"
valgrind --tool=callgrind --callgrind-out-file="$work/elegyd.out" "$work/elegyd" --socket "$work/e/sock" \
    --music-dir "$lib" --output null 2>>"$work/e.log" &
elegyd_line=$(measure elegyd "$work/e/sock" $!)

# mpd: same library, null output; a first run builds its database.
mkdir -p "$work/m/playlists"
cat >"$work/m/mpd.conf" <<CONF
music_directory "$lib"
db_file "$work/m/db"
playlist_directory "$work/m/playlists"
bind_to_address "$work/m/sock"
auto_update "no"
zeroconf_enabled "no"
audio_output {
  type "null"
  name "n"
  sync "no"
}
CONF
HOME="$work/m" mpd --no-daemon --stderr "$work/m/mpd.conf" 2>"$work/m.log" &
wait_ready "$work/m/sock"; kill $!; wait $! 2>/dev/null || true
rm -f "$work/m/sock"
HOME="$work/m" valgrind --tool=callgrind --callgrind-out-file="$work/mpd.out" mpd --no-daemon --stderr \
    "$work/m/mpd.conf" 2>>"$work/m.log" &
mpd_line=$(measure mpd "$work/m/sock" $!)

e=${elegyd_line#* }; m=${mpd_line#* }
echo "instructions per '$command' request (user space, callgrind, $requests requests, 1 client):"
echo "  elegyd: $((e / requests))"
echo "  mpd:    $((m / requests))"
python3 -c "print(f'  elegyd / mpd: {$e / $m:.2f}x')"
echo "(work directory: $work)"
