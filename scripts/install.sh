#!/usr/bin/env bash
# Installs or uninstalls Elegy; called by `make install` / `make uninstall` with PREFIX, BINDIR, DATADIR,
# UNITDIR (and BUILD_BIN, the release build's bin directory, for install) in the environment.
#
# Every file written and every directory created is recorded, in order, in $DATADIR/elegy/install-manifest
# (directories with a trailing "/"); uninstall removes the files and then the directories it created, if
# they are empty, so that install followed by uninstall leaves nothing behind.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
: "${PREFIX:=$HOME/.local}"
: "${BINDIR:=$PREFIX/bin}"
: "${DATADIR:=$PREFIX/share}"
: "${UNITDIR:=$HOME/.config/systemd/user}"
manifest="$DATADIR/elegy/install-manifest"
staging=""
trap '[ -z "$staging" ] || rm -rf "$staging"' EXIT

record() {
    printf '%s\n' "$1" >>"$manifest"
}

# mkdir -p that records each directory it creates, outermost first.
make_directory() {
    local path=$1 missing=()
    while [ ! -d "$path" ]; do
        missing=("$path" "${missing[@]}")
        path=$(dirname "$path")
    done
    local directory
    for directory in "${missing[@]}"; do
        mkdir -m 0755 "$directory"
        if [ -f "$manifest" ]; then record "$directory/"; else pending+=("$directory/"); fi
    done
}

# install_file MODE SOURCE DESTINATION
install_file() {
    make_directory "$(dirname "$3")"
    install -m "$1" "$2" "$3"
    record "$3"
}

do_install() {
    : "${BUILD_BIN:?BUILD_BIN (the release build directory) is not set; run make install}"
    local program
    for program in elegyd elegy; do
        [ -x "$BUILD_BIN/$program" ] || { echo "install: $BUILD_BIN/$program is missing; run make build" >&2; exit 1; }
    done

    # The manifest's directory first, so that everything after is recorded as it happens.
    pending=()
    make_directory "$DATADIR/elegy"
    local previous=""
    [ -f "$manifest" ] && previous=$(cat "$manifest")
    : >"$manifest"
    [ -n "$previous" ] && printf '%s\n' "$previous" >>"$manifest"
    local entry
    for entry in "${pending[@]}"; do record "$entry"; done

    install_file 0755 "$BUILD_BIN/elegyd" "$BINDIR/elegyd"
    install_file 0755 "$BUILD_BIN/elegy" "$BINDIR/elegy"

    local file
    for file in "$root"/Playlists/*.toml; do
        install_file 0644 "$file" "$DATADIR/elegy/playlists/$(basename "$file")"
    done
    install_file 0644 "$root/elegy.example.toml" "$DATADIR/elegy/elegy.example.toml"

    # The units name %h/.local/bin; point them at BINDIR when it is elsewhere.
    staging=$(mktemp -d)
    for file in "$root"/systemd/*.service "$root"/systemd/*.socket "$root"/systemd/*.timer; do
        if [ "$BINDIR" = "$HOME/.local/bin" ]; then
            cp "$file" "$staging/"
        else
            sed "s|%h/\\.local/bin/|$BINDIR/|g" "$file" >"$staging/$(basename "$file")"
        fi
        install_file 0644 "$staging/$(basename "$file")" "$UNITDIR/$(basename "$file")"
    done

    local shell destination
    for shell in bash zsh fish; do
        case $shell in
            bash) destination="$DATADIR/bash-completion/completions/elegy" ;;
            zsh) destination="$DATADIR/zsh/site-functions/_elegy" ;;
            fish) destination="$DATADIR/fish/vendor_completions.d/elegy.fish" ;;
        esac
        "$BUILD_BIN/elegy" --generate-completion-script "$shell" >"$staging/completion"
        [ -s "$staging/completion" ] || { echo "install: elegy printed no $shell completion" >&2; exit 1; }
        install_file 0644 "$staging/completion" "$destination"
    done

    # Each path once, first occurrence kept (a reinstall appends what is already listed).
    awk '!seen[$0]++' "$manifest" >"$staging/manifest"
    cat "$staging/manifest" >"$manifest"

    echo "Installed elegyd and elegy in $BINDIR, units in $UNITDIR."
    echo "Next: systemctl --user daemon-reload && systemctl --user enable --now elegyd.socket"
}

do_uninstall() {
    if [ ! -f "$manifest" ]; then
        echo "uninstall: no $manifest; nothing to remove" >&2
        exit 0
    fi
    local entries=() line
    while IFS= read -r line; do
        [ -n "$line" ] && entries+=("$line")
    done <"$manifest"
    rm -f "$manifest"
    local index
    for ((index = ${#entries[@]} - 1; index >= 0; index--)); do
        line=${entries[$index]}
        case $line in
            */) rmdir "${line%/}" 2>/dev/null || true ;;
            *) rm -f "$line" ;;
        esac
    done
    echo "Removed Elegy (${#entries[@]} paths). If it was running: systemctl --user daemon-reload"
}

case ${1:-} in
    install) do_install ;;
    uninstall) do_uninstall ;;
    *)
        echo "usage: $0 install|uninstall" >&2
        exit 2
        ;;
esac
