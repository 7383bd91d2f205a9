"""Bit-perfect, gapless playback through the daemon: ALSA's `file` plugin captures exactly what elegyd played."""

from __future__ import annotations

import time

import pytest

import harness
import songs


@pytest.fixture(scope="module")
def capture(session_root):
    path = session_root / "capture" / "cap.raw"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def daemon(start_daemon, library, capture):
    return start_daemon(library, f"file:FILE={capture},FORMAT=raw", name="bitperfect")


def settled_size(path, timeout: float = 10) -> int:
    """The file's size once it stopped growing for half a second."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size == last and size >= 0:
            return size
        last = size
        time.sleep(0.5)
    return last


def first_difference(a: bytes, b: bytes) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def test_three_flacs_reach_the_device_byte_for_byte(daemon, library, capture):
    expected = b"".join(harness.media.decoded_pcm(library / track.uri) for track in songs.GAPLESS_ALBUM)
    assert len(expected) % 4 == 0 and len(expected) > 100_000
    with harness.RawClient(daemon.socket) as client:
        assert client.command("clear") == ["OK"]
        for track in songs.GAPLESS_ALBUM:
            assert client.command(f'add "{track.uri}"') == ["OK"]
        assert client.fields("status")["volume"] == "100"
        assert client.command("play") == ["OK"]
    daemon.wait_for_state("stop", limit=30)
    settled_size(capture)
    captured = capture.read_bytes()
    assert len(captured) == len(expected), (
        f"captured {len(captured)} bytes, decoded {len(expected)} "
        f"(difference {len(captured) - len(expected)} bytes = {(len(captured) - len(expected)) / 4} frames); "
        f"first difference at byte {first_difference(captured, expected)}")
    assert captured == expected, f"first difference at byte {first_difference(captured, expected)}"
    status = daemon.status()
    assert "error" not in status, status
