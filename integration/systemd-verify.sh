#!/bin/sh
# Runs `systemd-analyze --user verify` on every unit in systemd/ without a running systemd: a temporary HOME
# holds stub elegyd/elegy executables (ExecStart= must name one that exists) and a 0700 XDG_RUNTIME_DIR.
# Fails on any error and on any "Unknown key"/"Unknown section" warning (those alone leave the rc at 0).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "systemd-verify: systemd-analyze not found" >&2
    exit 1
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -p "$scratch/home/.local/bin" "$scratch/run"
chmod 0700 "$scratch/run"
for program in elegyd elegy; do
    printf '#!/bin/sh\nexit 0\n' >"$scratch/home/.local/bin/$program"
    chmod 0755 "$scratch/home/.local/bin/$program"
done

cd "$root/systemd"
set -- *.service *.socket *.timer
status=0
output=$(HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run" XDG_CONFIG_HOME="$scratch/home/.config" \
    systemd-analyze --user verify "$@" 2>&1) || status=$?
if [ -n "$output" ]; then
    printf '%s\n' "$output"
fi
if [ "$status" -ne 0 ]; then
    echo "systemd-verify: systemd-analyze failed (status $status) on: $*" >&2
    exit 1
fi
if printf '%s\n' "$output" | grep -Eqi 'unknown (key|section|lvalue)|failed|error|invalid|ignoring'; then
    echo "systemd-verify: warnings in: $*" >&2
    exit 1
fi
echo "systemd-verify: ok ($*)"
