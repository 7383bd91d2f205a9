"""Fixtures of the robustness suite: real elegyd processes in private environments (the harness:
integration/harness), a PulseAudio null sink, the options.

Options: `--long` (bigger numbers, for BENCHMARKS.md), `--seed N` (fuzzer seed; default: the time), `--elegyd PATH`
(or $ELEGYD; default $ELEGY_BIN_DIR/elegyd, i.e. .build/debug/elegyd). $ELEGY_TIMEOUT_SCALE multiplies every
timeout (sanitizer builds are slow). A missing binary fails the run: this suite is never skipped.
"""

import os
import time

import pytest

import harness
from harness import scaled as timeout, wait_until  # noqa: F401 - the tests import them from here

# Sanitizer builds keep freed memory in quarantine: integration/robustness/sanitizers.sh loosens the RSS bound.
RSS_FACTOR = float(os.environ.get("ELEGY_RSS_FACTOR", "2"))


def pytest_addoption(parser):
    parser.addoption("--long", action="store_true", help="benchmark sizes (more fuzz inputs, 30 s floods)")
    parser.addoption("--seed", type=int, default=None, help="fuzzer seed (default: derived from the time)")
    parser.addoption("--elegyd", default=None, help="the elegyd binary (default: $ELEGYD or .build/debug/elegyd)")


@pytest.fixture(scope="session")
def long_mode(request):
    return request.config.getoption("--long")


@pytest.fixture(scope="session")
def seed(request):
    value = request.config.getoption("--seed")
    if value is None:
        value = int(os.environ.get("ELEGY_FUZZ_SEED", int(time.time()) % 1_000_000))
    print(f"\nrobustness seed: {value} (rerun with --seed {value})")
    return value


@pytest.fixture(scope="session")
def elegyd_binary(request):
    path = str(harness.elegyd_binary(request.config.getoption("--elegyd")))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"elegyd binary not found at {path}: run `swift build` first (or pass --elegyd / $ELEGYD)",
                    pytrace=False)
    return path


def connect(path, timeout_s=10.0):
    """A raw connection that survives whatever bytes come back (decoding errors replaced)."""
    return harness.RawClient(path, timeout=timeout(timeout_s), errors="replace")


@pytest.fixture
def daemon_factory(elegyd_binary, tmp_path):
    """Builds daemons in this test's temp dir (not started); every one is killed at the end if still running."""
    made = []

    def make(name="d", **kwargs):
        daemon = harness.Elegyd(tmp_path / name, binary=elegyd_binary, decode_errors="replace", **kwargs)
        made.append(daemon)
        return daemon

    yield make
    for daemon in made:
        daemon.kill()


@pytest.fixture
def pulse(tmp_path):
    server = harness.PulseAudio(tmp_path / "pulse").start()
    yield server
    server.stop()
