"""Where things are: the repository, the binaries under test, the curated playlists; the timeout scale."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN_DIR = Path(os.environ.get("ELEGY_BIN_DIR") or REPO / ".build" / "debug")
ELEGYD = Path(os.environ.get("ELEGYD") or BIN_DIR / "elegyd")
ELEGY = BIN_DIR / "elegy"
CURATED = REPO / "Playlists"

SCALE = float(os.environ.get("ELEGY_TIMEOUT_SCALE", "1"))


def scaled(seconds: float) -> float:
    """`seconds` times $ELEGY_TIMEOUT_SCALE (sanitizer builds run 5-15x slower)."""
    return seconds * SCALE


def elegyd_binary(override: str | os.PathLike | None = None) -> Path:
    """The elegyd to test: `override` (a command-line option), else $ELEGYD, else $ELEGY_BIN_DIR/elegyd."""
    return Path(os.path.abspath(override)) if override else ELEGYD
