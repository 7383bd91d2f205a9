"""The daemon's saved state as it will restore it: state.json, and the queue file beside it when state.json names
one (`queue_generation`). Read independently of the daemon's own code, so that the tests check the file format."""

from __future__ import annotations

import json
from pathlib import Path

ESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _unescaped(field: str) -> str:
    out, escaping = [], False
    for char in field:
        if escaping:
            out.append(ESCAPES.get(char, char))
            escaping = False
        elif char == "\\":
            escaping = True
        else:
            out.append(char)
    return "".join(out)


def read_queue_file(path: Path) -> tuple[int, list[dict]]:
    """The queue file's generation and entries ({"uri", "curated_key"?}), as the daemon writes them."""
    lines = path.read_bytes().decode().split("\n")
    magic = "elegy-queue 1 "
    assert lines[0].startswith(magic), f"{path}: header {lines[0]!r}"
    entries = []
    for line in lines[1:]:
        if not line:
            continue
        uri, tab, key = line.partition("\t")
        entry = {"uri": _unescaped(uri)}
        if tab:
            entry["curated_key"] = _unescaped(key)
        entries.append(entry)
    return int(lines[0][len(magic):]), entries


def read_saved_state(state_file: Path) -> dict:
    """state.json with its "queue" filled in from the queue file; asserts that the two are of one generation."""
    state = json.loads(Path(state_file).read_text())
    if "queue_generation" in state:
        assert state["queue"] == [], "state.json keeps its queue in the queue file"
        generation, state["queue"] = read_queue_file(Path(state_file).parent / "queue")
        assert generation == state["queue_generation"], (generation, state["queue_generation"])
    return state
