"""The command-line clients against a running Elegyd: Debian's mpc and Elegy's own `elegy`."""

from __future__ import annotations

import re
import subprocess

from .paths import ELEGY


def mpc(daemon, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
    """`mpc ARGS` with MPD_HOST at the daemon's socket; a failure (with check) fails with the daemon's log."""
    result = subprocess.run(["mpc", *args], env=daemon.client_env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"mpc {' '.join(args)} failed ({result.returncode}): {result.stderr}"
                             f"\n{daemon.log_tail()}")
    return result


def elegy(daemon, *args: str, check: bool = True, timeout: float = 60,
          socket_path: str | None = None) -> subprocess.CompletedProcess:
    """`elegy --socket SOCKET ARGS` ($ELEGY_BIN_DIR/elegy)."""
    argv = [str(ELEGY), "--socket", socket_path or str(daemon.socket), *args]
    result = subprocess.run(argv, env=daemon.client_env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"elegy {' '.join(args)} failed ({result.returncode}): {result.stderr}"
                             f"\n{daemon.log_tail()}")
    return result


MPC_STATE_RE = re.compile(r"^\[(playing|paused)\]\s+#(\d+)/(\d+)\s+(\d+):(\d\d)/(\d+):(\d\d) \((\d+)%\)$")


def mpc_state(output: str) -> tuple[str | None, int, int, int]:
    """From mpc's status lines: (state, 1-based position, queue length, elapsed seconds); state None if stopped."""
    for line in output.splitlines():
        match = MPC_STATE_RE.match(line)
        if match:
            state, pos, length, minutes, seconds = match.group(1, 2, 3, 4, 5)
            return state, int(pos), int(length), int(minutes) * 60 + int(seconds)
    return None, 0, 0, 0
