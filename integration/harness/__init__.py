"""One harness for Elegy's Python suites (integration/e2e, integration/service, integration/robustness) and
bench/daemon.py: where the binaries are, the elegyd launcher, a PulseAudio null sink, a raw MPD-protocol client,
test audio, and the mpc/elegy command-line helpers. Everything drives real processes; nothing is faked.

Binaries: `$ELEGY_BIN_DIR` (default <repo>/.build/debug) holds elegyd, elegy and ElegyFuzz; `$ELEGYD` names
another elegyd (the robustness suite's `--elegyd` too). `$ELEGY_TIMEOUT_SCALE` multiplies every wait (sanitizer
builds are slow).
"""

from . import media
from .cli import elegy, mpc, mpc_state
from .client import Ack, ConnectionClosed, ProtocolError, RawClient, python_mpd_client, socket_answers
from .daemon import Elegyd, StartError, wait_until
from .mpd import ReferenceMPD
from .paths import BIN_DIR, CURATED, ELEGY, ELEGYD, REPO, elegyd_binary, scaled
from .pulse import PulseAudio
from .state import read_saved_state

__all__ = [
    "Ack", "BIN_DIR", "CURATED", "ConnectionClosed", "ELEGY", "ELEGYD", "Elegyd", "ProtocolError", "PulseAudio",
    "REPO", "RawClient", "ReferenceMPD", "StartError", "elegy", "elegyd_binary", "media", "mpc", "mpc_state",
    "python_mpd_client", "read_saved_state", "scaled", "socket_answers", "wait_until",
]
