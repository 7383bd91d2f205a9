"""Session fixtures for Elegy's end-to-end tests (the harness: integration/harness).

The suite builds nothing: it expects `swift build` to have produced `.build/debug/elegyd` and `.build/debug/elegy`
(or `$ELEGY_BIN_DIR`), and fails with a clear message otherwise. It generates its music libraries once per session
and starts one `elegyd` per test module (see the `start_daemon` fixture), always stopping it afterwards.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

import harness
import songs


@pytest.fixture(scope="session", autouse=True)
def binaries() -> tuple[Path, Path]:
    missing = [str(path) for path in (harness.ELEGYD, harness.ELEGY) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run `swift build` first (the e2e suite builds nothing)",
                    pytrace=False)
    return harness.ELEGYD, harness.ELEGY


@pytest.fixture(scope="session")
def session_root():
    # Short paths under /tmp: Unix socket paths are limited to 107 bytes.
    root = Path(tempfile.mkdtemp(prefix="elegy-e2e-", dir="/tmp"))
    yield root
    if os.environ.get("ELEGY_E2E_KEEP"):
        print(f"\nkept {root}")
    else:
        shutil.rmtree(root, ignore_errors=True)


def fresh_copy(library: Path, session_root: Path, name: str) -> Path:
    """A copy of `library` under `session_root` that one module may change (an old one is replaced)."""
    root = session_root / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(library, root)
    return root


@pytest.fixture(scope="session")
def library(session_root) -> Path:
    """The generated library: tagged 44.1 kHz 16-bit tracks in Artist/Album/NN - Title layout (songs.LIBRARY)."""
    root = session_root / "library"
    songs.generate_library(root)
    return root


@pytest.fixture(scope="session")
def demo_library(session_root) -> Path:
    """scripts/demo-library.sh's messy library of curated songs and decoys."""
    root = session_root / "demo"
    harness.media.generate_demo_library(root)
    return root


@pytest.fixture(scope="session")
def combined_library(session_root, library, demo_library) -> Path:
    """Both libraries in one tree (hard links): the generated one at the top, the demo one under `demo/`."""
    root = session_root / "combined"
    shutil.copytree(library, root, copy_function=os.link)
    shutil.copytree(demo_library, root / "demo", copy_function=os.link)
    return root


@pytest.fixture(scope="session")
def pulse(session_root):
    """One PulseAudio null sink for the session: the paced output (`--output pulse`)."""
    server = harness.PulseAudio(session_root / "pulse").start()
    yield server
    server.stop()


class DaemonFactory:
    """Starts daemons for one module and stops every one of them at the end, whatever happened."""

    def __init__(self, root: Path):
        self.root = root
        self.daemons: list[harness.Elegyd] = []

    def __call__(self, music_dir: Path, output: str, pulse: harness.PulseAudio | None = None,
                 name: str = "d", runtime_mode: int = 0o700) -> harness.Elegyd:
        root = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.root))
        # A hermetic environment (PATH, LANG and the private HOME/XDG only), every log line.
        daemon = harness.Elegyd(root, music_dir, output, pulse=pulse, runtime_mode=runtime_mode, verbose=True,
                                inherit_env=False)
        self.daemons.append(daemon)
        daemon.start(limit=30)
        daemon.wait_scanned(limit=60)
        return daemon

    def stop_all(self) -> list[str]:
        """Stops every daemon; returns a complaint for each one that had died on its own or crashed."""
        problems = []
        for daemon in self.daemons:
            died = daemon.proc is not None and not daemon.alive()
            code, _ = daemon.stop(strict=False)
            if died:
                problems.append(f"elegyd died during the tests (status {code}):\n{daemon.log_tail()}")
            elif daemon.log_path.exists() and b"Fatal error" in daemon.log_path.read_bytes():
                problems.append(f"elegyd crashed:\n{daemon.log_tail()}")
        return problems


@pytest.fixture(scope="module")
def start_daemon(binaries, session_root):
    """`start_daemon(music_dir, output, pulse=None)` starts an elegyd that is stopped when the module ends."""
    factory = DaemonFactory(session_root)
    yield factory
    problems = factory.stop_all()
    assert not problems, "\n".join(problems)
